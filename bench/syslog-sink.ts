/**
 * memory records -> syslog over TCP: `count` records (a syslog-ish event each: facility, severity, host,
 * app, procid, msgid, timestamp, message) sent as RFC 5424 messages, LF-framed, to a receiver in its own
 * process (a plain node TCP server counting lines). The engine runs a `memory` source whose events a
 * processor gives prebuilt records, into the `syslog` sink (`protocol = "tcp"`, `framing = "line"`); the
 * baseline is a plain node loop formatting the same events (from plain objects, with a template string)
 * and writing them in batches of the same size on one socket, waiting for each write to be taken.
 * Measured from the start to the last line counted by the receiver.
 *
 * usage: node --import tsx bench/syslog-sink.ts engine|baseline [count]
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import { Effect, Either, Option } from "effect"
import * as Builtins from "../src/connectors/builtins.js"
import { DataRecord, Processor, SourceEvent } from "../src/index.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
const count = Number(process.argv[3] ?? 1_000_000)
/** Events per write: the engine's default `batchEvents`. */
const batch = 8192
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>

/** The receiver: counts LFs and bytes; prints both once `expected` lines arrived, then exits. */
const receiverSource = `
const net = require("node:net")
const expected = Number(process.argv[1])
let lines = 0
let bytes = 0
const server = net.createServer((socket) => {
  socket.on("data", (c) => {
    bytes += c.length
    for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++
    if (lines >= expected) { process.stdout.write(JSON.stringify({ lines, bytes }) + "\\n"); process.exit(0) }
  })
  socket.on("error", () => {})
})
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"))
`

/** Starts the receiver; its port, and the counts it prints once every line arrived. */
const startReceiver = (): Promise<{ readonly child: ChildProcess; readonly port: number; readonly done: Promise<{ readonly lines: number; readonly bytes: number }> }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", receiverSource, String(count)], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    let resolveDone: (v: { readonly lines: number; readonly bytes: number }) => void = () => undefined
    const done = new Promise<{ readonly lines: number; readonly bytes: number }>((r) => (resolveDone = r))
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString()
      const lines = out.split("\n").filter((l) => l !== "")
      if (lines.length === 1 && out.endsWith("\n")) resolve({ child, port: Number(lines[0]), done })
      if (lines.length === 2) resolveDone(JSON.parse(lines[1]!) as { readonly lines: number; readonly bytes: number })
    })
  })

const facilities = ["user", "daemon", "local0", "local7"]
const facilityCodes = [1, 3, 16, 23]

/** 1024 distinct events, as plain objects. */
const objects = Array.from({ length: 1024 }, (_, i) => ({
  facility: facilities[i % 4]!,
  severity: i % 8,
  host: `web-${i % 8}`,
  app: "nginx",
  procid: String(4000 + (i % 100)),
  msgid: "ACCESS",
  timestamp: `2026-11-28T12:00:${String(i % 60).padStart(2, "0")}.${String(i).padStart(6, "0")}Z`,
  message: `10.0.${i % 256}.${i % 7} - - "GET /api/v1/items/${i} HTTP/1.1" 200 ${i * 37} "-" "Mozilla/5.0 (X11; Linux x86_64)"`
}))

/** The same events as records. */
const records = objects.map((o) => Either.getOrThrow(DataRecord.fromJson(o)))

/** What a hand-written sender formats: the same RFC 5424 line. */
const format = (o: (typeof objects)[number], i: number): string =>
  `<${facilityCodes[i % 4]! * 8 + o.severity}>1 ${o.timestamp} ${o.host} ${o.app} ${o.procid} ${o.msgid} - ${o.message}`

const baseline = async (port: number) => {
  const socket = await new Promise<net.Socket>((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s))
  })
  socket.setNoDelay(true)
  const t0 = performance.now()
  for (let i = 0; i < count; i += batch) {
    const end = Math.min(count, i + batch)
    const lines = new Array<string>(end - i)
    for (let j = i; j < end; j++) lines[j - i] = format(objects[j % objects.length]!, j % objects.length)
    const bytes = Buffer.from(`${lines.join("\n")}\n`, "utf8")
    await new Promise<void>((resolve, reject) => socket.write(bytes, (e) => (e ? reject(e) : resolve())))
  }
  return { t0, close: () => socket.destroy() }
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
        sinks: [{ spec: { group: "bench", name: "syslog", kind: "syslog", connectorId: "syslog-sink", params: { port, protocol: "tcp", framing: "line" }, filter: Option.none() }, replicaCnt: 1, rateLimitRps: 0 }]
      }]
    }, engineOptions)
    if (result.status !== "completed" || result.sinks[0]!.events !== count) return yield* Effect.dieMessage(`syslog-sink: ${result.status}`)
    return t0
  }).pipe(Effect.provide(Builtins.layer))

const { child, done, port } = await startReceiver()
try {
  let t0: number
  if (impl === "baseline") {
    const run = await baseline(port)
    t0 = run.t0
    await done.finally(run.close)
  } else t0 = await Effect.runPromise(engine(port))
  const got = await done
  const seconds = since(t0)
  if (got.lines !== count) throw new Error(`syslog-sink ${impl}: the receiver counted ${got.lines} of ${count} messages`)
  report({ scenario: "syslog-sink", impl: impl === "baseline" ? "baseline" : "engine", events: count, bytes: got.bytes, seconds })
} finally {
  child.kill()
}
