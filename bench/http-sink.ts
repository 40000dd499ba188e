/**
 * memory records -> http: `count` records (about 200 bytes of JSON each) POSTed as NDJSON, 8192 per
 * request, to a receiver in its own process (a plain node server counting lines, answering 200). The
 * engine runs a `memory` source whose events a processor gives prebuilt records, into the `http` sink
 * (`format = "ndjson"`); the baseline is a plain node loop POSTing the same events as a hand-written
 * client would, `JSON.stringify` of plain objects (the same bytes), in requests of the same size over one
 * keep-alive connection, one at a time. Measured from the start to the last answer; the receiver's line
 * count is checked against `count`, and its byte count is what both report.
 *
 * usage: node --import tsx bench/http-sink.ts engine|baseline [count]
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as http from "node:http"
import { Effect, Either, Option } from "effect"
import * as Builtins from "../src/connectors/builtins.js"
import { DataRecord, Processor, SourceEvent } from "../src/index.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
const count = Number(process.argv[3] ?? 500_000)
/** Records per request: the engine's default `batchEvents`. */
const batch = 8192
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>

/** The receiver: counts the LFs and bytes of every body, answers 200; `GET /count` tells both totals. */
const receiverSource = `
const http = require("node:http")
let lines = 0
let bytes = 0
const server = http.createServer((req, res) => {
  if (req.method === "GET") return res.end(JSON.stringify({ lines, bytes }))
  req.on("data", (c) => { bytes += c.length; for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++ })
  req.on("end", () => res.writeHead(200).end())
})
server.keepAliveTimeout = 60000
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"))
`

/** Starts the receiver; its port once it listens. */
const startReceiver = (): Promise<{ readonly child: ChildProcess; readonly port: number }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", receiverSource], { stdio: ["ignore", "pipe", "inherit"] })
    child.stdout!.once("data", (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }))
  })

/** The receiver's line and byte counts. */
const counted = (port: number): Promise<{ readonly lines: number; readonly bytes: number }> =>
  new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: "/count", agent: false }, (res) => {
      let text = ""
      res.on("data", (c: Buffer) => (text += c.toString()))
      res.on("end", () => resolve(JSON.parse(text) as { readonly lines: number; readonly bytes: number }))
    }).on("error", reject)
  })

/** 1024 distinct objects, the records are made from. */
const objects = Array.from({ length: 1024 }, (_, i) => ({
  time: `2026-11-28T12:00:${String(i % 60).padStart(2, "0")}.000Z`,
  host: `web-${i % 8}`,
  method: "GET",
  path: `/api/v1/items/${i}`,
  status: 200 + (i % 5),
  bytes: i * 37,
  latency_ms: (i % 100) / 4,
  ok: i % 2 === 0,
  agent: "Mozilla/5.0 (X11; Linux x86_64)"
}))

/** The same objects as records. */
const records = objects.map((o) => Either.getOrThrow(DataRecord.fromJson(o)))

const baseline = async (port: number) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const t0 = performance.now()
  for (let i = 0; i < count; i += batch) {
    const end = Math.min(count, i + batch)
    const lines = new Array<string>(end - i)
    for (let j = i; j < end; j++) lines[j - i] = JSON.stringify(objects[j % objects.length])
    const body = Buffer.from(`${lines.join("\n")}\n`, "utf8")
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "/ingest", method: "POST", agent, headers: { "content-type": "application/x-ndjson", "content-length": body.length } }, (res) => {
        res.resume()
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`answered ${res.statusCode}`))))
      })
      req.on("error", reject)
      req.end(body)
    })
  }
  const seconds = since(t0)
  agent.destroy()
  return seconds
}

/** Gives each event the record of its number: what a parser would have made of it. */
const attach = Processor.sync({ kind: "attach" }, (event) => SourceEvent.update(event, { record: records[event.eventId % records.length]! }))

const engine = (port: number) =>
  Effect.gen(function*() {
    const t0 = performance.now()
    const result = yield* Engine.runPipeline({
      workRoot: "/tmp",
      sources: [{ spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { count, payload_bytes: 16, batch_size: 1024 }, tags: [] }, enabled: true, processors: [attach] }],
      groups: [{
        name: "bench",
        filter: Option.none(),
        sinks: [{ spec: { group: "bench", name: "http", kind: "http", connectorId: "http-sink", params: { port, format: "ndjson" }, filter: Option.none() }, replicaCnt: 1, rateLimitRps: 0 }]
      }]
    }, engineOptions)
    const seconds = since(t0)
    if (result.status !== "completed" || result.sinks[0]!.events !== count) return yield* Effect.dieMessage(`http-sink: ${result.status}`)
    return seconds
  }).pipe(Effect.provide(Builtins.layer))

const { child, port } = await startReceiver()
try {
  const seconds = impl === "baseline" ? await baseline(port) : await Effect.runPromise(engine(port))
  const got = await counted(port)
  if (got.lines !== count) throw new Error(`http-sink ${impl}: the receiver counted ${got.lines} of ${count} records`)
  report({ scenario: "http-sink", impl: impl === "baseline" ? "baseline" : "engine", events: count, bytes: got.bytes, seconds })
} finally {
  child.kill()
}
