/**
 * A project through the engine into a real clickhouse-server: a file source, a custom processor that
 * makes typed records, the `clickhouse_sink` definition. Every row comes back identical; a missing
 * table and a value its column cannot take are rescued with the server's message, never retried.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Clickhouse from "../../../src/connectors/clickhouse/index.js"
import * as FileConnector from "../../../src/connectors/file/index.js"
import { ConnectorRegistry, Engine, Project } from "../../../src/index.js"
import { tempDir, writeFiles } from "../../project/fixtures.js"
import { type ClickhouseServer, clickhouseServer } from "./server.js"
import { expectedRow, readSettings, tableColumns } from "./typed-records.js"

const serverScope = Effect.runSync(Scope.make())
let running: ClickhouseServer | undefined
beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(clickhouseServer, serverScope), (s) => void (running = s))), 30000)
afterAll(() => Effect.runPromise(Scope.close(serverScope, Exit.void)))

const server = Effect.suspend(() => (running === undefined ? Effect.die(new Error("clickhouse-server is not running")) : Effect.succeed(running)))

// the kinds the project uses, each registered once (not the built-in registry: it may hold them already)
const registry = ConnectorRegistry.fromConnectors(FileConnector.layer, Clickhouse.layer)

const lib = path.join(import.meta.dirname, "..", "..", "..", "src", "index.js")
const typedRecords = path.join(import.meta.dirname, "typed-records.js")

/** The custom processor: line `i` becomes `typedRecord(i)`; a line `bad <i>` becomes record `i` with a text `seq` (the Int64 column cannot take it). */
const typedTs = `
import { DataRecord, Processor, processorError, SourceEvent } from ${JSON.stringify(lib)}
import { typedRecord } from ${JSON.stringify(typedRecords)}

export default Processor.sync({ kind: "typed" }, (event) => {
  const line = String(event.payload)
  const bad = line.startsWith("bad ")
  const i = Number(bad ? line.slice(4) : line)
  if (!Number.isInteger(i)) return processorError("not a number: " + line)
  const record = typedRecord(i)
  if (!bad) return SourceEvent.update(event, { record })
  const fields = record.fields.map((f) => (f.name === "seq" ? DataRecord.field("seq", DataRecord.chars("not a number")) : f))
  return SourceEvent.update(event, { record: DataRecord.make(fields) })
})
`

/** A project writing the lines `lines` through the processor into `table`, `batch` events per sink write. */
const project = (endpoint: string, table: string, lines: ReadonlyArray<string>, batch: number) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "project")
    yield* writeFiles(dir, {
      "data/in/events.log": `${lines.join("\n")}\n`,
      "processors/typed.ts": typedTs,
      "processors/all.toml": "[[processors]]\nname = \"typed\"\nmodule = \"processors/typed.ts\"\n",
      "topology/sources/events.toml": [
        "[[sources]]",
        "key = \"events\"",
        "connect = \"file-src\"",
        "processors = [\"typed\"]",
        "[sources.params]",
        "base = \"data/in\"",
        "file = \"events.log\"",
        "batch_lines = 50",
        ""
      ].join("\n"),
      "topology/sinks/clickhouse.toml": [
        "[sink_group]",
        "name = \"store\"",
        "[[sink_group.sinks]]",
        "name = \"rows\"",
        "connect = \"clickhouse_sink\"",
        "[sink_group.sinks.params]",
        `endpoint = ${JSON.stringify(endpoint)}`,
        `table = ${JSON.stringify(table)}`,
        ""
      ].join("\n"),
      "engine.toml": `[engine]\nbatch_events = ${batch}\nbatch_wait_ms = 0\n`
    })
    return dir
  })

/** Loads and runs the project in `dir`. */
const run = (dir: string) =>
  Effect.flatMap(Project.loadProject(dir), (loaded) => Engine.runPipeline(Project.toPipelineSpec(loaded)))

/** How many doubles lie between `a` and `b` (0 when they are the same double). */
const ulpsApart = (a: number, b: number): number => {
  const bits = (x: number) => {
    const buffer = Buffer.alloc(8)
    buffer.writeDoubleLE(x)
    const n = buffer.readBigInt64LE()
    // doubles of one sign are ordered like their bits; mirror the negative ones below zero
    return n < 0n ? -(n & 0x7fffffffffffffffn) : n
  }
  const d = bits(a) - bits(b)
  return Number(d < 0n ? -d : d)
}

let tables = 0
/** A fresh MergeTree table of the typed columns, ordered by `seq`. */
const freshTable = Effect.flatMap(server, ({ query }) => {
  const table = `typed_${process.pid}_${++tables}`
  return Effect.as(query(`CREATE TABLE default.${table} (${tableColumns}) ENGINE = MergeTree ORDER BY seq`), table)
})

/** A line of the rescue file. */
interface RescueLine {
  readonly group: string
  readonly sink: string
  readonly code: number
  readonly reason: string
  readonly detail: string
  readonly event: { readonly payload: string }
}

/** The rescue file's lines of the sink. */
const rescued = (dir: string): ReadonlyArray<RescueLine> =>
  fs.readFileSync(path.join(dir, "rescue", "store__rows.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as RescueLine)

describe("clickhouse sink through the engine", () => {
  it.scopedLive("a project's typed records land in the table: every row reads back identical, field by field", () =>
    Effect.gen(function*() {
      const { endpoint, rows } = yield* server
      const table = yield* freshTable
      const n = 1500
      const dir = yield* project(endpoint, table, Array.from({ length: n }, (_, i) => String(i)), 400)
      const report = yield* run(dir)
      expect(report.status).toBe("completed")
      expect(report.sinks).toEqual([expect.objectContaining({ name: "rows", events: n, rescued: 0, retries: 0, errors: 0 })])
      expect(report.acked).toBe(n)
      const got = yield* rows(`SELECT * FROM default.${table} ORDER BY seq`, readSettings)
      expect(got).toHaveLength(n)
      for (let i = 0; i < n; i++) {
        const { ratio, ...rest } = expectedRow(i)
        // 18.16 parses text floats with its fast parser: some come back an ulp or two off (see docs/connectors/clickhouse.md)
        expect(ulpsApart(Number(got[i]!["ratio"]), Number(ratio))).toBeLessThanOrEqual(2)
        expect({ ...got[i], ratio }).toEqual({ ...rest, ratio })
      }
    }).pipe(Effect.provide(registry)), 60000)

  it.scopedLive("a missing table: every batch is rescued at once with the server's message (Code 60), none retried", () =>
    Effect.gen(function*() {
      const { endpoint } = yield* server
      const n = 300
      const dir = yield* project(endpoint, "no_such_table", Array.from({ length: n }, (_, i) => String(i)), 100)
      const report = yield* run(dir)
      expect(report.status).toBe("completed")
      expect(report.sinks).toEqual([expect.objectContaining({ events: 0, rescued: n, retries: 0 })])
      expect(report.acked).toBe(n)
      const lines = rescued(dir)
      expect(lines.map((l) => l.event.payload)).toEqual(Array.from({ length: n }, (_, i) => String(i)))
      expect(lines[0]).toMatchObject({ group: "store", sink: "rows", code: 102, reason: "Uvs" })
      expect(lines[0]!.detail).toMatch(/INSERT of \d+ rows into `default`.`no_such_table` at http:\/\/127\.0\.0\.1:\d+ refused \(HTTP 404\): Code: 60: Table default\.no_such_table doesn't exist/)
    }).pipe(Effect.provide(registry)), 60000)

  it.scopedLive("a value its column cannot take: the batch holding it is rescued with the server's parse error; the other batches are written", () =>
    Effect.gen(function*() {
      const { endpoint, rows } = yield* server
      const table = yield* freshTable
      const n = 600
      const lines = Array.from({ length: n }, (_, i) => (i === 250 ? "bad 250" : String(i)))
      const dir = yield* project(endpoint, table, lines, 100)
      const report = yield* run(dir)
      expect(report.status).toBe("completed")
      expect(report.sinks[0]!.retries).toBe(0)
      const gone = rescued(dir)
      const rescuedSeqs = gone.map((l) => Number(l.event.payload.replace("bad ", "")))
      // one sink write (source batches of 50 gathered up to 100 events, consecutive) holding the bad one, and nothing of it written
      expect(rescuedSeqs).toContain(250)
      expect(rescuedSeqs.length).toBeLessThanOrEqual(100)
      expect(rescuedSeqs).toEqual(Array.from({ length: rescuedSeqs.length }, (_, k) => rescuedSeqs[0]! + k))
      expect(gone[0]).toMatchObject({ code: 200, reason: "Uvs" })
      expect(gone[0]!.detail).toContain("Code: 27: Cannot parse input")
      const written = (yield* rows(`SELECT seq FROM default.${table} ORDER BY seq`, readSettings)).map((r) => Number(r["seq"]))
      expect(written).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => !rescuedSeqs.includes(i)))
      expect(report.sinks[0]).toMatchObject({ events: n - rescuedSeqs.length, rescued: rescuedSeqs.length })
    }).pipe(Effect.provide(registry)), 60000)
})
