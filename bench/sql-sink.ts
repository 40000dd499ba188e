/**
 * memory -> processor -> mysql / postgres: `rows` records (7 columns: a bigint, text, a float, a boolean,
 * a time with a zone, an IP address, an object) written into a real MariaDB or PostgreSQL 15 started for
 * the run (the test suite's servers: no fsync, every commit handed to the kernel). The engine runs the
 * `memory` source through a processor that makes each event's record into the `mysql` / `postgres` sink
 * (`batch = 1000`); the baseline is the client library's own batched loop over the same records: the same
 * records built, hand-converted to rows, 1000 rows per statement (`mysql2`'s `INSERT ... VALUES ?`; for
 * PostgreSQL `COPY ... FROM STDIN`, as the sink does, or with `baseline-insert` one multi-row `INSERT` as a
 * prepared statement, the measurement behind the sink's choice of COPY). Reported: rows/s from the first
 * record built to the last row committed.
 *
 * usage: node --import tsx bench/sql-sink.ts mysql|postgres engine|baseline|baseline-insert [rows]
 */
import { Effect, Layer, Option, type Scope } from "effect"
import * as Builtins from "../src/connectors/builtins.js"
import * as MemoryStoreModule from "../src/connectors/memory/store.js"
import * as Mysql from "../src/connectors/mysql/index.js"
import * as Postgres from "../src/connectors/postgres/index.js"
import * as Copy from "../src/connectors/postgres/copy.js"
import { ConnectorRegistry, DataRecord, Processor, SourceEvent } from "../src/index.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { mariadbServer, postgresServer, type SqlServer } from "../test/connectors/sql/servers.js"
import { report, since } from "./measure.js"

const kind = process.argv[2] === "postgres" ? "postgres" : "mysql"
const impl = process.argv[3] ?? "engine"
const rows = Number(process.argv[4] ?? 200_000)
const batch = 1000
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>
const scenario = `${kind}-sink`

const columns = ["seq", "name", "ratio", "ok", "at", "ip", "attrs"]
const ddl = kind === "mysql"
  ? "CREATE TABLE bench (id BIGINT AUTO_INCREMENT PRIMARY KEY, seq BIGINT, name VARCHAR(100), ratio DOUBLE, ok BOOLEAN, at DATETIME(6), ip VARCHAR(45), attrs TEXT)"
  : "CREATE TABLE bench (id BIGSERIAL PRIMARY KEY, seq BIGINT, name TEXT, ratio DOUBLE PRECISION, ok BOOLEAN, at TIMESTAMP(6), ip TEXT, attrs TEXT)"

const base = Date.UTC(2024, 2, 1, 12, 0, 0)
/** The time of record `i`, as an ISO text in UTC. */
const timeOf = (i: number) => new Date(base + i).toISOString()

/** The record of event `i`: what the processor makes and the baseline builds. */
const recordOf = (i: number): DataRecord.DataRecord =>
  DataRecord.make([
    DataRecord.field("seq", Option.getOrThrow(DataRecord.digit(i))),
    DataRecord.field("name", DataRecord.chars(`event number ${i} from the benchmark, with some text`)),
    DataRecord.field("ratio", DataRecord.float(i / 3)),
    DataRecord.field("ok", DataRecord.bool(i % 2 === 0)),
    DataRecord.field("at", Option.getOrThrow(DataRecord.time(timeOf(i)))),
    DataRecord.field("ip", Option.getOrThrow(DataRecord.ipAddr(`10.0.${i >> 8 & 255}.${i & 255}`))),
    DataRecord.field("attrs", DataRecord.obj({ n: Option.getOrThrow(DataRecord.digit(i)), tag: DataRecord.chars(`t${i % 7}`) }))
  ])

/** The values of a record as a hand-written loop takes them: a bigint, text, numbers, the time in UTC without a zone, JSON. */
const rowOf = (record: DataRecord.DataRecord): Array<string | number | bigint | boolean> => {
  const [seq, name, ratio, ok, at, ip, attrs] = record.fields.map((f) => f.value) as [
    DataRecord.Value.Digit, DataRecord.Value.Chars, DataRecord.Value.Float, DataRecord.Value.Bool, DataRecord.Value.Time, DataRecord.Value.IpAddr, DataRecord.Value.Obj
  ]
  const tag = attrs.value.get("tag") as DataRecord.Value.Chars
  return [seq.value, name.value, ratio.value, ok.value, at.value.replace("T", " ").replace("Z", ""), ip.value, JSON.stringify({ n: Number(seq.value), tag: tag.value })]
}

/** A connection of the client library, and how to write a batch of rows and count the table. */
interface Client {
  /** Runs one statement without parameters. */
  readonly exec: (sql: string) => Promise<void>
  readonly write: (rows: ReadonlyArray<ReadonlyArray<string | number | bigint | boolean>>) => Promise<void>
  readonly count: () => Promise<number>
  readonly close: () => Promise<void>
}

const copyText = (rows: ReadonlyArray<ReadonlyArray<string | number | bigint | boolean>>): Buffer => {
  let text = ""
  for (const row of rows) {
    text += row.map((x) => (typeof x === "boolean" ? (x ? "t" : "f") : String(x).replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")))).join("\t")
    text += "\n"
  }
  return Buffer.from(text)
}

const connect = async (s: SqlServer, insert: boolean): Promise<Client> => {
  if (kind === "mysql") {
    const mysql = await import("mysql2/promise")
    const c = await mysql.createConnection({ host: "127.0.0.1", port: s.port, user: s.username, password: s.password, database: s.database, timezone: "Z" })
    return {
      exec: async (sql) => void (await c.query(sql)),
      write: async (r) => void (await c.query(`INSERT INTO bench (${columns.join(", ")}) VALUES ?`, [r])),
      count: async () => Number(((await c.query("SELECT COUNT(*) AS n FROM bench"))[0] as Array<{ n: number }>)[0]!.n),
      close: () => c.end()
    }
  }
  const pg = await import("pg")
  const c = new pg.default.Client({ host: "127.0.0.1", port: s.port, user: s.username, password: s.password, database: s.database })
  await c.connect()
  return {
    exec: async (sql) => void (await c.query(sql)),
    write: async (r) => {
      if (!insert) return Copy.copyIn(c, `bench (${columns.join(", ")})`, copyText(r))
      let k = 0
      const text = `INSERT INTO bench (${columns.join(", ")}) VALUES ${r.map((row) => `(${row.map(() => `$${++k}`).join(", ")})`).join(", ")}`
      await c.query({ name: `bench_${r.length}`, text, values: r.flat().map((x) => (typeof x === "bigint" ? x.toString() : x)) })
    },
    count: async () => Number((await c.query("SELECT COUNT(*)::int AS n FROM bench")).rows[0].n),
    close: () => c.end()
  }
}

/** A fresh server with the empty table `bench`. */
const setup: Effect.Effect<SqlServer, Error, Scope.Scope> = Effect.gen(function*() {
  const s = yield* (kind === "mysql" ? mariadbServer : postgresServer)
  yield* Effect.promise(async () => {
    const c = await connect(s, false)
    await c.exec(ddl)
    await c.close()
  })
  return s
})

const baseline = (s: SqlServer) =>
  Effect.promise(async () => {
    const c = await connect(s, impl === "baseline-insert")
    const t0 = performance.now()
    for (let i = 0; i < rows; i += batch) {
      const end = Math.min(rows, i + batch)
      const chunk = new Array<ReadonlyArray<string | number | bigint | boolean>>(end - i)
      for (let j = i; j < end; j++) chunk[j - i] = rowOf(recordOf(j))
      await c.write(chunk)
    }
    const seconds = since(t0)
    const n = await c.count()
    await c.close()
    if (n !== rows) throw new Error(`baseline wrote ${n} of ${rows} rows`)
    report({ scenario, impl: "baseline", events: rows, bytes: 0, seconds })
  })

const engine = (s: SqlServer) =>
  Effect.gen(function*() {
    const records = Processor.sync({ name: "rows", kind: "bench-rows" }, (e) => SourceEvent.update(e, { record: recordOf(e.eventId) }))
    const params = { endpoint: s.endpoint, database: s.database, username: s.username, password: s.password, table: "bench", batch, columns }
    const t0 = performance.now()
    const result = yield* Engine.runPipeline({
      workRoot: "/tmp",
      sources: [{ spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { count: rows, payload_bytes: 10, batch_size: 1024 }, tags: [] }, enabled: true, processors: [records] }],
      groups: [{
        name: "bench",
        filter: Option.none(),
        sinks: [{ spec: { group: "bench", name: "db", kind, connectorId: `${kind}_sink`, params, filter: Option.none() }, replicaCnt: 1, rateLimitRps: 0 }]
      }]
    }, engineOptions)
    const seconds = since(t0)
    const c = yield* Effect.promise(() => connect(s, false))
    const n = yield* Effect.promise(() => c.count().finally(() => c.close()))
    if (n !== rows || result.status !== "completed") return yield* Effect.dieMessage(`lost rows: ${n} of ${rows} (${result.status})`)
    report({ scenario, impl: "engine", events: rows, bytes: 0, seconds })
  })

const extra = kind === "mysql" ? Mysql.layer : Postgres.layer
/** The built-in connectors, with the SQL kind unless they hold it already. */
const registry = ConnectorRegistry.fromConnectors(
  ...((Builtins.connectors as ReadonlyArray<unknown>).includes(extra) ? Builtins.connectors : [...Builtins.connectors, extra])
).pipe(Layer.provideMerge(MemoryStoreModule.layer))

Effect.runPromise(Effect.scoped(Effect.flatMap(setup, (s) => (impl === "engine" ? engine(s) : baseline(s)))).pipe(Effect.provide(registry))).catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
