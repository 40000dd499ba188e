/**
 * tcp -> file: a separate client process sends `count` lines over one TCP connection. The engine
 * runs a `tcp` source (line framing) into a `file` sink; the baseline is a `net` server that splits
 * lines and writes them through an fs write stream (fsync once at the end). Measured from the first
 * byte accepted to the last line written. With `disk` the engine's tcp source takes `buffer = "disk"`:
 * every line goes through its write-ahead log (appended, fdatasynced per group, acked) on its way to the
 * file (scenario `tcp-file-disk`; the baseline is the same).
 *
 * usage: node --import tsx bench/tcp-file.ts engine|baseline [count] [memory|disk]
 */
import { Deferred, Duration, Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as Builtins from "../src/connectors/builtins.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { lineCopier } from "./line-copy.js"
import { outGroup } from "./file-out.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
/** Engine options to try, as JSON (e.g. `ENGINE_OPTIONS='{"batchEvents":8192}'`); the defaults otherwise. */
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>
const count = Number(process.argv[3] ?? 1_000_000)
/** The tcp source's `buffer`. */
const buffer = process.argv[4] === "disk" ? "disk" : "memory"
const scenario = buffer === "disk" ? "tcp-file-disk" : "tcp-file"
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-bench-tcp-"))
const line = (i: number) => `<134>Nov 28 12:00:00 web-${i % 8} nginx[4242]: GET /api/v1/items/${i} 200 ${i % 4096}`
let expectedBytes = 0
for (let i = 0; i < count; i++) expectedBytes += Buffer.byteLength(line(i)) + 1

/** The client: plain JS in its own process, writing lines in 64 KiB chunks with backpressure. */
const clientSource = `
const net = require("node:net")
const [port, count] = process.argv.slice(1).map(Number)
const line = (i) => "<134>Nov 28 12:00:00 web-" + (i % 8) + " nginx[4242]: GET /api/v1/items/" + i + " 200 " + (i % 4096)
const socket = net.connect(port, "127.0.0.1", () => {
  let i = 0
  const pump = () => {
    while (i < count) {
      let chunk = ""
      while (i < count && chunk.length < 65536) chunk += line(i++) + "\\n"
      if (!socket.write(chunk)) return socket.once("drain", pump)
    }
    socket.end()
  }
  pump()
})
`
const runClient = (port: number) => spawn(process.execPath, ["-e", clientSource, String(port), String(count)], { stdio: "inherit" })

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const baseline = async () => {
  const out = path.join(dir, "baseline.log")
  const writer = fs.createWriteStream(out)
  let lines = 0
  let t0 = 0
  await new Promise<void>((resolve) => {
    const server = net.createServer((socket) => {
      t0 = performance.now()
      const copier = lineCopier(writer, () => socket.pause(), () => socket.resume())
      socket.on("data", (data: Buffer) => copier.onData(data))
      socket.on("end", () => {
        lines = copier.count()
        writer.end(() => {
          const fd = fs.openSync(out, "r+")
          fs.fsyncSync(fd)
          fs.closeSync(fd)
          server.close()
          resolve()
        })
      })
    })
    server.listen(0, "127.0.0.1", () => runClient((server.address() as net.AddressInfo).port))
  })
  report({ scenario, impl: "baseline", events: lines, bytes: fs.statSync(out).size, seconds: since(t0) })
}

const engine = (port: number) =>
  Effect.gen(function*() {
    const ready = yield* Deferred.make<Engine.Engine>()
    let t0 = 0
    const out = path.join(dir, "engine")
    const run = yield* Effect.fork(Engine.runPipeline({
      workRoot: dir,
      sources: [{ spec: { name: "tcp", kind: "tcp", connectorId: "tcp-src", params: { port, framing: "line", buffer }, tags: [] }, enabled: true }],
      groups: [outGroup(out)]
    }, engineOptions, (e) => Deferred.succeed(ready, e)))
    const e = yield* Deferred.await(ready)
    runClient(port)
    while ((yield* e.progress).eventsIn === 0) yield* Effect.sleep(Duration.millis(1))
    t0 = performance.now()
    while ((yield* e.progress).written < count) yield* Effect.sleep(Duration.millis(2))
    const seconds = since(t0)
    yield* e.stop
    const result = yield* run
    const bytes = fs.statSync(path.join(out, "out.log")).size
    if (bytes !== expectedBytes) return yield* Effect.dieMessage(`${scenario}: wrote ${bytes} of ${expectedBytes} bytes (${result.status})`)
    report({ scenario, impl: "engine", events: result.eventsIn, bytes, seconds })
  }).pipe(Effect.provide(Builtins.layer))

try {
  if (impl === "baseline") await baseline()
  else await Effect.runPromise(engine(await freePort()))
} finally {
  fs.rmSync(dir, { recursive: true, force: true })
}
