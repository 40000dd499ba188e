/**
 * Parameters, definitions and URL adapter of the `redis` (Streams) connector.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Addr, ConnectPort, Millis, NonNegative, Positive } from "../../config/param-types.js"
import * as SecretParam from "../../config/secret-param.js"
import * as Tls from "../net/tls.js"

/** The connector kind. */
export const kind = "redis"

/** A stream key, group or consumer name: non-empty, no whitespace. */
export const Name = Schema.String.pipe(Schema.pattern(/^\S+$/)).annotations({ description: "a non-empty name without whitespace" })

/** A stream entry id: `0`, `$`, `<ms>` or `<ms>-<seq>`. */
export const EntryId = Schema.String.pipe(Schema.pattern(/^(\$|\d+(-\d+)?)$/)).annotations({
  description: "a stream entry id: 0, $, <ms> or <ms>-<seq>"
})

/** Connection params shared by the source and the sink. */
const common = {
  host: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ConnectPort, { default: () => 6379 }),
  db: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 15)).annotations({ description: "an integer between 0 and 15" }), {
    default: () => 0
  }),
  stream: Name,
  /** An ACL user (`AUTH username password`); without it, `password` authenticates the default user. */
  username: Schema.optional(Schema.NonEmptyString),
  /** The password (`requirepass` or the ACL user's); `wpc` prints it as `***`. */
  password: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  /** Connect with TLS (`Tls.ClientTls`: CA, client certificate, server-name check, minimum version). */
  ...Tls.clientFields
}

/**
 * Source params: consumer group `group` on `stream` (created at `start_id`, with MKSTREAM, when
 * `create_group`), read as `consumer` (default `<spec.name>-<hostname>-<pid>`) up to `batch` entries per
 * XREADGROUP blocking at most `block_ms`; other consumers' entries idle over `claim_idle_ms` are claimed;
 * the payload is the entry's `field`.
 */
export const SourceParams = Schema.Struct({
  ...common,
  group: Name,
  consumer: Schema.optional(Name),
  batch: Schema.optionalWith(Positive, { default: () => 1024 }),
  block_ms: Schema.optionalWith(Millis, { default: () => 1000 }),
  claim_idle_ms: Schema.optionalWith(Millis, { default: () => 30000 }),
  start_id: Schema.optionalWith(EntryId, { default: () => "0" }),
  create_group: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  field: Schema.optionalWith(Name, { default: () => "payload" })
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/** Sink params: XADD each payload under `field`, trimming with `MAXLEN ~ maxlen` unless it is 0. */
export const SinkParams = Schema.Struct({
  ...common,
  maxlen: Schema.optionalWith(NonNegative, { default: () => 0 }),
  field: Schema.optionalWith(Name, { default: () => "payload" })
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The source definition `redis-src`: the defaults of `SourceParams` (`stream` and `group` have none), every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "redis-src", kind, params: SourceParams })

/** The sink definition `redis-sink`: the defaults of `SinkParams` (`stream` has none), every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "redis-sink", kind, params: SinkParams })

/** Query keys the URL form accepts, and whether each is numeric or boolean. */
const queryKeys: ConnectorKindAdapter.QueryKeys = new Map([
  ["stream", "string"],
  ["group", "string"],
  ["consumer", "string"],
  ["batch", "number"],
  ["block_ms", "number"],
  ["claim_idle_ms", "number"],
  ["start_id", "string"],
  ["create_group", "boolean"],
  ["maxlen", "number"],
  ["field", "string"]
])

/**
 * `redis://host:6379/0?stream=x&group=y` gives `{ host, port: 6379, db: 0, stream: "x", group: "y" }`;
 * the path is the database number; the query may set the stream params. Values are checked by the Schema later.
 */
export const adapter = ConnectorKindAdapter.make({
  kind,
  defaults: ParamSchema.defaults(SourceParams),
  urlToParams: (url) =>
    Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["redis"]), (u) => {
      if (u.username !== "" || u.password !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "userinfo", "credentials", "no user:password@; set params.username and params.password"))
      if (u.hash !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "fragment", `fragment ${JSON.stringify(u.hash)}`, "no fragment"))
      const params: Record<string, string | number | boolean> = {}
      const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname
      if (host !== "") params["host"] = host
      if (u.port !== "") params["port"] = Number(u.port)
      const db = u.pathname.replace(/^\//, "")
      if (db !== "") {
        if (!/^\d+$/.test(db)) return Effect.fail(ConnectorKindAdapter.refuse(url, "path", `path ${JSON.stringify(u.pathname)}`, "the database number, e.g. /0"))
        params["db"] = Number(db)
      }
      return Effect.map(ConnectorKindAdapter.queryParams(url, u, queryKeys), (query) => ({ ...params, ...query }))
    })
})
