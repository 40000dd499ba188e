/**
 * The `clickhouse` sink: inserts rows into `database`.`table` over ClickHouse's HTTP interface, one
 * `INSERT INTO ... FORMAT JSONEachRow` per `batch` rows (see `Row` for how records and payloads become
 * rows). One INSERT is one block for the server, written as one part: all of its rows or none (as long
 * as they fit in `max_insert_block_size` rows and, for a partitioned table, one partition). A write
 * counts as done only once the server answered 200. Failures are classified by `HttpClient` (no answer)
 * and `ServerReply` (a refusal): retryable when the server is down, slow or overloaded, not when it
 * refuses the data or the target. Nothing is sent at build: a missing table shows at the first write.
 *
 * @since 0.2.0
 */
import { Effect, type Scope } from "effect"
import type { SinkError } from "../../errors/sink.js"
import * as RecordEncoder from "../../sink/record-encoder.js"
import { countFrames } from "../tcp/framing.js"
import * as AsyncSink from "../../sink/sink.js"
import * as SinkFactory from "../../sink/factory.js"
import type { ConfigError } from "../../errors/config.js"
import * as Tls from "../net/tls.js"
import * as HttpClient from "./http-client.js"
import { columnOf, kind, SinkParams } from "./params.js"
import * as Row from "./row.js"
import * as ServerReply from "./server-reply.js"

/** A ClickHouse identifier quoted with backticks (`` ` `` and `\` escaped). */
export const quoteIdentifier = (name: string): string => `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``

/** The URL that runs `statement` with the settings of `params`: the endpoint with `query` and the settings as its query string. */
export const insertUrl = (params: SinkParams, statement: string): URL => {
  const url = new URL(params.endpoint)
  url.searchParams.set("query", statement)
  url.searchParams.set("input_format_skip_unknown_fields", params.skip_unknown ? "1" : "0")
  if (params.date_time_best_effort) url.searchParams.set("date_time_input_format", "best_effort")
  return url
}

/** The INSERT of records: into the table, naming the `columns` when they are given. */
export const recordStatement = (params: SinkParams): string => {
  const target = `${quoteIdentifier(params.database)}.${quoteIdentifier(params.table)}`
  const columns = params.columns === undefined ? "" : ` (${params.columns.map((c) => quoteIdentifier(columnOf(c))).join(", ")})`
  return `INSERT INTO ${target}${columns} FORMAT JSONEachRow`
}

/** The INSERT of raw payloads: into the table, by the payload column's key alone. */
export const payloadStatement = (params: SinkParams): string =>
  `INSERT INTO ${quoteIdentifier(params.database)}.${quoteIdentifier(params.table)} FORMAT JSONEachRow`

const newline = Buffer.from("\n")

/** A body of text rows: each row and a newline. */
const textBody = (rows: ReadonlyArray<string>): Buffer => Buffer.from(`${rows.join("\n")}\n`, "utf8")

/** A body of bytes rows: each row and a newline (also chunks of rows joined by newlines). */
const bytesBody = (rows: ReadonlyArray<Uint8Array>): Buffer => Buffer.concat(rows.flatMap((row) => [row, newline]))

/** The rows of encoded records, a text of several rows joined by newlines split (a JSON row holds none). */
const rowsOf = (texts: ReadonlyArray<string>): ReadonlyArray<string> =>
  texts.some((t) => t.includes("\n")) ? texts.flatMap((t) => t.split("\n")) : texts

/** How many rows chunks of rows joined by newlines hold. */
const rowCount = (chunks: ReadonlyArray<Uint8Array>): number =>
  chunks.reduce((n, chunk) => (chunk.length === 0 ? n : n + countFrames(chunk, "line") + 1), 0)

/**
 * A ClickHouse sink in the current Scope (its connections are closed when the Scope closes). Nothing is
 * sent at build. `tls` (an `https:` endpoint only) sets the CA, client certificate and name check;
 * a bad `tls` file, or `tls` with `http:`, is a `ConfigError`.
 */
export const make = (params: SinkParams): Effect.Effect<AsyncSink.AsyncSink, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const credentials = Buffer.from(`${params.username}:${params.password ?? ""}`, "utf8").toString("base64")
    const endpoint = new URL(params.endpoint)
    const client = yield* HttpClient.make({
      endpoint,
      headers: { "Content-Type": "application/x-ndjson", Authorization: `Basic ${credentials}` },
      timeoutMs: params.timeout_ms,
      tls: yield* Tls.httpsOptions(params.tls, endpoint, "endpoint", "clickhouse sink")
    })
    const target = `${quoteIdentifier(params.database)}.${quoteIdentifier(params.table)} at ${new URL(params.endpoint).origin}`
    const recordUrl = insertUrl(params, recordStatement(params))
    const payloadUrl = insertUrl(params, payloadStatement(params))
    const recordRow = params.columns === undefined ? Row.recordWriter() : Row.mappedRow(params.columns)
    const recordInto = params.columns === undefined ? Row.recordInto() : Row.mappedInto(params.columns)
    const textRow = Row.textRow(params.payload_column)
    const bytesRow = Row.bytesRow(params.payload_column)

    /** One INSERT of `count` rows in `body`: done once the server answered 200. */
    const insert = (url: URL, count: number, body: Buffer): Effect.Effect<void, SinkError> => {
      const what = `clickhouse sink: INSERT of ${count} rows into ${target}`
      return Effect.flatMap(client.post(url, body, what), (reply) =>
        reply.status === 200 ? Effect.void : Effect.fail(ServerReply.refusal(what, reply)))
    }

    /** Inserts `rows` in order, `batch` per INSERT; an INSERT that fails stops the rest (the ones before it are written). */
    const insertAll = <A>(url: URL, rows: ReadonlyArray<A>, body: (rows: ReadonlyArray<A>) => Buffer): Effect.Effect<void, SinkError> => {
      if (rows.length === 0) return Effect.void
      if (rows.length <= params.batch) return insert(url, rows.length, body(rows))
      const chunks: Array<ReadonlyArray<A>> = []
      for (let at = 0; at < rows.length; at += params.batch) chunks.push(rows.slice(at, at + params.batch))
      return Effect.forEach(chunks, (chunk) => insert(url, chunk.length, body(chunk)), { discard: true })
    }

    const sinkStrBatch = (texts: ReadonlyArray<string>) => Effect.suspend(() => insertAll(payloadUrl, texts.map(textRow), textBody))
    const sinkBytesBatch = (data: ReadonlyArray<Uint8Array>) => Effect.suspend(() => insertAll(payloadUrl, data.map(bytesRow), bytesBody))

    return AsyncSink.make({
      identifier: `clickhouse:${params.database}.${params.table}`,
      sinkStr: (text) => sinkStrBatch([text]),
      sinkStrBatch,
      sinkBytes: (data) => sinkBytesBatch([data]),
      sinkBytesBatch,
      // a record is its JSONEachRow row, written into bytes when the engine routes it; rows are joined by
      // newlines, and counted by them where `batch` must split a write
      recordEncoder: RecordEncoder.make(recordRow, (rows) => Effect.suspend(() => insertAll(recordUrl, rowsOf(rows), textBody)), {
        separator: "\n",
        bytes: {
          encodeInto: (record, out) => {
            recordInto(record, out)
            return true
          },
          write: (chunks) =>
            Effect.suspend(() => {
              const rows = rowCount(chunks)
              if (rows === 0) return Effect.void
              return rows <= params.batch
                ? insert(recordUrl, rows, bytesBody(chunks))
                : insertAll(recordUrl, rowsOf(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString("utf8"))), textBody)
            })
        }
      }),
      // the next request opens a fresh connection: one kept alive across a server restart is dead
      reconnect: client.dropIdle,
      stop: client.dropIdle
    })
  })

/** The `clickhouse` sink factory: nothing is sent at build (an unreachable server or a missing table shows at the first write). */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params) => Effect.map(make(params), SinkFactory.handle)
})
