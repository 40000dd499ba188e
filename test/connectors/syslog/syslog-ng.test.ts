/**
 * The `syslog` sink into a real syslog-ng (one for the file): a project run through the engine, every
 * message read back from syslog-ng's output as it parsed it; syslog-ng killed mid-run and restarted
 * (TCP: nothing lost, duplicates counted; UDP: what was sent while it was down is lost, as documented).
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Layer, Option, Scope } from "effect"
import * as Builtins from "../../../src/connectors/builtins.js"
import * as Memory from "../../../src/connectors/memory/index.js"
import * as MemoryStore from "../../../src/connectors/memory/store.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import { ConnectorRegistry, Engine, ParamMap, Project, SinkFactory } from "../../../src/index.js"
import { freePort } from "../../../src/testkit/ports.js"
import { request } from "../http/client.js"
import { type Parsed, type SyslogNg, syslogNg } from "./syslog-ng.js"

// one syslog-ng for the whole file; each case tells its messages apart by a run id in them
const serverScope = Effect.runSync(Scope.make())
let running: SyslogNg | undefined
beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(syslogNg, serverScope), (s) => void (running = s))), 30000)
afterAll(() => Effect.runPromise(Scope.close(serverScope, Exit.void)))

const server = Effect.suspend(() => (running === undefined ? Effect.die(new Error("syslog-ng is not running")) : Effect.succeed(running)))

const lib = path.join(import.meta.dirname, "..", "..", "..", "src", "index.js")

/** A fresh directory, removed with its content when the Scope closes. */
const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), prefix))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

/** Waits on real time until `done` holds, for at most `seconds`. */
const eventually = (done: () => boolean, what: string, seconds = 20) =>
  Effect.gen(function*() {
    const deadline = Date.now() + seconds * 1000
    while (!done()) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`not within ${seconds} s: ${what}`))
      yield* Effect.sleep(Duration.millis(20))
    }
  })

/** The messages of syslog-ng's output holding `mark`. */
const marked = (ng: SyslogNg, mark: string) => ng.output().filter((m) => m.msg.includes(mark))

const facilities = ["user", "daemon", "local0", "local7"]

/** The `i`th record of run `mark`, as a JSON line (a processor makes it a record). */
const recordOf = (mark: string, i: number) => ({
  facility: facilities[i % 4]!,
  severity: i % 8,
  host: `web-${i % 3}`,
  app: i % 2 === 0 ? "nginx" : "api",
  procid: String(1000 + i),
  msgid: `M${i % 5}`,
  timestamp: `2026-11-28T12:${String(i % 60).padStart(2, "0")}:00.${String(i).padStart(6, "0")}+02:00`,
  message: `${mark} #${i}: GET /items/${i} ünïcödé "quoted" [b]`
})

/** What syslog-ng must have parsed out of `recordOf(mark, i)` sent in `format`. */
const expectedOf = (record: ReturnType<typeof recordOf>, format: "rfc5424" | "rfc3164") => {
  const facility = Syslog.SyslogPriority.facilityCode(record.facility)!
  return {
    pri: String(facility * 8 + record.severity),
    facility: String(facility),
    severity: String(record.severity),
    host: record.host,
    program: record.app,
    pid: record.procid,
    msgid: format === "rfc5424" ? record.msgid : "",
    msg: record.message
  }
}

/** A processor module turning each JSON line into a record. */
const recordsTs = `
import { DataRecord, Processor, processorError, SourceEvent } from ${JSON.stringify(lib)}

export default Processor.sync({ kind: "records" }, (event) => {
  const parsed = DataRecord.fromJson(JSON.parse(String(event.payload)))
  return parsed._tag === "Left" ? processorError(parsed.left.message) : SourceEvent.update(event, { record: parsed.right })
})
`

/** A sink entry of the project's one sink group. */
const sinkEntry = (name: string, params: string) => `[[sink_group.sinks]]\nname = "${name}"\nconnect = "syslog_out"\n\n[sink_group.sinks.params]\n${params}\n`

describe("syslog sink -> syslog-ng", () => {
  it.scopedLive("a project through the engine: every record arrives in every framing and format, parsed by syslog-ng as it was sent", () =>
    Effect.gen(function*() {
      const ng = yield* server
      const dir = yield* tempDir("wpc-syslog-project-")
      const inPort = yield* freePort
      const mark = `run-${process.pid}-project`
      const files: Record<string, string> = {
        "connectors/source.d/http.toml": `[[connectors]]\nid = "ingest"\ntype = "http"\n\n[connectors.params]\nport = ${inPort}\nformat = "ndjson"\n`,
        "connectors/sink.d/syslog.toml": `[[connectors]]\nid = "syslog_out"\ntype = "syslog"\nallow_override = ["port", "protocol", "framing", "format"]\n\n[connectors.params]\nurl = "syslog+tcp://127.0.0.1:${ng.ports.octet}"\n`,
        "processors/records.toml": "[[processors]]\nname = \"records\"\nmodule = \"processors/records.ts\"\n",
        "processors/records.ts": recordsTs,
        "topology/sources/http.toml": "[[sources]]\nkey = \"in\"\nconnect = \"ingest\"\nprocessors = [\"records\"]\ntags = []\n",
        "topology/sinks/business.d/syslog.toml": [
          "[sink_group]\nname = \"syslog\"\n",
          sinkEntry("octet", `framing = "octet-counted"`),
          sinkEntry("lf", `port = ${ng.ports.lf}\nframing = "line"`),
          sinkEntry("bsd", `port = ${ng.ports.bsd}\nframing = "line"\nformat = "rfc3164"`),
          sinkEntry("udp", `port = ${ng.ports.udp}\nprotocol = "udp"`)
        ].join("\n")
      }
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
        fs.writeFileSync(path.join(dir, rel), text)
      }
      const project = yield* Project.loadProject(dir)
      const ready = yield* Deferred.make<Engine.Engine>()
      const run = yield* Effect.forkScoped(Engine.runPipeline(Project.toPipelineSpec(project), {}, (e) => Deferred.succeed(ready, e)))
      const engine = yield* Deferred.await(ready)
      const n = 300
      const records = Array.from({ length: n }, (_, i) => recordOf(mark, i))
      for (let i = 0; i < n; i += 100) {
        const answer = yield* request(inPort, { body: records.slice(i, i + 100).map((r) => JSON.stringify(r)).join("\n") })
        expect(answer.status).toBe(202)
      }
      yield* eventually(() => marked(ng, mark).length >= 4 * n, `${4 * n} messages in syslog-ng's output`)
      yield* engine.stop
      const report = yield* Fiber.join(run)
      expect(report.sinks.map((s) => [s.name, s.events, s.rescued])).toEqual([["octet", n, 0], ["lf", n, 0], ["bsd", n, 0], ["udp", n, 0]])

      const bySource = (src: string) => marked(ng, mark).filter((m) => m.src === src)
      for (const src of ["octet", "lf", "udp"]) {
        const got = bySource(src)
        expect(got.map(({ date: _d, src: _s, ...rest }) => rest), src).toEqual(records.map((r) => expectedOf(r, "rfc5424")))
        // the same instant, with the sender's offset kept
        expect(got.map((m) => m.date), src).toEqual(records.map((r) => r.timestamp))
      }
      const bsd = bySource("bsd")
      expect(bsd.map(({ date: _d, src: _s, ...rest }) => rest)).toEqual(records.map((r) => expectedOf(r, "rfc3164")))
      // RFC 3164 carries local time to the second, without a year
      expect(bsd.map((m) => m.date.slice(5, 19))).toEqual(records.map((r) => {
        const d = new Date(Date.parse(r.timestamp))
        return `${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}T${[d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, "0")).join(":")}`
      }))
    }).pipe(Effect.provide(Builtins.layer)), 60000)

  it.scopedLive("tcp: syslog-ng killed mid-run and restarted: nothing lost; the duplicates are at most what the sink counted as resent", () =>
    Effect.gen(function*() {
      const ng = yield* server
      const workRoot = yield* tempDir("wpc-syslog-kill-")
      const mark = `run-${process.pid}-kill`
      let resent = () => 0
      // the syslog kind with a sink factory that keeps the built sink's resent counter at hand
      const syslogKind = ConnectorRegistry.register({
        kind: "syslog",
        sink: SinkFactory.withParams({
          kind: "syslog",
          params: Syslog.SinkParams,
          build: (params) =>
            Effect.map(Syslog.SyslogSink.make(params), (built) => {
              resent = built.resent
              return SinkFactory.handle(built.sink)
            })
        })
      })
      const registry = ConnectorRegistry.fromConnectors(Memory.layer, syslogKind).pipe(Layer.provideMerge(MemoryStore.layer))
      const events = Array.from({ length: 4000 }, (_, i) => `${mark} #${i}`)
      const run = yield* Effect.forkScoped(Engine.runPipeline(
        {
          workRoot,
          sources: [{ spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { events, batch_size: 50 }, tags: [] }, enabled: true }],
          groups: [{
            name: "g",
            filter: Option.none(),
            sinks: [{
              spec: { group: "g", name: "ng", kind: "syslog", connectorId: "syslog-sink", params: { port: ng.ports.octet, protocol: "tcp" }, filter: Option.none() },
              replicaCnt: 1,
              // 2000 events a second: the run lasts 2 s, the kill comes in its middle
              rateLimitRps: 2000
            }]
          }]
        },
        { batchEvents: 50, retryBaseDelay: Duration.millis(20), retryMaxDelay: Duration.millis(200), maxRetries: 1000 }
      ).pipe(Effect.provide(registry)))
      yield* eventually(() => marked(ng, mark).length >= 1000, "the first 1000 messages")
      yield* ng.stop
      const atKill = marked(ng, mark).length
      yield* Effect.sleep(Duration.millis(300))
      yield* ng.start
      const report = yield* Fiber.join(run)
      yield* eventually(() => new Set(marked(ng, mark).map((m) => m.msg)).size === events.length, "every message after the restart")
      const got = marked(ng, mark).map((m: Parsed) => m.msg)
      expect(new Set(got)).toEqual(new Set(events))
      expect(atKill).toBeLessThan(events.length) // the kill came mid-run
      const duplicates = got.length - events.length
      expect(duplicates).toBeLessThanOrEqual(resent())
      expect(resent()).toBeGreaterThan(0)
      expect(report.status).toBe("completed")
      expect(report.sinks[0]).toMatchObject({ events: events.length, rescued: 0 })
      expect(report.sinks[0]!.retries).toBeGreaterThanOrEqual(1)
    }), 60000)

  it.scopedLive("udp is lossy: a batch sent while syslog-ng is down is lost; the refusal fails the next one, which goes through once it is back", () =>
    Effect.gen(function*() {
      const ng = yield* server
      const mark = `run-${process.pid}-udp`
      const params = yield* ParamMap.decodeParams(Syslog.SinkParams, { port: ng.ports.udp })
      const { sink } = yield* Syslog.SyslogSink.make(params)
      yield* sink.sinkStr(`${mark} a`)
      yield* eventually(() => marked(ng, mark).length === 1, "a")
      yield* ng.stop
      yield* sink.sinkStr(`${mark} b`) // handed to the OS: reported sent, and lost
      yield* Effect.sleep(Duration.millis(50))
      const refused = yield* Effect.flip(sink.sinkStr(`${mark} c`))
      expect(refused).toMatchObject({ code: 202, retryable: true })
      yield* ng.start
      yield* sink.sinkStr(`${mark} c`)
      yield* eventually(() => marked(ng, mark).length === 2, "c")
      expect(marked(ng, mark).map((m) => m.msg)).toEqual([`${mark} a`, `${mark} c`])
    }), 60000)
})
