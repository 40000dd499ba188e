/**
 * Parameters, definitions and URL adapter of the `mysql` connector (MySQL and MariaDB), following
 * WarpParse's `mysql_sink` (`endpoint`, `database`, `table`, `username`, `password`, `batch`, `columns`)
 * and its MySQL source.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import type * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Millis, Positive } from "../../config/param-types.js"
import * as SecretParam from "../../config/secret-param.js"
import * as Tls from "../net/tls.js"
import { Columns, Identifier } from "../sql/columns.js"
import * as Endpoint from "../sql/endpoint.js"

/** The connector kind. */
export const kind = "mysql"

/** Connection params shared by the source and the sink. */
const connection = {
  /** `host:port` of the server. */
  endpoint: Schema.optionalWith(Endpoint.Endpoint, { default: () => "127.0.0.1:3306" }),
  database: Identifier,
  username: Schema.optionalWith(Schema.NonEmptyString, { default: () => "root" }),
  /** The user's password; `wpc` prints it as `***`. */
  password: Schema.optional(SecretParam.secret(Schema.String)),
  /** Connect with TLS (`Tls.ClientTls`; `mysql2`'s `ssl`; `server_name` is not supported: the endpoint's host is checked). */
  ...Tls.clientFields
}

/**
 * Sink params: rows into `table` (default: the sink's name), one per event, with `columns` taken from
 * the record's fields; at most `batch` rows per `INSERT` statement (a larger write is several statements
 * in one transaction).
 */
export const SinkParams = Schema.Struct({
  ...connection,
  table: Schema.optional(Identifier),
  batch: Schema.optionalWith(Positive, { default: () => 1000 }),
  columns: Columns
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/**
 * Source params: the rows of `table` in the order of `key` (default: its one-column primary key), `batch`
 * rows per query, the `columns` given (default: all) as a JSON object per row; at the end it ends, or with
 * `follow` polls every `poll_ms` for new rows; with `checkpoint`, the last acked key is kept under the work root.
 */
export const SourceParams = Schema.Struct({
  ...connection,
  table: Identifier,
  key: Schema.optional(Identifier),
  columns: Schema.optional(Schema.NonEmptyArray(Identifier)),
  batch: Schema.optionalWith(Positive, { default: () => 1000 }),
  follow: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  poll_ms: Schema.optionalWith(Millis, { default: () => 1000 }),
  checkpoint: Schema.optionalWith(Schema.Boolean, { default: () => true })
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/** The source definition `mysql_src`: the defaults of `SourceParams` (`database` and `table` have none), every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "mysql_src", kind, params: SourceParams })

/** The sink definition `mysql_sink`: the defaults of `SinkParams` (`database` and `columns` have none), every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "mysql_sink", kind, params: SinkParams })

/** `mysql://host:3306/db?table=t&batch=500`: the path is the database; the query may set these. */
const queryKeys: ConnectorKindAdapter.QueryKeys = new Map([
  ["table", "string"],
  ["batch", "number"],
  ["key", "string"],
  ["follow", "boolean"],
  ["poll_ms", "number"],
  ["checkpoint", "boolean"]
])

/** `mysql://host:3306/db?table=t` (or `mariadb://`) gives `{ endpoint: "host:3306", database: "db", table: "t" }`; credentials are params, never in the URL. */
export const adapter = Endpoint.adapter({
  kind,
  schemes: ["mysql", "mariadb"],
  defaultPort: 3306,
  defaults: ParamSchema.defaults(SinkParams),
  queryKeys
})
