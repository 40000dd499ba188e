/**
 * Parameters, definition and URL adapter of the `syslog` connector.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Addr, IdleTimeout, ListenPort, Positive } from "../../config/param-types.js"
import * as BufferParams from "../net/buffer-params.js"
import { hostParams } from "../tcp/params.js"

/** The connector kind. */
export const kind = "syslog"

/**
 * Source params: listen on `addr`:`port` over `protocol` (`udp`: one datagram is one message; `tcp`:
 * octet-counted or LF-delimited frames, detected per frame as RFC 6587 says); `attach_meta_tags` tags
 * each message with its header fields, `strip_header` keeps only its MSG; `tcp_recv_bytes` is the
 * largest TCP frame (longer ones are cut); `udp_recv_buffer` the UDP socket's receive buffer;
 * `max_connections` TCP clients at most, each closed once it sent nothing for `idle_timeout_s` (0: never);
 * at most `queue_events` events and `queue_bytes` bytes wait for the pipeline; `batch_events` per receive.
 * `buffer`, `buffer_max_bytes`, `buffer_fsync`: what was received waits in memory (`"memory"`) or in a
 * write-ahead log under the work root (`"disk"`, see `BufferParams`; UDP then drops only at its bound).
 */
export const SourceParams = Schema.Struct({
  addr: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ListenPort, { default: () => 514 }),
  protocol: Schema.optionalWith(Schema.Literal("udp", "tcp"), { default: () => "udp" as const }),
  strip_header: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  attach_meta_tags: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  tcp_recv_bytes: Schema.optionalWith(Positive, { default: () => 1048576 }),
  udp_recv_buffer: Schema.optionalWith(Positive, { default: () => 8388608 }),
  max_connections: Schema.optionalWith(Positive, { default: () => 256 }),
  idle_timeout_s: Schema.optionalWith(IdleTimeout, { default: () => 300 }),
  queue_events: Schema.optionalWith(Positive, { default: () => 65536 }),
  queue_bytes: Schema.optionalWith(Positive, { default: () => 67108864 }),
  batch_events: Schema.optionalWith(Positive, { default: () => 4096 }),
  ...BufferParams.fields
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/** The source definition `syslog-src`: the defaults of `SourceParams`, every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "syslog-src", kind, params: SourceParams })

/**
 * `syslog+udp://0.0.0.0:514` gives `{ addr: "0.0.0.0", port: 514, protocol: "udp" }`, `syslog+tcp://` the
 * same with `protocol: "tcp"`; plain `syslog://` leaves the protocol to the defaults.
 */
export const adapter = ConnectorKindAdapter.make({
  kind,
  defaults: ParamSchema.defaults(SourceParams),
  urlToParams: (url) =>
    Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["syslog", "syslog+udp", "syslog+tcp"]), (u) =>
      Effect.map(hostParams(url, u), (host) => {
        const protocol = u.protocol === "syslog+udp:" ? "udp" : u.protocol === "syslog+tcp:" ? "tcp" : undefined
        return protocol === undefined ? host : { ...host, protocol }
      }))
})
