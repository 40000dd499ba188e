import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Option, Scope } from "effect"
import * as Clickhouse from "../../../src/connectors/clickhouse/index.js"
import { RawData } from "../../../src/index.js"
import { sinkConformance } from "../../../src/testkit/vitest.js"
import { type ClickhouseServer, clickhouseServer } from "./server.js"

// one clickhouse-server for the whole file; every case writes to its own table
const serverScope = Effect.runSync(Scope.make())
let running: ClickhouseServer | undefined
beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(clickhouseServer, serverScope), (s) => void (running = s))), 30000)
afterAll(() => Effect.runPromise(Scope.close(serverScope, Exit.void)))

const server = Effect.suspend(() => (running === undefined ? Effect.die(new Error("clickhouse-server is not running")) : Effect.succeed(running)))

let tables = 0

/**
 * A fresh `Log` table (it keeps rows in insertion order): raw payloads land in `payload`, the suite's
 * records (fields `seq`, `msg`) in `seq` and `msg`; the columns a row does not have stay NULL.
 */
const freshTable = Effect.flatMap(server, ({ query }) => {
  const table = `conf_${process.pid}_${++tables}`
  return Effect.as(query(`CREATE TABLE default.${table} (payload Nullable(String), seq Nullable(String), msg Nullable(String)) ENGINE = Log`), table)
})

/**
 * Every row of `table` in insertion order: a raw payload as its bytes (text when they are UTF-8), a
 * record as the JSON text the suite expects (`DataRecord.toJsonText` of its two text fields).
 */
const readTable = (table: string) =>
  Effect.flatMap(server, ({ rows }) =>
    Effect.map(rows(`SELECT hex(payload) AS p, seq, msg FROM default.${table}`, { max_threads: 1 }), (all) =>
      all.map((row): RawData.RawData =>
        typeof row["p"] === "string"
          ? RawData.fromBytesPreferText(new Uint8Array(Buffer.from(row["p"], "hex")))
          : JSON.stringify({ seq: row["seq"], msg: row["msg"] })
      )))

sinkConformance("clickhouse", {
  factory: Clickhouse.ClickhouseSink.factory,
  spec: Effect.gen(function*() {
    const { endpoint, query, start, stop } = yield* server
    const table = yield* freshTable
    return {
      spec: { group: "g", name: "out", kind: "clickhouse", connectorId: "clickhouse_sink", params: { endpoint, table }, filter: Option.none() },
      read: () => readTable(table),
      breakTarget: [
        // the INSERT is refused: Code 60, table doesn't exist (not retryable)
        { name: "its table dropped", run: () => query(`DROP TABLE default.${table}`) },
        // the connection is refused (retryable); the server comes back for the next cases
        { name: "the server killed", run: () => Effect.zipRight(stop, Effect.addFinalizer(() => Effect.orDie(start))) }
      ]
    }
  }),
  // the invalid-spec case builds without the setup, yet asks for a reader: it reads nothing
  read: () => Effect.succeed([]),
  invalid: [
    { spec: { group: "g", name: "out", kind: "clickhouse", connectorId: "clickhouse_sink", params: {}, filter: Option.none() }, code: 300, mentions: "params.table" },
    {
      spec: { group: "g", name: "out", kind: "clickhouse", connectorId: "clickhouse_sink", params: { table: "t", endpoint: "http://u:p@127.0.0.1:8123" }, filter: Option.none() },
      code: 300,
      mentions: "params.endpoint"
    },
    {
      spec: { group: "g", name: "out", kind: "clickhouse", connectorId: "clickhouse_sink", params: { table: "t", columns: ["a", "a=b"] }, filter: Option.none() },
      code: 300,
      mentions: "params.columns"
    }
  ]
})
