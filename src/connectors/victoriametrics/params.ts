/**
 * Parameters and definition of the `victoriametrics` sink.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import * as ConnectorDef from "../../config/def.js"
import { Millis, NonNegative, Positive } from "../../config/param-types.js"
import * as SecretParam from "../../config/secret-param.js"
import * as Tls from "../net/tls.js"
import * as MetricName from "./metric-name.js"

/** The connector kind. */
export const kind = "victoriametrics"

/** Where WarpParse's definition pushes by default: a local single-node server, Prometheus text format. */
export const defaultInsertUrl = "http://127.0.0.1:8428/api/v1/import/prometheus"

/** The two push formats: Prometheus text exposition (`/api/v1/import/prometheus`) or VictoriaMetrics' JSON lines (`/api/v1/import`). */
export const Format = Schema.Literal("prometheus", "json")

/** A push format. */
export type Format = typeof Format.Type

/** An http(s) URL without credentials or fragment: credentials are params, never part of a URL. */
const InsertUrl = Schema.String.pipe(
  Schema.filter((s) => {
    let url: URL
    try {
      url = new URL(s)
    } catch {
      return "not a URL"
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return `scheme ${JSON.stringify(url.protocol)} is not http: or https:`
    if (url.username !== "" || url.password !== "") return "credentials in the URL: set params.username and params.password instead"
    if (url.hash !== "") return "a fragment has no meaning here"
    return true
  })
).annotations({ description: `an http(s) URL without credentials, e.g. "${defaultInsertUrl}"` })

/** A record field name. */
const FieldName = Schema.NonEmptyString.annotations({ description: "a record field name" })

/** A constant label `name:value`; the name is a Prometheus label name. */
const Tag = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z_][A-Za-z0-9_]*:/),
  Schema.filter((t) => !t.startsWith("__name__:") || "__name__ is the metric name, not a label")
).annotations({ description: `"name:value" with a label name ([A-Za-z_][A-Za-z0-9_]*), e.g. "env:prod"` })

/** A metric name template: text with `{field}` (the value field's name) and `{<field>}` (a record field's value). */
const MetricTemplate = Schema.NonEmptyString.pipe(
  Schema.filter((t) => MetricName.checkTemplate(t) ?? true)
).annotations({ description: `a metric name template, e.g. "nginx_{field}" or "{name}"` })

/** A username for basic auth: a colon would end it early in the `user:password` pair. */
const BasicUser = Schema.String.pipe(Schema.pattern(/^[^:\s]+$/)).annotations({ description: "a non-empty user name without \":\" or whitespace" })

/**
 * Sink params. Each write is pushed to `insert_url` (as `format`, by default the one its path names)
 * before it returns; `flush_interval_secs` is how long the sink keeps a pushed body to push it again if
 * the server may have lost it (see docs/connectors/victoriametrics.md).
 *
 * - `metric`: the metric name template (`{field}`: the value field's name; `{x}`: the value of field `x`).
 * - `fields`: the value fields (default: every integer and float field but the label and timestamp fields).
 * - `labels`: fields whose values become labels; `tags`: constant labels `name:value`.
 * - `timestamp_field` / `timestamp_unit`: the sample time (a Time value, or an epoch number in that unit); else the push time.
 */
export const SinkParams = Schema.Struct({
  insert_url: Schema.optionalWith(InsertUrl, { default: () => defaultInsertUrl }),
  format: Schema.optional(Format),
  flush_interval_secs: Schema.optionalWith(NonNegative, { default: () => 30 }),
  replay_max_mb: Schema.optionalWith(Positive, { default: () => 64 }),
  metric: Schema.optionalWith(MetricTemplate, { default: () => "{field}" }),
  fields: Schema.optional(Schema.NonEmptyArray(FieldName)),
  labels: Schema.optionalWith(Schema.Array(FieldName), { default: () => [] }),
  tags: Schema.optionalWith(Schema.Array(Tag), { default: () => [] }),
  timestamp_field: Schema.optional(FieldName),
  timestamp_unit: Schema.optionalWith(Schema.Literal("s", "ms", "us", "ns"), { default: () => "ms" as const }),
  username: Schema.optional(BasicUser),
  password: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  request_timeout_ms: Schema.optionalWith(Millis, { default: () => 30000 }),
  /** TLS of an `https:` `insert_url` (`Tls.ClientTls`). */
  ...Tls.clientFields
}).pipe(
  Schema.filter((p) => {
    const issues: Array<Schema.FilterIssue> = []
    const format = p.format
    const path = pathOf(p.insert_url)
    if (format === "prometheus" && /\/api\/v1\/import\/?$/.test(path)) {
      issues.push({ path: ["format"], message: `"prometheus" does not fit insert_url's path ${path} (the JSON-lines endpoint): use "json" or /api/v1/import/prometheus` })
    }
    if (format === "json" && /\/import\/prometheus\/?$/.test(path)) {
      issues.push({ path: ["format"], message: `"json" does not fit insert_url's path ${path} (the Prometheus text endpoint): use "prometheus" or /api/v1/import` })
    }
    const seen = new Map<string, string>()
    p.labels.forEach((field, i) => {
      const label = MetricName.labelName(field)
      if (label === "__name__") issues.push({ path: ["labels", i], message: "__name__ is the metric name, not a label" })
      const other = seen.get(label)
      if (other !== undefined) issues.push({ path: ["labels", i], message: `fields ${JSON.stringify(other)} and ${JSON.stringify(field)} both become label ${label}` })
      seen.set(label, field)
    })
    if (p.password !== undefined && p.username === undefined) issues.push({ path: ["password"], message: "password needs username (basic auth)" })
    return issues.length === 0 ? true : issues
  }, { description: "a format that fits insert_url, labels with distinct names, a password only with a username" })
)

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The path of a URL that already passed `InsertUrl`. */
const pathOf = (url: string): string => new URL(url).pathname

/** The push format: `params.format`, else `json` when `insert_url` is the JSON-lines endpoint (`/api/v1/import`), else `prometheus`. */
export const formatOf = (params: SinkParams): Format =>
  params.format ?? (/\/api\/v1\/import\/?$/.test(pathOf(params.insert_url)) ? "json" : "prometheus")

/** The sink definition `victoriametrics_sink` (WarpParse's id): the defaults of `SinkParams`, every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "victoriametrics_sink", kind, params: SinkParams })
