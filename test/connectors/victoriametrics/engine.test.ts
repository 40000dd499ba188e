/**
 * The `victoriametrics` sink under the engine, on a real victoria-metrics: a project (file source, a
 * custom processor making records, the sink through its `victoriametrics_sink` definition) whose every
 * sample is read back identical; and the server killed with SIGKILL mid-run and restarted: nothing lost.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Layer, Option } from "effect"
import * as Builtins from "../../../src/connectors/builtins.js"
import * as Vm from "../../../src/connectors/victoriametrics/index.js"
import { ConnectorRegistry, DataRecord, Engine, MemoryStore, type Pipeline, Processor, processorError, Project, SourceEvent } from "../../../src/index.js"
import { type Exported, vmServer } from "./server.js"

const lib = path.join(import.meta.dirname, "..", "..", "..", "src", "index.js")

/** Every built-in connector and the `victoriametrics` kind. */
const registry = ConnectorRegistry.fromConnectors(...Builtins.connectors, Vm.layer).pipe(Layer.provideMerge(MemoryStore.layer))

/** A fresh directory, removed with its content when the Scope closes. */
const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), prefix))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

/** Writes `files` (relative path to text) under `dir`. */
const writeFiles = (dir: string, files: Readonly<Record<string, string>>) =>
  Effect.sync(() => {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
      fs.writeFileSync(path.join(dir, rel), text)
    }
  })

/** A custom processor turning each JSON line into a record. */
const recordsTs = `
import { DataRecord, Processor, processorError, SourceEvent } from ${JSON.stringify(lib)}

export default Processor.sync({ kind: "records" }, (event) => {
  const parsed = DataRecord.fromJson(JSON.parse(String(event.payload)))
  return parsed._tag === "Left" ? processorError(parsed.left.message) : SourceEvent.update(event, { record: parsed.right })
})
`

const t0 = Date.UTC(2025, 0, 1)

/** Web log events: host, path and status as labels, bytes and response time as values, an ISO time. */
const events = Array.from({ length: 3000 }, (_, i) => ({
  host: `web-${i % 4}`,
  path: ["/", "/api/v1/items?id=\"7\"", "/ünï/cödé", "/a\\b"][i % 4],
  status: 200 + (i % 3) * 100,
  bytes: 100 + i,
  rt: i / 16,
  msg: `request ${i}`,
  time: new Date(t0 + i * 1000).toISOString()
}))

/** The samples the events must come back as: two per event, sorted as `samples` sorts them. */
const expected = (tags: Readonly<Record<string, string>>): ReadonlyArray<Exported> =>
  events.flatMap((e, i) => {
    const labels = Object.fromEntries(Object.entries({ ...tags, host: e.host, path: e.path!, status: String(e.status) }).sort(([a], [b]) => (a < b ? -1 : 1)))
    return [
      { name: "web_bytes", labels, value: e.bytes, timestamp: t0 + i * 1000 },
      { name: "web_rt", labels, value: e.rt, timestamp: t0 + i * 1000 }
    ]
  })

describe("victoriametrics sink under the engine", () => {
  it.scopedLive("a project: file source -> records -> victoriametrics_sink: every sample back identical (names, labels, values, times)", () =>
    Effect.gen(function*() {
      const server = yield* vmServer
      const dir = yield* tempDir("wpc-vm-project-")
      yield* writeFiles(dir, {
        "data/web.ndjson": events.map((e) => JSON.stringify(e)).join("\n") + "\n",
        "processors/records.toml": "[[processors]]\nname = \"records\"\nmodule = \"processors/records.ts\"\n",
        "processors/records.ts": recordsTs,
        "topology/sources/file.toml":
          `[[sources]]\nkey = "in"\nconnect = "file-src"\nprocessors = ["records"]\ntags = []\nparams = { base = ${JSON.stringify(path.join(dir, "data"))}, file = "web.ndjson", batch_lines = 500 }\n`,
        "topology/sinks/business.d/vm.toml": [
          "[sink_group]",
          "name = \"metrics\"",
          "",
          "[[sink_group.sinks]]",
          "name = \"vm\"",
          "connect = \"victoriametrics_sink\"",
          "[sink_group.sinks.params]",
          `insert_url = "${server.url}/api/v1/import/prometheus"`,
          "metric = \"web_{field}\"",
          "labels = [\"host\", \"path\", \"status\"]",
          "timestamp_field = \"time\"",
          "tags = [\"env:test\", \"run:project\"]",
          ""
        ].join("\n")
      })
      const project = yield* Project.loadProject(dir)
      const report = yield* Engine.runPipeline(Project.toPipelineSpec(project))
      expect(report.status).toBe("completed")
      expect(report.sinks).toEqual([expect.objectContaining({ group: "metrics", name: "vm", events: events.length, rescued: 0 })])
      const got = yield* server.samples("{run=\"project\"}", 2 * events.length)
      expect(got).toEqual(expected({ env: "test", run: "project" }))
    }).pipe(Effect.provide(registry)), 60_000)

  it.scopedLive("victoria-metrics killed (SIGKILL) mid-run and restarted: every sample there; duplicates only of what the sink replayed or the engine retried, counted", () =>
    Effect.gen(function*() {
      const server = yield* vmServer
      const workRoot = yield* tempDir("wpc-vm-kill-")
      const records = Processor.sync({ name: "records", kind: "records" }, (event) => {
        const parsed = DataRecord.fromJson(JSON.parse(String(event.payload)))
        return parsed._tag === "Left" ? processorError(parsed.left.message) : SourceEvent.update(event, { record: parsed.right })
      })
      const batchEvents = 100
      const spec: Pipeline.PipelineSpec = {
        workRoot,
        sources: [{
          spec: { name: "in", kind: "memory", connectorId: "memory-src", params: { events: events.map((e) => JSON.stringify(e)), batch_size: 100 }, tags: [] },
          enabled: true,
          processors: [records]
        }],
        groups: [{
          name: "metrics",
          filter: Option.none(),
          sinks: [{
            spec: {
              group: "metrics",
              name: "vm-kill",
              kind: Vm.kind,
              connectorId: "victoriametrics_sink",
              params: {
                insert_url: `${server.url}/api/v1/import`,
                metric: "web_{field}",
                labels: ["host", "path", "status"],
                timestamp_field: "time",
                tags: ["run:kill"],
                request_timeout_ms: 2000
              },
              filter: Option.none()
            },
            replicaCnt: 1,
            // about 2 s for the 3000 events: the kill lands mid-run
            rateLimitRps: 1500
          }]
        }]
      }
      const ready = yield* Deferred.make<Engine.Engine>()
      const run = yield* Effect.forkScoped(Engine.runPipeline(
        spec,
        { batchEvents, retryBaseDelay: Duration.millis(20), retryMaxDelay: Duration.millis(200), maxRetries: 1000 },
        (e) => Deferred.succeed(ready, e)
      ))
      const engine = yield* Deferred.await(ready)
      while ((yield* engine.progress).written < 1000) yield* Effect.sleep(Duration.millis(10))
      yield* server.stop
      const atKill = (yield* engine.progress).written
      yield* Effect.sleep(Duration.millis(300))
      yield* server.start
      const report = yield* Fiber.join(run)

      expect(report.status).toBe("completed")
      expect(atKill).toBeLessThan(events.length)
      const [sink] = report.sinks
      expect(sink).toMatchObject({ events: events.length, rescued: 0 })
      expect(sink!.retries).toBeGreaterThanOrEqual(1)
      const want = expected({ run: "kill" })
      const got = yield* server.samples("{run=\"kill\"}", want.length)
      const key = (s: Exported) => JSON.stringify([s.name, s.labels, s.value, s.timestamp])
      // every sample is there; each extra one is an exact copy of one of them
      expect([...new Set(got.map(key))].sort()).toEqual(want.map(key).sort())
      const duplicates = got.length - want.length
      const { replayed } = yield* Vm.VictoriaMetricsMetrics.forSink("metrics", "vm-kill").counts
      expect(replayed).toBeGreaterThan(0)
      // copies come from the replay (samples the server had kept after all) or from the batch in flight at the kill, sent again by the engine
      expect(duplicates).toBeLessThanOrEqual(replayed + batchEvents * 2)
    }).pipe(Effect.provide(registry)), 60_000)
})
