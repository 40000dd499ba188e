/**
 * The `postgres` sink: rows into one table through the shared `TableSink` — one `COPY ... FROM STDIN`
 * (text format) per `batch` rows, a write of more rows one transaction.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { ConfigError } from "../../errors/config.js"
import type * as SinkFactory from "../../sink/factory.js"
import * as Tls from "../net/tls.js"
import type * as Database from "../sql/database.js"
import * as Endpoint from "../sql/endpoint.js"
import type * as SqlParam from "../sql/sql-param.js"
import * as TableSink from "../sql/table-sink.js"
import * as PgClient from "./client.js"
import * as Copy from "./copy.js"
import { kind, SinkParams } from "./params.js"

/** PostgreSQL takes a bigint as its decimal text, and NaN and the infinities as their names. */
export const style: SqlParam.Style = {
  digit: (n) => n.toString(),
  nonFinite: (n) => (Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity")
}

/** The kind of a column of data type `type` (`information_schema.columns.data_type`). */
export const columnKind = (type: string): SqlParam.ColumnKind =>
  type === "bytea" ? "binary" : type === "timestamp without time zone" ? "timestamp" : "text"

/** A session on one `pg` client writing into `schema.table`. */
const session = (client: PgClient.Client, schema: string, table: string): Database.Session => {
  const c = client.client
  const qualified = `${PgClient.quote(schema)}.${PgClient.quote(table)}`
  const statements = new WeakMap<Database.Target, string>()
  const copySql = (target: Database.Target): string => {
    let sql = statements.get(target)
    if (sql === undefined) {
      sql = `${qualified} (${target.columns.map(PgClient.quote).join(", ")})`
      statements.set(target, sql)
    }
    return sql
  }
  return {
    run: async (sql) => void (await c.query(sql)),
    insert: (target, rows) => Copy.copyIn(c, copySql(target), Copy.encode(rows, target.kinds)),
    insertTexts: (target, lines) => Copy.copyIn(c, copySql(target), Buffer.from(lines.join(""), "utf8")),
    columns: async () => {
      const result = await c.query<{ readonly name: string; readonly type: string }>(
        "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
        [schema, table]
      )
      return result.rows.length === 0 ? undefined : new Map(result.rows.map((r) => [r.name, r.type]))
    },
    end: () => c.end(),
    destroy: () => {
      // ends the socket now; the client fails what is still queued on it with "Connection terminated"
      c.connection.stream.destroy()
    },
    broken: client.broken
  }
}

/** The `Database` of `params`, writing into `table` (with TLS when `params.tls` says); a bad `tls` file is a `ConfigError`. */
export const database = (params: SinkParams, table: string): Effect.Effect<Database.Database, ConfigError> =>
  Effect.map(Tls.clientOptions(params.tls, "postgres sink"), (tls): Database.Database => {
    const endpoint = Endpoint.parse(params.endpoint)
    return {
      kind,
      target: `${params.endpoint}/${params.database} table ${PgClient.quote(params.schema)}.${PgClient.quote(table)}`,
      connect: () =>
        PgClient.connect({ ...endpoint, database: params.database, username: params.username, password: params.password, tls }).then((c) =>
          session(c, params.schema, table)
        ),
      classify: PgClient.classify,
      columnKind,
      maxRows: params.batch,
      rowText: Copy.line,
      authHint: PgClient.authHint
    }
  })

/** The `postgres` sink factory: connects at build (an unreachable server fails the build with 202; a missing table or column with 102). */
export const factory: SinkFactory.SinkFactory = TableSink.factory({ kind, params: SinkParams, database, style })
