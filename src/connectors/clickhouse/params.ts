/**
 * Parameters, definition and URL adapter of the `clickhouse` sink (inserts over ClickHouse's HTTP interface).
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import { Millis, Positive } from "../../config/param-types.js"
import * as SecretParam from "../../config/secret-param.js"
import * as Tls from "../net/tls.js"

/** The connector kind. */
export const kind = "clickhouse"

/** What is wrong with `text` as the base URL of ClickHouse's HTTP interface, or `undefined` when nothing is. */
export const endpointProblem = (text: string): string | undefined => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `${JSON.stringify(text)} is not a URL`
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `scheme ${JSON.stringify(url.protocol.slice(0, -1))} is not http or https`
  // the URL is not repeated: it holds the credentials
  if (url.username !== "" || url.password !== "") return "the URL carries credentials: set params.username and params.password instead"
  if (url.search !== "") return `the URL has a query ${JSON.stringify(url.search)}: the sink sets the query and its settings`
  if (url.hash !== "") return `the URL has a fragment ${JSON.stringify(url.hash)}`
  return undefined
}

/** The base URL of ClickHouse's HTTP interface: `http(s)://host:port`, optionally with a path prefix; no credentials, query or fragment. */
export const Endpoint = Schema.String.pipe(Schema.filter((text) => endpointProblem(text))).annotations({
  description: "an http(s) URL such as http://127.0.0.1:8123, without credentials, query or fragment"
})

/** A database, table or column name: non-empty text without control characters (it is quoted with backticks). */
export const Identifier = Schema.String.pipe(Schema.pattern(/^[^\x00-\x1f\x7f]+$/)).annotations({
  description: "a non-empty ClickHouse name without control characters"
})

/** One entry of `columns`: `column` (from the field of the same name) or `column=field`. */
export const ColumnEntry = Schema.String.pipe(Schema.pattern(/^[^\x00-\x1f\x7f=]+(=[^\x00-\x1f\x7f]+)?$/)).annotations({
  description: "a column name, or column=field to take the column from another field"
})

/** The column an entry of `columns` names. */
export const columnOf = (entry: string): string => {
  const at = entry.indexOf("=")
  return at < 0 ? entry : entry.slice(0, at)
}

/** The record field an entry of `columns` takes its value from. */
export const fieldOf = (entry: string): string => {
  const at = entry.indexOf("=")
  return at < 0 ? entry : entry.slice(at + 1)
}

/** The explicit columns: at least one, each named once. */
export const Columns = Schema.NonEmptyArray(ColumnEntry).pipe(
  Schema.filter((entries) => {
    const seen = new Set<string>()
    for (const [i, entry] of entries.entries()) {
      const column = columnOf(entry)
      if (seen.has(column)) return { path: [i], message: `column ${JSON.stringify(column)} is listed twice` }
      seen.add(column)
    }
    return undefined
  })
).annotations({ description: "a non-empty list of distinct columns (column or column=field)" })

/**
 * Sink params: insert into `database`.`table` at `endpoint` as `username` / `password` (HTTP basic
 * auth), at most `batch` rows per `INSERT ... FORMAT JSONEachRow`; `skip_unknown` sets
 * `input_format_skip_unknown_fields` (a field without a column is dropped by the server instead of
 * failing the insert), `date_time_best_effort` sets `date_time_input_format=best_effort` (ISO 8601 text
 * into DateTime columns); `columns` limits and maps the record fields written (and names them in the
 * INSERT); raw text and bytes payloads are written to `payload_column`; a request without an answer
 * within `timeout_ms` fails (retryable).
 */
export const SinkParams = Schema.Struct({
  endpoint: Schema.optionalWith(Endpoint, { default: () => "http://127.0.0.1:8123" }),
  database: Schema.optionalWith(Identifier, { default: () => "default" }),
  table: Identifier,
  username: Schema.optionalWith(Schema.NonEmptyString, { default: () => "default" }),
  /** The user's password; `wpc` prints it as `***`. */
  password: Schema.optional(SecretParam.secret(Schema.String)),
  batch: Schema.optionalWith(Positive, { default: () => 10000 }),
  skip_unknown: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  date_time_best_effort: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  columns: Schema.optional(Columns),
  payload_column: Schema.optionalWith(Identifier, { default: () => "payload" }),
  timeout_ms: Schema.optionalWith(Millis, { default: () => 30000 }),
  /** TLS of an `https:` endpoint (`Tls.ClientTls`). */
  ...Tls.clientFields
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The sink definition `clickhouse_sink` (WarpParse's id): the defaults of `SinkParams` (`table` has none), every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "clickhouse_sink", kind, params: SinkParams })

/** ClickHouse's HTTP port, for a URL without one. */
export const defaultHttpPort = 8123

/** A URL path without its leading `/`, percent-decoded; `undefined` when an escape is malformed. */
const decodedPath = (pathname: string): string | undefined => {
  try {
    return decodeURIComponent(pathname.replace(/^\//, ""))
  } catch {
    return undefined
  }
}

/** Query keys the URL form accepts, and whether each is numeric or boolean. */
const queryKeys: ConnectorKindAdapter.QueryKeys = new Map([
  ["table", "string"],
  ["batch", "number"],
  ["skip_unknown", "boolean"],
  ["date_time_best_effort", "boolean"],
  ["payload_column", "string"],
  ["timeout_ms", "number"]
])

/**
 * `clickhouse://host:8123/logs?table=events` gives `{ endpoint: "http://host:8123", database: "logs",
 * table: "events" }` (port 8123 when none is given; the path is the database); the query may set
 * `table batch skip_unknown date_time_best_effort payload_column timeout_ms`. Credentials (set
 * `username` / `password`), a fragment, a path of more than one segment, an unknown query key, a
 * non-integer number or a boolean other than `true`/`false` are refused naming the URL part. For an
 * https endpoint, or `columns`, use the params. Values are checked by the Schema later.
 */
export const adapter = ConnectorKindAdapter.make({
  kind,
  urlToParams: (url) =>
    Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["clickhouse"]), (u) => {
      if (u.username !== "" || u.password !== "") {
        return Effect.fail(ConnectorKindAdapter.refuse(url, "userinfo", "credentials", "no user:password@; set params.username and params.password"))
      }
      if (u.hash !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "fragment", `fragment ${JSON.stringify(u.hash)}`, "no fragment"))
      if (u.hostname === "") return Effect.fail(ConnectorKindAdapter.refuse(url, "host", "no host", "clickhouse://host:8123/database?table=t"))
      const params: Record<string, string | number | boolean> = {
        endpoint: `http://${u.hostname}:${u.port === "" ? defaultHttpPort : u.port}`
      }
      const path = decodedPath(u.pathname)
      if (path === undefined || path.includes("/")) return Effect.fail(ConnectorKindAdapter.refuse(url, "path", `path ${JSON.stringify(u.pathname)}`, "the database alone, e.g. /logs"))
      if (path !== "") params["database"] = path
      return Effect.map(ConnectorKindAdapter.queryParams(url, u, queryKeys), (query) => ({ ...params, ...query }))
    })
})
