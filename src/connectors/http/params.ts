/**
 * Parameters, definition and URL adapter of the `http` connector (an ingest acceptor).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Addr, ConnectPort, ListenPort, Millis, NonNegative, Positive } from "../../config/param-types.js"
import * as SecretParam from "../../config/secret-param.js"
import * as BufferParams from "../net/buffer-params.js"
import * as Tls from "../net/tls.js"

/** The connector kind. */
export const kind = "http"

/** The path that answers `GET` with the acceptor's health; the ingest `path` may not take it. */
export const healthPath = "/health"

const HeaderBytes = Schema.Int.pipe(Schema.between(1024, 1048576)).annotations({ description: "an integer between 1024 and 1048576" })

const IngestPath = Schema.String.pipe(
  Schema.pattern(/^\/[^?#\s]*$/),
  Schema.filter((p) => p !== healthPath || `path ${healthPath} is reserved for the health check`)
).annotations({ description: `an absolute path without query, e.g. "/ingest" (not "${healthPath}")` })

/**
 * Source params: listen on `addr`:`port` (0 picks a free port) and take `POST <path>` bodies of at most
 * `max_body_bytes` (heads of at most `max_header_bytes`, else `431`), one event per non-blank line
 * (`format` `"text"`, or `"ndjson"`: every line must be JSON); `token`, when set, is the bearer token
 * every request must carry; at most `queue_events` events wait for the pipeline (a request that does not
 * fit gets `503` with `Retry-After: retry_after_s`); `batch_events` at most per `receive`. `buffer`,
 * `buffer_max_bytes`, `buffer_fsync`: accepted requests wait in memory (`"memory"`) or in a write-ahead
 * log under the work root (`"disk"`, see `BufferParams`: `202` only once the request is synced).
 * `tls`: serve HTTPS (`Tls.ServerTls`: cert, key, client certificates, minimum version). A body may
 * come `gzip`- or `deflate`-encoded; `max_body_bytes` bounds it decoded.
 */
export const SourceParams = Schema.Struct({
  addr: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ListenPort, { default: () => 8080 }),
  path: Schema.optionalWith(IngestPath, { default: () => "/ingest" }),
  token: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  max_body_bytes: Schema.optionalWith(Positive, { default: () => 10 * 1024 * 1024 }),
  max_header_bytes: Schema.optionalWith(HeaderBytes, { default: () => 16384 }),
  queue_events: Schema.optionalWith(Positive, { default: () => 65536 }),
  retry_after_s: Schema.optionalWith(NonNegative, { default: () => 1 }),
  format: Schema.optionalWith(Schema.Literal("text", "ndjson"), { default: () => "text" as const }),
  batch_events: Schema.optionalWith(Positive, { default: () => 1024 }),
  ...BufferParams.fields,
  ...Tls.serverFields
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/** The source definition `http-src`: the defaults of `SourceParams`, every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "http-src", kind, params: SourceParams })

/** Where the sink POSTs: an absolute path, with a query when the receiver wants one. */
const TargetPath = Schema.String.pipe(Schema.pattern(/^\/[^#\s]*$/)).annotations({
  description: `an absolute path, with a query if needed, e.g. "/ingest" or "/insert?db=logs"`
})

/** A basic-auth user name: a colon would end it early in the `user:password` pair. */
const BasicUser = Schema.String.pipe(Schema.pattern(/^[^:\s]+$/)).annotations({ description: "a non-empty user name without \":\" or whitespace" })

/**
 * How the sink writes a batch: `text`, one line per event (a payload as it is, a record as its JSON
 * object); `ndjson`, one JSON value per line (a payload as a JSON string, a record as its object);
 * `json_array`, those JSON values in one array.
 */
export const SinkFormat = Schema.Literal("text", "ndjson", "json_array")

/** How the sink writes a batch. */
export type SinkFormat = typeof SinkFormat.Type

/**
 * Sink params: POST each batch to `http://addr:port<path>` as `format` says (`gzip`: compressed, with
 * `Content-Encoding: gzip`), authenticated by a bearer `token` or by basic `username` / `password` (not
 * both); a connection must open within `connect_timeout_ms` and the whole answer arrive within
 * `request_timeout_ms`; a `Retry-After` of a `429` / `5xx` holds the next request back, by at most
 * `retry_after_max_ms` (0 ignores it). `tls`: POST over HTTPS (`Tls.ClientTls`).
 */
export const SinkParams = Schema.Struct({
  addr: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ConnectPort, { default: () => 8080 }),
  path: Schema.optionalWith(TargetPath, { default: () => "/ingest" }),
  format: Schema.optionalWith(SinkFormat, { default: () => "text" as const }),
  gzip: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  token: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  username: Schema.optional(BasicUser),
  password: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  connect_timeout_ms: Schema.optionalWith(Millis, { default: () => 5000 }),
  request_timeout_ms: Schema.optionalWith(Millis, { default: () => 30000 }),
  retry_after_max_ms: Schema.optionalWith(NonNegative, { default: () => 30000 }),
  ...Tls.clientFields
}).pipe(
  Schema.filter((p) =>
    p.token !== undefined && p.username !== undefined
      ? { path: ["username"], message: "token (bearer) and username/password (basic) exclude each other: set one of them" }
      : p.password !== undefined && p.username === undefined
      ? { path: ["password"], message: "password needs username (basic auth)" }
      : true, { description: "token alone (bearer), or username with an optional password (basic), not both" })
)

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The sink definition `http-sink`: the defaults of `SinkParams`, every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "http-sink", kind, params: SinkParams })

/**
 * `http://127.0.0.1:8080/ingest` gives `{ addr: "127.0.0.1", port: 8080, path: "/ingest" }`; a missing port
 * or path (`/`) keeps the default; the path stays percent-encoded, as request paths arrive. Credentials, a query or a fragment are refused (set `token` as a param).
 * The same keys are the sink's target, so one `url` serves both sides (a sink path with a query is set as `path`).
 */
export const adapter = ConnectorKindAdapter.make({
  kind,
  defaults: ParamSchema.defaults(SourceParams),
  urlToParams: (url) =>
    Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["http"]), (u) => {
      if (u.username !== "" || u.password !== "") {
        return Effect.fail(ConnectorKindAdapter.refuse(url, "userinfo", "credentials", "no user:password@; set the bearer token in params.token"))
      }
      if (u.search !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "query", `query ${JSON.stringify(u.search)}`, "no query string"))
      if (u.hash !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "fragment", `fragment ${JSON.stringify(u.hash)}`, "no fragment"))
      if (u.pathname === healthPath) {
        return Effect.fail(ConnectorKindAdapter.refuse(url, "path", `path ${healthPath} is reserved for the health check`, "another path, e.g. /ingest"))
      }
      const addr = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname
      return Effect.succeed({
        addr,
        ...(u.port === "" ? {} : { port: Number(u.port) }),
        ...(u.pathname === "/" ? {} : { path: u.pathname })
      })
    })
})
