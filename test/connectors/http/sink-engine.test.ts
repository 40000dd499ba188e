/**
 * The `http` sink under the engine: a project relaying records from one http source to the http source of
 * a second pipeline; a receiver killed mid-run and restarted; a receiver that misbehaves on purpose.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Option } from "effect"
import * as Builtins from "../../../src/connectors/builtins.js"
import { Engine, type Pipeline, Project } from "../../../src/index.js"
import { freePort } from "../../../src/testkit/ports.js"
import { serverProcess } from "../server-process.js"
import { request } from "./client.js"
import { linesOf, scriptedServer } from "./receiver.js"

const lib = path.join(import.meta.dirname, "..", "..", "..", "src", "index.js")

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

/** Waits on real time until `done` holds, for at most `seconds`. */
const eventually = (done: () => boolean, what: string, seconds = 20) =>
  Effect.gen(function*() {
    const deadline = Date.now() + seconds * 1000
    while (!done()) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`not within ${seconds} s: ${what}`))
      yield* Effect.sleep(Duration.millis(10))
    }
  })

/** The lines of a file (none while it does not exist). */
const fileLines = (file: string): ReadonlyArray<string> => (fs.existsSync(file) ? linesOf(fs.readFileSync(file, "utf8")) : [])

/** Runs `spec` in a fiber of the current Scope; the engine once it started. */
const start = (spec: Pipeline.PipelineSpec, options: Pipeline.EngineOptionsInput = {}) =>
  Effect.gen(function*() {
    const ready = yield* Deferred.make<Engine.Engine>()
    const run = yield* Effect.forkScoped(Engine.runPipeline(spec, options, (e) => Deferred.succeed(ready, e)))
    return { engine: yield* Deferred.await(ready), run }
  })

/** One http source `in` on `port` (memory intake) into one sink `out` of group `g`. */
const relay = (workRoot: string, port: number, sinkParams: Record<string, string | number | boolean>, kind = "http"): Pipeline.PipelineSpec => ({
  workRoot,
  sources: [{ spec: { name: "in", kind: "http", connectorId: "http-src", params: { port }, tags: [] }, enabled: true }],
  groups: [{
    name: "g",
    filter: Option.none(),
    sinks: [{ spec: { group: "g", name: "out", kind, connectorId: `${kind}-sink`, params: sinkParams, filter: Option.none() }, replicaCnt: 1, rateLimitRps: 0 }]
  }]
})

/** POSTs `lines` to the http source on `port` as one text body; fails unless it answers 202. */
const post = (port: number, lines: ReadonlyArray<string>) =>
  Effect.flatMap(request(port, { body: `${lines.join("\n")}\n` }), (answer) =>
    answer.status === 202 ? Effect.void : Effect.fail(new Error(`POST answered ${answer.status}: ${answer.text}`)))

/** A custom processor turning each JSON line into a record. */
const recordsTs = `
import { DataRecord, Processor, processorError, SourceEvent } from ${JSON.stringify(lib)}

export default Processor.sync({ kind: "records" }, (event) => {
  const parsed = DataRecord.fromJson(JSON.parse(String(event.payload)))
  return parsed._tag === "Left" ? processorError(parsed.left.message) : SourceEvent.update(event, { record: parsed.right })
})
`

/** Objects of every JSON shape a record holds. */
const objects = Array.from({ length: 3000 }, (_, i) => ({
  seq: i,
  msg: `event ${i}: "quoted", tab\\t, ünïcödé ✓, newline\n inside`,
  ratio: i / 8,
  ok: i % 2 === 0,
  none: null,
  tags: ["a", `t${i % 7}`],
  nested: { host: `web-${i % 4}`, code: 200 + (i % 5) }
}))

describe("http sink under the engine", () => {
  it.scopedLive("a project: http source -> records -> http sink (url through the adapter) -> the http source of a second pipeline: every record back identical", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir("wpc-http-project-")
      const outRoot = yield* tempDir("wpc-http-second-")
      const inPort = yield* freePort
      const relayPort = yield* freePort
      yield* writeFiles(dir, {
        "connectors/source.d/http.toml": `[[connectors]]\nid = "ingest"\ntype = "http"\n\n[connectors.params]\nurl = "http://127.0.0.1:${inPort}/ingest"\nformat = "ndjson"\n`,
        "connectors/sink.d/http.toml": `[[connectors]]\nid = "forward"\ntype = "http"\nallow_override = ["gzip"]\n\n[connectors.params]\nurl = "http://127.0.0.1:${relayPort}/relay"\nformat = "ndjson"\n`,
        "processors/records.toml": "[[processors]]\nname = \"records\"\nmodule = \"processors/records.ts\"\n",
        "processors/records.ts": recordsTs,
        "topology/sources/http.toml": "[[sources]]\nkey = \"in\"\nconnect = \"ingest\"\nprocessors = [\"records\"]\ntags = []\n",
        "topology/sinks/business.d/fwd.toml": "[sink_group]\nname = \"fwd\"\n\n[[sink_group.sinks]]\nname = \"http\"\nconnect = \"forward\"\n"
      })
      const project = yield* Project.loadProject(dir)
      expect(project.sinkGroups[0]!.sinks[0]!.spec.params).toMatchObject({ addr: "127.0.0.1", port: relayPort, path: "/relay", format: "ndjson" })

      // the second pipeline: an http source on relayPort into a file, one raw line per event
      const second = yield* start({
        workRoot: outRoot,
        sources: [{ spec: { name: "relay", kind: "http", connectorId: "http-src", params: { port: relayPort, path: "/relay", format: "ndjson" }, tags: [] }, enabled: true }],
        groups: [{
          name: "store",
          filter: Option.none(),
          sinks: [{ spec: { group: "store", name: "file", kind: "file", connectorId: "file-sink", params: { base: outRoot, file: "out.ndjson", fmt: "raw" }, filter: Option.none() }, replicaCnt: 1, rateLimitRps: 0 }]
        }]
      })
      const first = yield* start(Project.toPipelineSpec(project))
      for (let i = 0; i < objects.length; i += 500) yield* post(inPort, objects.slice(i, i + 500).map((o) => JSON.stringify(o)))
      const out = path.join(outRoot, "out.ndjson")
      yield* eventually(() => fileLines(out).length >= objects.length, `${objects.length} lines in ${out}`)

      yield* first.engine.stop
      const report = yield* Fiber.join(first.run)
      yield* second.engine.stop
      yield* Fiber.join(second.run)
      expect(fileLines(out).map((l) => JSON.parse(l))).toEqual(objects)
      expect(report.status).toBe("stopped")
      expect(report.sinks).toEqual([expect.objectContaining({ group: "fwd", name: "http", events: objects.length, rescued: 0, retries: 0 })])
      expect(report.processors).toEqual([expect.objectContaining({ name: "records", in: objects.length, out: objects.length, failed: 0 })])
    }).pipe(Effect.provide(Builtins.layer)), 60000)

  it.scopedLive("the receiver killed mid-run and restarted: nothing lost, the retries counted, duplicates only of a batch in flight at the kill", () =>
    Effect.gen(function*() {
      const workRoot = yield* tempDir("wpc-http-kill-")
      // a node server in its own process: appends each body to a file, fdatasyncs, then answers 200
      const recorder = yield* serverProcess("http-recorder", process.execPath, (port, dir) => [
        "-e",
        `const http = require("node:http"), fs = require("node:fs")
const fd = fs.openSync(process.argv[2], "a")
http.createServer((req, res) => {
  const chunks = []
  req.on("data", (c) => chunks.push(c))
  req.on("end", () => { fs.writeSync(fd, Buffer.concat(chunks)); fs.fdatasyncSync(fd); res.writeHead(200).end() })
}).listen(Number(process.argv[1]), "127.0.0.1")`,
        String(port),
        path.join(dir, "received.log")
      ])
      const received = path.join(recorder.dir, "received.log")
      const inPort = yield* freePort
      const { engine, run } = yield* start(
        relay(workRoot, inPort, { port: recorder.port, request_timeout_ms: 2000 }),
        { retryBaseDelay: Duration.millis(20), retryMaxDelay: Duration.millis(200), maxRetries: 1000 }
      )
      const all = Array.from({ length: 4000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`)
      const feeder = yield* Effect.fork(Effect.forEach(
        Array.from({ length: 80 }, (_, r) => all.slice(r * 50, r * 50 + 50)),
        (lines) => Effect.zipRight(post(inPort, lines), Effect.sleep(Duration.millis(5))),
        { discard: true }
      ))
      yield* eventually(() => fileLines(received).length >= 1000, "the first 1000 lines")
      yield* recorder.stop // SIGKILL mid-run
      const atKill = fileLines(received).length
      yield* Effect.sleep(Duration.millis(300))
      yield* recorder.start
      yield* Fiber.join(feeder)
      yield* eventually(() => new Set(fileLines(received)).size === all.length, "every line after the restart")
      yield* engine.stop
      const report = yield* Fiber.join(run)

      const got = fileLines(received)
      expect(new Set(got)).toEqual(new Set(all))
      const duplicates = got.length - all.length
      // a batch whose body was synced when the kill came, before its answer, is sent again: its lines come twice
      const seen = new Set<string>()
      const twice = got.filter((l) => (seen.has(l) ? true : (seen.add(l), false)))
      expect(twice).toHaveLength(duplicates)
      expect(twice).toEqual(all.slice(all.indexOf(twice[0]!), all.indexOf(twice[0]!) + duplicates))
      expect(atKill).toBeLessThan(all.length) // the kill came mid-run
      const [sink] = report.sinks
      expect(sink).toMatchObject({ events: all.length, rescued: 0 })
      expect(sink!.retries).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.provide(Builtins.layer)), 60000)

  it.scopedLive("a receiver that misbehaves on purpose: 429 + Retry-After, 500, a reset, a late answer are retried and counted; a 400 is rescued with its status and body", () =>
    Effect.gen(function*() {
      const workRoot = yield* tempDir("wpc-http-misbehave-")
      const server = yield* scriptedServer([
        { _tag: "Answer", status: 429, headers: { "retry-after": "1" }, body: "slow down" },
        { _tag: "Answer", status: 500, body: "boom" },
        { _tag: "Reset" },
        { _tag: "Accept" },
        { _tag: "Late", ms: 3000 },
        { _tag: "Accept" },
        { _tag: "Answer", status: 400, body: "{\"error\":\"line 7 is not what I want\"}" }
      ])
      const events = Array.from({ length: 200 }, (_, i) => `event ${i}`)
      const report = yield* Engine.runPipeline(
        {
          workRoot,
          sources: [{ spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { events, batch_size: 25 }, tags: [] }, enabled: true }],
          groups: [{
            name: "g",
            filter: Option.none(),
            sinks: [{
              spec: { group: "g", name: "out", kind: "http", connectorId: "http-sink", params: { port: server.port, request_timeout_ms: 300 }, filter: Option.none() },
              replicaCnt: 1,
              rateLimitRps: 0
            }]
          }]
        },
        { batchEvents: 25, retryBaseDelay: Duration.millis(20), retryMaxDelay: Duration.millis(100) }
      )
      const seen = server.seen()
      const batches = seen.map((s) => linesOf(s.body))
      // the first batch: 429, 500, reset, accepted; the second: late (kept, timed out), accepted again; the third: 400
      expect(seen.slice(0, 7).map((s) => s.behaviour)).toEqual(["Answer", "Answer", "Reset", "Accept", "Late", "Accept", "Answer"])
      expect([batches[1], batches[3]]).toEqual([batches[0], batches[0]]) // the reset (#2) cut the body short
      expect(batches[5]).toEqual(batches[4])
      expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950) // Retry-After: 1 was waited out (a lower bound only)
      const rescued = batches[6]!
      expect(rescued).toHaveLength(25)

      // nothing lost: every event was accepted or rescued; the late batch came twice
      const accepted = server.accepted()
      expect(new Set([...accepted, ...rescued])).toEqual(new Set(events))
      expect(accepted).toHaveLength(events.length - 25 + 25)
      expect(accepted.filter((e) => batches[4]!.includes(e))).toEqual([...batches[4]!, ...batches[4]!])
      expect(report.status).toBe("completed")
      expect(report.sinks).toEqual([expect.objectContaining({ events: 175, rescued: 25, retries: 4, errors: 5 })])

      const rescue = fs.readFileSync(path.join(workRoot, "rescue", "g__out.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      expect(rescue.map((r) => r.event.payload)).toEqual(rescued)
      expect(rescue[0]).toMatchObject({ code: 200, reason: "Uvs" })
      expect(rescue[0].detail).toContain(`POST http://127.0.0.1:${server.port}/ingest answered 400 Bad Request: {"error":"line 7 is not what I want"}`)
    }).pipe(Effect.provide(Builtins.layer)), 60000)
})
