/**
 * file -> file: `count` syslog-like lines from one file to another. The engine runs a `file`
 * source (checkpointed acks) into a `file` sink (one write and one fsync per batch); the
 * baseline pipes fs streams through a line splitter into a write stream and fsyncs once at the
 * end. Both produce the same output file (checked).
 *
 * usage: node --import tsx bench/file-file.ts engine|baseline [count]
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { lineCopier } from "./line-copy.js"
import { freshOutput, runFileSource } from "./file-out.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
/** Engine options to try, as JSON (e.g. `ENGINE_OPTIONS='{"batchEvents":8192}'`); the defaults otherwise. */
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>
const count = Number(process.argv[3] ?? 2_000_000)
const dir = path.join(os.tmpdir(), "wpc-bench-file")
const input = path.join(dir, `in-${count}.log`)

/** Writes the input once: `count` lines like `<134>Nov 28 12:00:00 web-3 nginx[4242]: GET /api/v1/items/123 200 512`. */
const ensureInput = (): number => {
  fs.mkdirSync(dir, { recursive: true })
  if (fs.existsSync(input)) return fs.statSync(input).size
  const fd = fs.openSync(input, "w")
  let chunk = ""
  for (let i = 0; i < count; i++) {
    chunk += `<134>Nov 28 12:${String(i % 60).padStart(2, "0")}:00 web-${i % 8} nginx[${4000 + (i % 97)}]: GET /api/v1/items/${i} 200 ${i % 4096}\n`
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk)
      chunk = ""
    }
  }
  fs.writeSync(fd, chunk)
  fs.closeSync(fd)
  return fs.statSync(input).size
}

const outputOf = (name: string): string => freshOutput(dir, name)

const baseline = async (bytes: number) => {
  const out = path.join(outputOf("baseline"), "out.log")
  const t0 = performance.now()
  let lines = 0
  await new Promise<void>((resolve, reject) => {
    const reader = fs.createReadStream(input, { highWaterMark: 256 * 1024 })
    const writer = fs.createWriteStream(out)
    const copier = lineCopier(writer, () => reader.pause(), () => reader.resume())
    reader.on("data", (data) => copier.onData(data as Buffer))
    reader.on("end", () => writer.end())
    reader.on("error", reject)
    writer.on("finish", () => {
      lines = copier.count()
      const fd = fs.openSync(out, "r+")
      fs.fsyncSync(fd)
      fs.closeSync(fd)
      resolve()
    })
  })
  report({ scenario: "file-file", impl: "baseline", events: lines, bytes, seconds: since(t0) })
}

const engine = (bytes: number) =>
  runFileSource("file-file", { base: dir, file: path.basename(input) }, outputOf("engine"), bytes, count, engineOptions)

const bytes = ensureInput()
if (impl === "baseline") await baseline(bytes)
else await Effect.runPromise(engine(bytes))
