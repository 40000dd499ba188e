/**
 * The `mysql` sink: rows into one table through the shared `TableSink` — one `INSERT ... VALUES
 * (...), (...)` per `batch` rows (values escaped by the client, `BIGINT`s written as exact digits), a
 * write of more rows one transaction.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { ConfigError } from "../../errors/config.js"
import type * as SinkFactory from "../../sink/factory.js"
import type * as Database from "../sql/database.js"
import * as Endpoint from "../sql/endpoint.js"
import type * as SqlParam from "../sql/sql-param.js"
import * as TableSink from "../sql/table-sink.js"
import * as MysqlLiteral from "./literal.js"
import * as MysqlClient from "./client.js"
import { kind, SinkParams } from "./params.js"

/** Data types whose columns hold bytes. */
const binaryTypes = new Set(["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"])

/** Data types whose columns hold a date or time without a zone. */
const timestampTypes = new Set(["datetime", "timestamp", "date"])

/** MySQL takes a bigint as its digits; it stores no NaN or infinity. */
export const style: SqlParam.Style = {
  digit: (n) => n,
  nonFinite: () => undefined
}

/** The kind of a column of data type `type` (`information_schema.COLUMNS.DATA_TYPE`). */
export const columnKind = (type: string): SqlParam.ColumnKind => {
  const t = type.toLowerCase()
  return binaryTypes.has(t) ? "binary" : timestampTypes.has(t) ? "timestamp" : "text"
}

/** A session on one `mysql2` connection writing into `table`. */
const session = (client: MysqlClient.Client, table: string): Database.Session => {
  const { connection } = client
  const statements = new WeakMap<Database.Target, string>()
  const insertSql = (target: Database.Target): string => {
    let sql = statements.get(target)
    if (sql === undefined) {
      sql = `INSERT INTO ${MysqlClient.quote(table)} (${target.columns.map(MysqlClient.quote).join(", ")}) VALUES ?`
      statements.set(target, sql)
    }
    return sql
  }
  return {
    run: async (sql) => void (await connection.query({ sql, timeout: MysqlClient.statementTimeoutMs })),
    insert: async (target, rows) => void (await connection.query({ sql: insertSql(target), values: [rows], timeout: MysqlClient.statementTimeoutMs })),
    insertTexts: async (target, tuples) =>
      void (await connection.query({ sql: `${insertSql(target).slice(0, -1)}${tuples.join(",")}`, timeout: MysqlClient.statementTimeoutMs })),
    columns: async () => {
      const [rows] = await connection.query({
        sql: "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
        values: [table],
        timeout: MysqlClient.statementTimeoutMs
      })
      const list = rows as unknown as ReadonlyArray<{ readonly name: string; readonly type: string }>
      return list.length === 0 ? undefined : new Map(list.map((r) => [r.name, String(r.type)]))
    },
    end: () => connection.end(),
    destroy: () => connection.destroy(),
    broken: client.broken
  }
}

/** The `Database` of `params`, writing into `table` (with TLS when `params.tls` says); a bad `tls` file is a `ConfigError`. */
export const database = (params: SinkParams, table: string): Effect.Effect<Database.Database, ConfigError> =>
  Effect.map(MysqlClient.tlsOptions(params.tls, "mysql sink"), (tls): Database.Database => {
    const endpoint = Endpoint.parse(params.endpoint)
    return {
      kind,
      target: `${params.endpoint}/${params.database} table ${MysqlClient.quote(table)}`,
      connect: () =>
        MysqlClient.connect({ ...endpoint, database: params.database, username: params.username, password: params.password, tls }).then((c) =>
          session(c, table)
        ),
      classify: MysqlClient.classify,
      columnKind,
      maxRows: params.batch,
      rowText: MysqlLiteral.tuple,
      authHint: MysqlClient.authHint
    }
  })

/** The `mysql` sink factory: connects at build (an unreachable server fails the build with 202; a missing table or column with 102). */
export const factory: SinkFactory.SinkFactory = TableSink.factory({ kind, params: SinkParams, database, style })
