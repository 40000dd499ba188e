/**
 * Parameters, definitions and URL adapter of the `tcp` connector.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Addr, ConnectPort, IdleTimeout, ListenPort, Millis, Positive } from "../../config/param-types.js"
import { ConfigError } from "../../errors/config.js"
import * as BufferParams from "../net/buffer-params.js"
import * as SourceInstances from "../net/source-instances.js"
import * as Tls from "../net/tls.js"

/** The connector kind. */
export const kind = "tcp"

/** WarpParse's `instances` (workers of one source): from 1 to 64, see `SourceInstances`. */
export const Instances = SourceInstances.Count

/**
 * Source params: listen on `addr`:`port` (0 picks a free port); cut the stream into frames by `framing`
 * (`line`: LF-delimited, `octet-counted`: RFC 6587 `MSG-LEN SP MSG`, or `auto`: per frame, octet-counted
 * when it starts with digits and a space, else a line); `instances` (WarpParse's, 1 to 64): that many
 * `DataSource`s fed by the one listener, each connection given to the one with the fewest open connections
 * (not with `buffer = "disk"`); at most `max_connections`
 * clients at once, each closed once it sent nothing for `idle_timeout_s` (0: never; not counted while
 * reading it is paused); frames longer than `max_frame_bytes` (or `tcp_recv_bytes`, WarpParse's name, when given) are cut; at most `queue_events` events and
 * `queue_bytes` bytes wait (per instance) for the pipeline before the sockets are paused; `batch_events` per receive.
 * `queue_events` defaults to one receive's worth (4096): events waiting here are not yet in a sink
 * queue, and a deeper intake only keeps more of them alive (65536 cost 25% of tcp -> file throughput
 * in garbage collection, and 140 MB of RSS). `buffer`, `buffer_max_bytes`, `buffer_fsync`: what was
 * received waits in memory (`"memory"`) or in a write-ahead log under the work root (`"disk"`, see
 * `BufferParams`); with `"disk"`, `queue_events`/`queue_bytes` bound the part of it kept in memory.
 * `tls`: serve TLS (`Tls.ServerTls`: cert, key, client certificates, minimum version).
 */
export const SourceParams = Schema.Struct({
  addr: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ListenPort, { default: () => 9000 }),
  framing: Schema.optionalWith(Schema.Literal("line", "octet-counted", "auto"), { default: () => "line" as const }),
  instances: Schema.optionalWith(Instances, { default: () => 1 }),
  tcp_recv_bytes: Schema.optional(Positive),
  max_connections: Schema.optionalWith(Positive, { default: () => 256 }),
  idle_timeout_s: Schema.optionalWith(IdleTimeout, { default: () => 300 }),
  max_frame_bytes: Schema.optionalWith(Positive, { default: () => 1048576 }),
  queue_events: Schema.optionalWith(Positive, { default: () => 4096 }),
  queue_bytes: Schema.optionalWith(Positive, { default: () => 67108864 }),
  batch_events: Schema.optionalWith(Positive, { default: () => 4096 }),
  ...BufferParams.fields,
  ...Tls.serverFields
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/**
 * Sink params: connect to `addr`:`port` within `connect_timeout_ms`; frame each payload by `framing`
 * (`line` appends `\n`, `octet-counted` prefixes `MSG-LEN SP`); `tls`: connect with TLS (`Tls.ClientTls`).
 */
export const SinkParams = Schema.Struct({
  addr: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ConnectPort, { default: () => 9000 }),
  framing: Schema.optionalWith(Schema.Literal("line", "octet-counted"), { default: () => "line" as const }),
  connect_timeout_ms: Schema.optionalWith(Millis, { default: () => 5000 }),
  ...Tls.clientFields
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The source definition `tcp-src`: the defaults of `SourceParams`, every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "tcp-src", kind, params: SourceParams })

/** The sink definition `tcp-sink`: the defaults of `SinkParams`, every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "tcp-sink", kind, params: SinkParams })

/**
 * The `addr`/`port` of a `scheme://host:port` URL (brackets of an IPv6 host removed; a missing port is
 * left to the defaults). Credentials, a path, a query or a fragment are refused, naming the URL part.
 */
export const hostParams = (url: string, u: URL): Effect.Effect<{ addr?: string; port?: number }, ConfigError> => {
  if (u.username !== "" || u.password !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "userinfo", "credentials", "no user:password@"))
  if (u.pathname !== "" && u.pathname !== "/") {
    return Effect.fail(ConnectorKindAdapter.refuse(url, "path", `path ${JSON.stringify(u.pathname)}`, "no path: scheme://host:port"))
  }
  if (u.search !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "query", `query ${JSON.stringify(u.search)}`, "no query string; set params instead"))
  if (u.hash !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "fragment", `fragment ${JSON.stringify(u.hash)}`, "no fragment"))
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname
  return Effect.succeed({ ...(host === "" ? {} : { addr: host }), ...(u.port === "" ? {} : { port: Number(u.port) }) })
}

/** `tcp://127.0.0.1:9000` gives `{ addr: "127.0.0.1", port: 9000 }` (for the source and the sink alike). */
export const adapter = ConnectorKindAdapter.make({
  kind,
  defaults: ParamSchema.defaults(SourceParams),
  urlToParams: (url) => Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["tcp"]), (u) => hostParams(url, u))
})
