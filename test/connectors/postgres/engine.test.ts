/**
 * The `postgres` sink through the engine, into a real PostgreSQL 15: a project (file source, a TypeScript
 * processor making records) whose every row reads back identical; a server killed (SIGKILL) mid-run and
 * restarted loses nothing (duplicates counted: at most one write's worth); a constraint violation goes
 * to the rescue file with the server's message.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Postgres from "../../../src/connectors/postgres/index.js"
import { ConnectorRegistry, DataRecord, Engine, Processor, Project, SourceEvent } from "../../../src/index.js"
import { makeLab, pipeline, removeScratch, scratch, seqSource, snk, src } from "../../runtime/fixtures.js"
import { registryWith, writeProject } from "../sql/project.js"
import * as Rows from "../sql/records.js"
import { eventually, postgresServer, type SqlServer, withPg } from "../sql/servers.js"
import { freshTable, sharedServer } from "../sql/shared-server.js"

afterAll(removeScratch)

const server = sharedServer(postgresServer)

const sql = (s: SqlServer, text: string, values: Array<unknown> = []) =>
  withPg(s, async (c) => (await c.query(text, values)).rows as Array<Record<string, unknown>>)

/** A registry with the test's `seq` source and the `postgres` connector. */
const seqAndPostgres = ConnectorRegistry.fromConnectors(ConnectorRegistry.register({ kind: "seq", source: seqSource(makeLab()) }), Postgres.layer)

/** `"s-<i>"` to the record `{ seq: i }`; `bad(i)` rows get the seq of the row before them (a duplicate). */
const seqRecords = (bad: (i: number) => boolean = () => false) =>
  Processor.sync({ name: "rows", kind: "seq-rows" }, (e) => {
    const i = Number(String(e.payload).split("-")[1])
    const seq = bad(i) ? i - 1 : i
    return SourceEvent.update(e, { record: DataRecord.make([DataRecord.field("seq", Option.getOrThrow(DataRecord.digit(seq)))]) })
  })

const connection = (s: SqlServer) => ({ endpoint: s.endpoint, database: s.database, username: s.username, password: s.password })

describe("postgres sink through the engine", () => {
  it.live("a project (file source, TypeScript processor) writes every record into PostgreSQL; every row reads back identical", () =>
    Effect.gen(function*() {
      const s = yield* server
      const table = yield* freshTable("e2e")
      yield* sql(s, `CREATE TABLE "${table}" (id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL, name VARCHAR(300), big BIGINT, ratio DOUBLE PRECISION,
        ok BOOLEAN, at TIMESTAMP(6), ip INET, attrs JSONB, list TEXT, wp_event_id BIGINT, payload TEXT)`)
      const n = 500
      const dir = path.join(scratch("wpc-pg-e2e-"), "project")
      writeProject(dir, {
        lines: Array.from({ length: n }, (_, i) => Rows.line(i)),
        sinkDefinition: [
          "[[connectors]]", "id = \"warehouse\"", "type = \"postgres\"", "allow_override = [\"table\"]", "",
          "[connectors.params]",
          ...Object.entries(connection(s)).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
          `table = ${JSON.stringify(table)}`, "batch = 64", `columns = ${JSON.stringify(Rows.columns)}`, ""
        ].join("\n")
      })
      const project = yield* Project.loadProject(dir)
      const report = yield* Engine.runPipeline(Project.toPipelineSpec(project))
      expect(report.status).toBe("completed")
      expect(report.sinks[0]).toMatchObject({ events: n, rescued: 0 })
      const rows = yield* sql(s, `SELECT seq::text, name, big::text, ratio, ok, at::text, host(ip) AS ip, attrs, list, wp_event_id::text, payload FROM "${table}" ORDER BY "${table}".seq`)
      expect(rows).toHaveLength(n)
      const eventIds = new Set<string>()
      rows.forEach((row, i) => {
        expect(row).toMatchObject({
          seq: String(i), name: Rows.textOf(i), big: Rows.big(i).toString(), ratio: i / 7, ok: i % 3 === 0, at: Rows.utcText(i),
          ip: `10.${i >> 16 & 255}.${i >> 8 & 255}.${i & 255}`
        })
        expect(row["attrs"]).toEqual({ n: i, tag: `t${i % 5}`, nested: { ok: true } })
        expect(JSON.parse(String(row["list"]))).toEqual([i / 2, "x", null])
        // no `payload` field in the record: the column holds the record as JSON text
        expect(row["payload"]).toBe(DataRecord.toJsonText(Rows.recordOf(i, Rows.textOf(i), Number(row["wp_event_id"]))))
        eventIds.add(String(row["wp_event_id"]))
      })
      expect(eventIds.size).toBe(n)
    }).pipe(Effect.provide(registryWith(Postgres.layer))), 60_000)

  it.live("the server killed (SIGKILL) mid-run and restarted: the engine retries, nothing is lost, duplicates at most one write's worth", () =>
    Effect.gen(function*() {
      const s = yield* server
      const table = yield* freshTable("kill")
      yield* sql(s, `CREATE TABLE "${table}" (id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL)`)
      const count = 3000
      const writeAtMost = 200
      const spec = pipeline(scratch("wpc-pg-kill-"), [{ ...src("s", { count, batch: 20, delay_ms: 5 }), processors: [seqRecords()] }], [
        { name: "db", sinks: [snk("db", "rows", { ...connection(s), table, batch: 50, columns: ["seq"] }, { kind: "postgres" })] }
      ])
      const run = yield* Effect.fork(Engine.runPipeline(spec, {
        batchEvents: writeAtMost,
        retryBaseDelay: Duration.millis(50),
        retryMaxDelay: Duration.millis(400),
        maxRetries: 100
      }))
      const rowsNow = Effect.map(sql(s, `SELECT COUNT(*) AS n FROM "${table}"`), (r) => Number(r[0]!["n"]))
      yield* eventually("a third of the rows are in", Effect.map(rowsNow, (n) => n >= count / 3))
      yield* s.stop
      yield* Effect.sleep("500 millis")
      yield* s.start
      const report = yield* Fiber.join(run)
      expect(report.status).toBe("completed")
      expect(report.sinks[0]!.rescued).toBe(0)
      const [counts] = yield* sql(s, `SELECT COUNT(DISTINCT seq) AS distinct_seq, COUNT(*) AS total FROM "${table}"`)
      const distinct = Number(counts!["distinct_seq"])
      const total = Number(counts!["total"])
      // nothing lost
      expect(distinct).toBe(count)
      // a write whose COMMIT reached the server but whose answer was lost is written again: at most one write
      const duplicates = total - count
      expect(duplicates).toBeGreaterThanOrEqual(0)
      expect(duplicates).toBeLessThanOrEqual(writeAtMost)
    }).pipe(Effect.provide(seqAndPostgres)), 90_000)

  it.live("a constraint violation is not retried: its write goes to the rescue file with the server's message; everything else is in the table", () =>
    Effect.gen(function*() {
      const s = yield* server
      const table = yield* freshTable("rescue")
      yield* sql(s, `CREATE TABLE "${table}" (id BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL UNIQUE)`)
      const count = 200
      const bad = (i: number) => i % 50 === 7
      const spec = pipeline(scratch("wpc-pg-rescue-"), [{ ...src("s", { count, batch: 5, delay_ms: 2 }), processors: [seqRecords(bad)] }], [
        { name: "db", sinks: [snk("db", "rows", { ...connection(s), table, columns: ["seq"] }, { kind: "postgres" })] }
      ])
      const report = yield* Engine.runPipeline(spec, { retryBaseDelay: Duration.millis(10), retryMaxDelay: Duration.millis(50) })
      expect(report.status).toBe("completed")
      const rescued = fs.readFileSync(path.join(spec.workRoot, "rescue", "db__rows.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      expect(report.sinks[0]!.rescued).toBe(rescued.length)
      const rescuedIds = rescued.map((r) => Number(String(r.event.payload).split("-")[1]))
      for (const i of Array.from({ length: count }, (_, i) => i).filter(bad)) expect(rescuedIds).toContain(i)
      for (const r of rescued) {
        expect(r).toMatchObject({ group: "db", sink: "rows", code: 200, reason: "Uvs" })
        expect(r.detail).toContain("duplicate key value violates unique constraint")
      }
      // every event is in the table or in the rescue file, never both, never neither
      const stored = (yield* sql(s, `SELECT seq FROM "${table}"`)).map((r) => Number(r["seq"]))
      const written = new Set(stored)
      const inTable = Array.from({ length: count }, (_, i) => i).filter((i) => !bad(i) && written.has(i))
      expect(inTable.length + rescued.length).toBe(count)
      expect(rescuedIds.filter((i) => !bad(i) && inTable.includes(i))).toEqual([])
    }).pipe(Effect.provide(seqAndPostgres)), 60_000)
})
