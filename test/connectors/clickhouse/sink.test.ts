/**
 * The `clickhouse` sink against a real clickhouse-server: what its params do to the rows, how a batch
 * is split and how atomic one INSERT is, and how each failure is classified (retryable or rescued, with
 * the server's message).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Schedule, Scope } from "effect"
import * as net from "node:net"
import * as Clickhouse from "../../../src/connectors/clickhouse/index.js"
import { DataRecord, type ParamMap, SinkFactory } from "../../../src/index.js"
import { freePort } from "../../../src/testkit/ports.js"
import { type ClickhouseServer, clickhouseServer, tight, writer } from "./server.js"

const serverScope = Effect.runSync(Scope.make())
let running: ClickhouseServer | undefined
beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(clickhouseServer, serverScope), (s) => void (running = s))), 30000)
afterAll(() => Effect.runPromise(Scope.close(serverScope, Exit.void)))

const server = Effect.suspend(() => (running === undefined ? Effect.die(new Error("clickhouse-server is not running")) : Effect.succeed(running)))

let tables = 0
/** A fresh MergeTree table with `columns`, ordered by `seq`. */
const freshTable = (columns: string) =>
  Effect.flatMap(server, ({ query }) => {
    const table = `sink_${process.pid}_${++tables}`
    return Effect.as(query(`CREATE TABLE default.${table} (${columns}) ENGINE = MergeTree ORDER BY seq`), table)
  })

/** A sink built from `params` (the endpoint defaults to the test server's) in the current Scope. */
const sinkWith = (params: ParamMap.ParamMap) =>
  Effect.flatMap(server, ({ endpoint }) =>
    Effect.map(
      Clickhouse.ClickhouseSink.factory.build(
        { group: "g", name: "ch", kind: "clickhouse", connectorId: "clickhouse_sink", params: { endpoint, ...params }, filter: Option.none() },
        SinkFactory.buildCtx({ workRoot: "/tmp" })
      ),
      (handle) => handle.sink
    ))

const digit = (n: bigint | number) => Option.getOrThrow(DataRecord.digit(n))

/** A record `{ seq, ...fields }`. */
const rec = (seq: number, fields: ReadonlyArray<DataRecord.DataField> = []) => DataRecord.make([DataRecord.field("seq", digit(seq)), ...fields])

/** The rows of `table` ordered by `seq`, 64-bit integers as text. */
const rowsOf = (table: string, columns = "*") =>
  Effect.flatMap(server, ({ rows }) => rows(`SELECT ${columns} FROM default.${table} ORDER BY seq`, { output_format_json_quote_64bit_integers: 1 }))

describe("clickhouse sink: rows", () => {
  it.scopedLive("Digits at both ends of the 64-bit range are exact; a Null field leaves its column out (NULL when Nullable); the first of a repeated name wins", () =>
    Effect.gen(function*() {
      const table = yield* freshTable("seq Int64, big Int64, d String DEFAULT 'dflt', n Nullable(Int64), name String")
      const sink = yield* sinkWith({ table })
      yield* sink.sinkRecords([
        rec(1, [
          DataRecord.field("big", digit(DataRecord.digitMax)),
          DataRecord.field("d", DataRecord.nil),
          DataRecord.field("n", DataRecord.nil),
          DataRecord.field("name", DataRecord.chars("first")),
          DataRecord.field("name", DataRecord.chars("second"))
        ]),
        rec(2, [DataRecord.field("big", digit(DataRecord.digitMin)), DataRecord.field("d", DataRecord.chars("given")), DataRecord.field("n", digit(-5))])
      ])
      // 18.16 fills a key left out with the type's default, not the DEFAULT expression (`input_format_defaults_for_omitted_fields` came later)
      expect(yield* rowsOf(table)).toEqual([
        { seq: "1", big: "9223372036854775807", d: "", n: null, name: "first" },
        { seq: "2", big: "-9223372036854775808", d: "given", n: "-5", name: "" }
      ])
    }))

  it.scopedLive("columns: only the listed fields are written, column=field renames; a listed field a record lacks leaves the column out", () =>
    Effect.gen(function*() {
      const table = yield* freshTable("seq Int64, msg String, host String DEFAULT 'none', other String")
      const sink = yield* sinkWith({ table, columns: ["seq", "msg=message", "host"], skip_unknown: false })
      yield* sink.sinkRecords([
        rec(1, [DataRecord.field("message", DataRecord.chars("hello")), DataRecord.field("other", DataRecord.chars("not listed")), DataRecord.field("msg", DataRecord.chars("shadowed"))]),
        rec(2, [DataRecord.field("message", DataRecord.chars("bye")), DataRecord.field("host", DataRecord.chars("h2"))])
      ])
      expect(yield* rowsOf(table)).toEqual([
        { seq: "1", msg: "hello", host: "", other: "" },
        { seq: "2", msg: "bye", host: "h2", other: "" }
      ])
    }))

  it.scopedLive("skip_unknown: true drops a field without a column; false refuses the batch with DataError (200) naming the field, not retryable", () =>
    Effect.gen(function*() {
      const table = yield* freshTable("seq Int64")
      const record = rec(1, [DataRecord.field("stray", DataRecord.chars("x"))])
      yield* (yield* sinkWith({ table })).sinkRecords([record])
      const error = yield* Effect.flip((yield* sinkWith({ table, skip_unknown: false })).sinkRecords([rec(2, [DataRecord.field("stray", DataRecord.chars("x"))])]))
      expect([error.code, error.retryable]).toEqual([200, false])
      expect(error.message).toContain("Code: 117: Unknown field found while parsing JSONEachRow format: stray")
      expect(yield* rowsOf(table)).toEqual([{ seq: "1" }])
    }))

  it.scopedLive("date_time_best_effort: ISO 8601 text with an offset goes into a DateTime column; without it the server refuses it (DataError 200)", () =>
    Effect.gen(function*() {
      const table = yield* freshTable("seq Int64, at DateTime")
      const at = DataRecord.field("at", Option.getOrThrow(DataRecord.time("2024-05-06T09:08:09.250+02:00")))
      yield* (yield* sinkWith({ table })).sinkRecords([rec(1, [at])])
      const error = yield* Effect.flip((yield* sinkWith({ table, date_time_best_effort: false })).sinkRecords([rec(2, [at])]))
      expect([error.code, error.retryable]).toEqual([200, false])
      expect(error.message).toContain("Code: 27: Cannot parse input")
      expect(yield* rowsOf(table)).toEqual([{ seq: "1", at: "2024-05-06 07:08:09" }])
    }))

  it.scopedLive("database and table names are quoted: a backtick, a backslash and a space in them", () =>
    Effect.gen(function*() {
      const { query, rows } = yield* server
      yield* query("CREATE DATABASE IF NOT EXISTS `odd db`")
      yield* query("CREATE TABLE `odd db`.`we\\`ird\\\\ t` (seq Int64) ENGINE = MergeTree ORDER BY seq")
      yield* (yield* sinkWith({ database: "odd db", table: "we`ird\\ t" })).sinkRecords([rec(7)])
      expect(yield* rows("SELECT seq FROM `odd db`.`we\\`ird\\\\ t`")).toEqual([{ seq: "7" }])
    }))
})

describe("clickhouse sink: batches", () => {
  it.scopedLive("one INSERT is all or nothing: a batch whose last row the table cannot take leaves no row of it", () =>
    Effect.gen(function*() {
      const table = yield* freshTable("seq Int64, n Int64")
      const sink = yield* sinkWith({ table })
      const good = Array.from({ length: 499 }, (_, i) => rec(i, [DataRecord.field("n", digit(i))]))
      const error = yield* Effect.flip(sink.sinkRecords([...good, rec(499, [DataRecord.field("n", DataRecord.chars("not a number"))])]))
      expect([error.code, error.retryable]).toEqual([200, false])
      expect(error.message).toContain("INSERT of 500 rows into `default`.`" + table + "`")
      expect(yield* rowsOf(table)).toEqual([])
    }))

  it.scopedLive("batch = 4: ten records are three INSERTs in order; the one holding a bad value fails, the one before it is written, the one after it is not sent", () =>
    Effect.gen(function*() {
      const table = yield* freshTable("seq Int64, n Int64")
      const sink = yield* sinkWith({ table, batch: 4 })
      const records = Array.from({ length: 10 }, (_, i) => rec(i, [DataRecord.field("n", i === 5 ? DataRecord.chars("bad") : digit(i))]))
      const error = yield* Effect.flip(sink.sinkRecords(records))
      expect(error.message).toContain("INSERT of 4 rows")
      expect((yield* rowsOf(table, "seq")).map((r) => r["seq"])).toEqual(["0", "1", "2", "3"])
      yield* sink.sinkRecords(records.filter((_, i) => i >= 8))
      expect((yield* rowsOf(table, "seq")).map((r) => r["seq"])).toEqual(["0", "1", "2", "3", "8", "9"])
    }))
})

describe("clickhouse sink: failures", () => {
  it.scopedLive("a missing table is NotFoundError (102), not retryable, with the server's message; a column in `columns` the table lacks too", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip((yield* sinkWith({ table: "nowhere" })).sinkRecords([rec(1)]))
      expect([missing.code, missing.retryable]).toEqual([102, false])
      expect(missing.message).toMatch(/INSERT of 1 rows into `default`.`nowhere` at http:\/\/127\.0\.0\.1:\d+ refused \(HTTP 404\): Code: 60: Table default\.nowhere doesn't exist\.$/)
      const table = yield* freshTable("seq Int64")
      const column = yield* Effect.flip((yield* sinkWith({ table, columns: ["seq", "nope"] })).sinkRecords([rec(1)]))
      expect([column.code, column.retryable]).toEqual([102, false])
      expect(column.message).toContain(`Code: 16: No such column nope in table ${table}`)
    }))

  it.scopedLive("credentials: a user with a password (basic auth, a colon in it) writes; a wrong password is PermissionError (103), not retryable", () =>
    Effect.gen(function*() {
      const table = yield* freshTable("seq Int64")
      yield* (yield* sinkWith({ table, ...writer })).sinkRecords([rec(1)])
      const error = yield* Effect.flip((yield* sinkWith({ table, username: writer.username, password: "wrong" })).sinkRecords([rec(2)]))
      expect([error.code, error.retryable]).toEqual([103, false])
      expect(error.message).toContain("Code: 193: Wrong password for user writer")
      expect(error.message).not.toContain("wrong")
      expect(yield* rowsOf(table)).toEqual([{ seq: "1" }])
    }))

  it.scopedLive("too many simultaneous queries: ResourceError (203), retryable, with the server's message; the retry once the other query ended writes", () =>
    Effect.gen(function*() {
      const { query, rows } = yield* server
      const table = yield* freshTable("seq Int64")
      const sink = yield* sinkWith({ table, ...tight })
      // the user may run one query at a time: hold it with a sleep
      const holder = yield* Effect.fork(query("SELECT sleep(2)", { user: tight }))
      yield* Effect.repeat(rows("SELECT query_id FROM system.processes WHERE user = 'tight'"), {
        until: (running) => running.length > 0,
        schedule: Schedule.spaced("20 millis")
      })
      const error = yield* Effect.flip(sink.sinkRecords([rec(1)]))
      expect([error.code, error.retryable]).toEqual([203, true])
      expect(error.message).toMatch(/Code: 202: Too many simultaneous queries for user tight/)
      yield* Fiber.join(holder)
      yield* sink.sinkRecords([rec(1)])
      expect(yield* rowsOf(table)).toEqual([{ seq: "1" }])
    }), 20000)

  it.scopedLive("a server that is down: NetworkError (202), retryable; once it is back (and after reconnect) the same sink writes again", () =>
    Effect.gen(function*() {
      const { start, stop } = yield* server
      const table = yield* freshTable("seq Int64")
      const sink = yield* sinkWith({ table })
      yield* sink.sinkRecords([rec(1)])
      yield* stop
      const error = yield* Effect.flip(sink.sinkRecords([rec(2)]))
      expect([error.code, error.retryable]).toEqual([202, true])
      expect(error.message).toMatch(/INSERT of 1 rows into `default`.`sink_\d+_\d+` at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED 127\.0\.0\.1:\d+/)
      yield* start
      yield* sink.reconnect
      yield* sink.sinkRecords([rec(2)])
      expect(yield* rowsOf(table)).toEqual([{ seq: "1" }, { seq: "2" }])
    }), 30000)

  it.scopedLive("no answer within timeout_ms: TimeoutError (204), retryable; the request is abandoned", () =>
    Effect.gen(function*() {
      // a server that takes connections, reads what comes and never answers
      const port = yield* freePort
      const sockets = new Set<net.Socket>()
      yield* Effect.acquireRelease(
        Effect.async<net.Server>((resume) => {
          const silent = net.createServer((socket) => {
            sockets.add(socket)
            socket.on("close", () => sockets.delete(socket))
            socket.resume()
          })
          silent.listen(port, "127.0.0.1", () => resume(Effect.succeed(silent)))
        }),
        (silent) => Effect.async<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          silent.close(() => resume(Effect.void))
        })
      )
      const sink = yield* sinkWith({ table: "t", endpoint: `http://127.0.0.1:${port}`, timeout_ms: 200 })
      const error = yield* Effect.flip(sink.sinkRecords([rec(1)]))
      expect([error.code, error.retryable]).toEqual([204, true])
      expect(error.message).toContain("no answer within 200 ms")
      // the abandoned request's connection was closed
      yield* Effect.repeat(Effect.sync(() => sockets.size), { until: (n) => n === 0, schedule: Schedule.spaced("10 millis") })
    }))
})
