/**
 * Parameters, definition and URL adapter of the `postgres` sink: the same as the `mysql` sink's
 * (`endpoint`, `database`, `table`, `username`, `password`, `batch`, `columns`), plus the table's `schema`.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Positive } from "../../config/param-types.js"
import * as SecretParam from "../../config/secret-param.js"
import * as Tls from "../net/tls.js"
import { Columns, Identifier } from "../sql/columns.js"
import * as Endpoint from "../sql/endpoint.js"

/** The connector kind. */
export const kind = "postgres"

/**
 * Sink params: rows into `schema.table` (default: `public` and the sink's name), one per event, with
 * `columns` taken from the record's fields; at most `batch` rows per `COPY` (a larger write is several
 * in one transaction).
 */
export const SinkParams = Schema.Struct({
  /** `host:port` of the server. */
  endpoint: Schema.optionalWith(Endpoint.Endpoint, { default: () => "127.0.0.1:5432" }),
  database: Identifier,
  username: Schema.optionalWith(Schema.NonEmptyString, { default: () => "postgres" }),
  /** The role's password; `wpc` prints it as `***`. */
  password: Schema.optional(SecretParam.secret(Schema.String)),
  schema: Schema.optionalWith(Identifier, { default: () => "public" }),
  table: Schema.optional(Identifier),
  batch: Schema.optionalWith(Positive, { default: () => 1000 }),
  columns: Columns,
  /** Connect with TLS (`Tls.ClientTls`; `pg`'s `ssl`). */
  ...Tls.clientFields
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The sink definition `postgres_sink`: the defaults of `SinkParams` (`database` and `columns` have none), every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "postgres_sink", kind, params: SinkParams })

/** `postgres://host:5432/db?table=t&schema=s&batch=500` (or `postgresql://`): the path is the database. */
export const adapter = Endpoint.adapter({
  kind,
  schemes: ["postgres", "postgresql"],
  defaultPort: 5432,
  defaults: ParamSchema.defaults(SinkParams),
  queryKeys: new Map([["table", "string"], ["schema", "string"], ["batch", "number"]])
})
