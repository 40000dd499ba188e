/**
 * records -> victoriametrics: `count` web-log records (host, path and status labels; bytes and
 * response-time values; a time field), made by one function on both sides, pushed to a real victoria-metrics
 * (the Debian package, a fresh data dir per run) as Prometheus text. The engine runs a `memory` source
 * whose events a processor gives their record, then the `victoriametrics` sink (8192 events per write);
 * the baseline is the loop a user would write over the same records with plain `node:http`: write each
 * record's two sample lines, POST 8192 records per request on a keep-alive connection, wait for each
 * answer. Both push the same samples (checked: the server holds 2 × count of them afterwards).
 *
 * usage: node --import tsx bench/victoriametrics.ts engine|baseline [count]
 */
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import * as Builtins from "../src/connectors/builtins.js"
import * as Vm from "../src/connectors/victoriametrics/index.js"
import { ConnectorRegistry, DataRecord, MemoryStore, Processor, SourceEvent } from "../src/index.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { type VmServer, vmServer } from "../test/connectors/victoriametrics/server.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
/** Engine options to try, as JSON (e.g. `ENGINE_OPTIONS='{"batchEvents":4096}'`); the defaults otherwise. */
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>
/** Sink params to try, as JSON (e.g. `VM_SINK_PARAMS='{"flush_interval_secs":0}'`). */
const sinkParams = JSON.parse(process.env["VM_SINK_PARAMS"] ?? "{}") as Record<string, unknown>
const count = Number(process.argv[3] ?? 300_000)
const batch = 8192
const t0 = Date.UTC(2025, 0, 1)

/** An integer value (every one here is a safe integer). */
const digit = (n: number): DataRecord.Value => Option.getOrThrow(DataRecord.digit(n))

const hosts = Array.from({ length: 10 }, (_, i) => DataRecord.chars(`web-${i}`))
const paths = Array.from({ length: 5 }, (_, i) => DataRecord.chars(`/api/v1/items/${i}`))

/** Record `i` of the input, made by the same function on both sides, as each needs it (a heap of 300k records would make both GC-bound). */
const recordOf = (i: number): DataRecord.DataRecord =>
  DataRecord.make([
    DataRecord.field("host", hosts[i % 10]!),
    DataRecord.field("path", paths[i % 5]!),
    DataRecord.field("status", digit(200 + (i % 3) * 100)),
    DataRecord.field("bytes", digit(100 + (i % 5000))),
    DataRecord.field("rt", DataRecord.float((i % 1000) / 16)),
    DataRecord.field("time", digit(t0 + i))
  ])

/** The payload bytes of each event the memory source yields (the processor then gives it its record): about a record's JSON. */
const payloadBytes = 100
const bytes = count * payloadBytes

/** Fails unless the server holds `2 * count` samples of the run. */
const check = (server: VmServer) =>
  Effect.flatMap(server.samples("{__name__=~\"web_bytes|web_rt\"}", 2 * count), (got) =>
    got.length === 2 * count ? Effect.void : Effect.fail(new Error(`${impl}: the server holds ${got.length} samples, not ${2 * count}`)))

/** The text of a field of a record made above (every one is a Chars, Digit or Float). */
const text = (v: DataRecord.Value): string =>
  v._tag === "Chars" ? v.value : v._tag === "Digit" ? v.value.toString() : v._tag === "Float" ? String(v.value) : ""

/** The hand-written loop: two Prometheus lines per record, POST 8192 records at a time. */
const baseline = (server: VmServer) =>
  Effect.promise(async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const url = new URL(`${server.url}/api/v1/import/prometheus`)
    const post = (body: Buffer) =>
      new Promise<void>((resolve, reject) => {
        const req = http.request(url, { method: "POST", agent, headers: { "content-length": body.byteLength } }, (res) => {
          res.resume()
          res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`answered ${res.statusCode}`))))
        })
        req.on("error", reject)
        req.end(body)
      })
    const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
    const start = performance.now()
    for (let i = 0; i < count; i += batch) {
      const out: Array<string> = []
      for (let j = i; j < Math.min(count, i + batch); j++) {
        const [host, path, status, bytes, rt, time] = recordOf(j).fields.map((f) => text(f.value))
        const labels = `{host="${esc(host!)}",path="${esc(path!)}",status="${status}"}`
        out.push(`web_bytes${labels} ${bytes} ${time}`, `web_rt${labels} ${rt} ${time}`)
      }
      await post(Buffer.from(`${out.join("\n")}\n`))
    }
    const seconds = since(start)
    agent.destroy()
    return seconds
  })

/** The engine: memory source -> a processor giving each event its record -> victoriametrics sink. */
const engine = (server: VmServer) =>
  Effect.gen(function*() {
    const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-bench-vm-"))
    const withRecord = Processor.sync({ name: "records", kind: "records" }, (event) => SourceEvent.update(event, { record: recordOf(event.eventId) }))
    const start = performance.now()
    const result = yield* Engine.runPipeline({
      workRoot,
      sources: [{
        spec: { name: "in", kind: "memory", connectorId: "memory-src", params: { count, payload_bytes: payloadBytes, batch_size: 1024 }, tags: [] },
        enabled: true,
        processors: [withRecord]
      }],
      groups: [{
        name: "metrics",
        filter: Option.none(),
        sinks: [{
          spec: {
            group: "metrics",
            name: "vm",
            kind: Vm.kind,
            connectorId: "victoriametrics_sink",
            params: {
              insert_url: `${server.url}/api/v1/import/prometheus`,
              metric: "web_{field}",
              labels: ["host", "path", "status"],
              timestamp_field: "time",
              ...sinkParams
            },
            filter: Option.none()
          },
          replicaCnt: 1,
          rateLimitRps: 0
        }]
      }]
    }, { batchEvents: batch, ...engineOptions }).pipe(
      Effect.provide(ConnectorRegistry.fromConnectors(...Builtins.connectors, Vm.layer).pipe(Layer.provideMerge(MemoryStore.layer)))
    )
    const seconds = since(start)
    fs.rmSync(workRoot, { recursive: true, force: true })
    if (result.status !== "completed" || result.sinks[0]!.events !== count) {
      return yield* Effect.fail(new Error(`engine: ${result.status}, ${result.sinks[0]?.events} events written`))
    }
    return seconds
  })

Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const server = yield* vmServer
  const seconds = yield* (impl === "baseline" ? baseline(server) : engine(server))
  yield* check(server)
  report({ scenario: "victoriametrics", impl: impl === "baseline" ? "baseline" : "engine", events: count, bytes, seconds })
}))).catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
