/**
 * records -> clickhouse: a real clickhouse-server (the Debian package, started per run on free
 * loopback ports), `events` records of 9 fields (Digit, Time, Chars, Float, Bool, IpAddr, Array) made
 * by one generator as they are needed (as a parser makes them: a heap of every record at once would
 * measure the garbage collector), each event carrying a 200-byte payload. The engine runs a source of
 * those events into the `clickhouse` sink (one `INSERT ... FORMAT JSONEachRow` per write of up to
 * 8192 events); the baseline is the plain batched loop a client would write with `node:http` over the
 * same records: 8192 rows per INSERT, each row's JSON written by hand, one keep-alive connection.
 * Reported: rows/s from the start of the run to the last INSERT answered (every row is counted in the
 * table afterwards).
 *
 * usage: node --import tsx bench/clickhouse-sink.ts engine|baseline [events]
 */
import * as http from "node:http"
import { Effect, Option } from "effect"
import * as Clickhouse from "../src/connectors/clickhouse/index.js"
import { ConnectorRegistry, DataRecord, DataSource, SourceError, SourceEvent, SourceFactory } from "../src/index.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { clickhouseServer } from "../test/connectors/clickhouse/server.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
const count = Number(process.argv[3] ?? 300_000)
/** Rows per INSERT: the engine's default `batchEvents`. */
const batch = 8192
/** Events per source batch. */
const sourceBatch = 1024
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>
const table = "bench"
const columns = "seq Int64, at DateTime, host String, level String, msg String, latency Float64, ok UInt8, ip String, tags Array(String)"

const digit = (n: number) => Option.getOrThrow(DataRecord.digit(n))
const base = Date.UTC(2024, 0, 1)
const levels = ["info", "warn", "error", "debug"]

/** Record `i`. */
const recordOf = (i: number): DataRecord.DataRecord =>
  DataRecord.make([
    DataRecord.field("seq", digit(i)),
    DataRecord.field("at", Option.getOrThrow(DataRecord.time(new Date(base + i * 10).toISOString()))),
    DataRecord.field("host", DataRecord.chars(`web-${i % 16}`)),
    DataRecord.field("level", DataRecord.chars(levels[i % 4]!)),
    DataRecord.field("msg", DataRecord.chars(`GET /api/v1/items/${i} HTTP/1.1 200 in ${i % 997} ms user agent "bench/1.0"`)),
    DataRecord.field("latency", DataRecord.float((i % 997) / 7)),
    DataRecord.field("ok", DataRecord.bool(i % 10 !== 0)),
    DataRecord.field("ip", Option.getOrThrow(DataRecord.ipAddr(`10.0.${(i >> 8) & 255}.${i & 255}`))),
    DataRecord.field("tags", DataRecord.array([DataRecord.chars("bench"), DataRecord.chars(`shard-${i % 4}`)]))
  ])

/** Every event's payload (the line its record was parsed from, as far as the sink cares). */
const payload = "x".repeat(200)
const payloadBytes = count * payload.length

/** The INSERT's URL as the sink builds it (same settings for both). */
const insertUrl = (endpoint: string): string =>
  `${endpoint}/?query=${encodeURIComponent(`INSERT INTO \`default\`.\`${table}\` FORMAT JSONEachRow`)}&input_format_skip_unknown_fields=1&date_time_input_format=best_effort`

/** A column value's JSON, written by hand as a client would. */
const json = (value: DataRecord.Value): string => {
  switch (value._tag) {
    case "Digit":
      return value.value.toString()
    case "Float":
      return String(value.value)
    case "Bool":
      return value.value ? "true" : "false"
    case "Array":
      return `[${value.value.map(json).join(",")}]`
    case "Null":
      return "null"
    case "Obj":
      return JSON.stringify(DataRecord.toJsonText(DataRecord.make(Array.from(value.value, ([k, v]) => DataRecord.field(k, v)))))
    default:
      return JSON.stringify(value.value)
  }
}

/** POSTs `body` to `url` over `agent`; fails unless the answer is 200. */
const post = (agent: http.Agent, url: string, body: Buffer): Promise<void> =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { "Content-Length": String(body.length) } }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))))
    })
    req.on("error", reject)
    req.end(body)
  })

const baseline = (endpoint: string) =>
  Effect.promise(async () => {
    const agent = new http.Agent({ keepAlive: true })
    const url = insertUrl(endpoint)
    const t0 = performance.now()
    for (let at = 0; at < count; at += batch) {
      const lines: Array<string> = []
      for (let i = at; i < Math.min(count, at + batch); i++) {
        const record = recordOf(i)
        lines.push(`{${record.fields.map((f) => `${JSON.stringify(f.name)}:${json(f.value)}`).join(",")}}`)
      }
      await post(agent, url, Buffer.from(`${lines.join("\n")}\n`))
    }
    const seconds = since(t0)
    agent.destroy()
    return seconds
  })

/** A source of the records, `sourceBatch` per receive, then EOF. */
const recordSource = SourceFactory.make({
  kind: "records",
  build: (spec) =>
    Effect.sync(() => {
      let next = 0
      const source = DataSource.make({
        identifier: "records",
        receive: Effect.suspend(() => {
          if (next >= count) return Effect.fail(SourceError.eof())
          const end = Math.min(count, next + sourceBatch)
          const events = new Array<SourceEvent.SourceEvent>(end - next)
          for (let i = next; i < end; i++) {
            events[i - next] = new SourceEvent.SourceEvent({ eventId: i, srcKey: spec.name, payload, record: recordOf(i), ackToken: i })
          }
          next = end
          return Effect.succeed(events)
        })
      })
      return SourceFactory.withSources(SourceFactory.svcIns, [SourceFactory.handle(source, SourceFactory.meta(spec.name, "records"))])
    })
})

const engine = (endpoint: string) =>
  Effect.gen(function*() {
    const t0 = performance.now()
    const result = yield* Engine.runPipeline({
      workRoot: "/tmp",
      sources: [{ spec: { name: "records", kind: "records", connectorId: "records", params: {}, tags: [] }, enabled: true }],
      groups: [{
        name: "bench",
        filter: Option.none(),
        sinks: [{
          spec: { group: "bench", name: "ch", kind: "clickhouse", connectorId: "clickhouse_sink", params: { endpoint, table, batch }, filter: Option.none() },
          replicaCnt: 1,
          rateLimitRps: 0
        }]
      }]
    }, engineOptions)
    const seconds = since(t0)
    if (result.status !== "completed") return yield* Effect.dieMessage(`the run ${result.status}: ${result.errors.join("; ")}`)
    return seconds
  }).pipe(Effect.provide(ConnectorRegistry.fromConnectors(ConnectorRegistry.register({ kind: "records", source: recordSource }), Clickhouse.layer)))

const program = Effect.scoped(Effect.gen(function*() {
  const server = yield* clickhouseServer
  yield* server.query(`CREATE TABLE default.${table} (${columns}) ENGINE = MergeTree ORDER BY seq`)
  const seconds = yield* (impl === "baseline" ? baseline(server.endpoint) : engine(server.endpoint))
  const [row] = yield* server.rows(`SELECT count() AS c FROM default.${table}`)
  const rows = Number(row?.["c"])
  if (rows !== count) return yield* Effect.dieMessage(`${impl}: ${rows} of ${count} rows in the table`)
  report({ scenario: "clickhouse-sink", impl: impl === "baseline" ? "baseline" : "engine", events: rows, bytes: payloadBytes, seconds })
}))

Effect.runPromise(program).catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
