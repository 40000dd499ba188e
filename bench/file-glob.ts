/**
 * file-glob -> file: `count` syslog-like lines spread over 20 files (`f00.log` .. `f19.log`), read by the
 * multi-file `file` source over the glob `*.log` into a `file` sink — the figure to set beside file-file
 * (the same lines in one file). The baseline reads the 20 files one after another with fs streams through
 * the same line splitter into one write stream and fsyncs once at the end. Both write every line (checked).
 *
 * usage: node --import tsx bench/file-glob.ts engine|baseline [count]
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { lineCopier } from "./line-copy.js"
import { freshOutput, runFileSource } from "./file-out.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
const count = Number(process.argv[3] ?? 2_000_000)
const FILES = 20
const dir = path.join(os.tmpdir(), "wpc-bench-glob")
const inputs = path.join(dir, `in-${count}`)
const names = Array.from({ length: FILES }, (_, f) => `f${String(f).padStart(2, "0")}.log`)

/** Writes the inputs once: `count / 20` lines per file, like file-file's. */
const ensureInput = (): number => {
  const done = path.join(inputs, ".done")
  if (!fs.existsSync(done)) {
    fs.rmSync(inputs, { recursive: true, force: true })
    fs.mkdirSync(inputs, { recursive: true })
    const per = Math.ceil(count / FILES)
    for (const [f, name] of names.entries()) {
      const fd = fs.openSync(path.join(inputs, name), "w")
      let chunk = ""
      for (let i = f * per; i < Math.min(count, (f + 1) * per); i++) {
        chunk += `<134>Nov 28 12:${String(i % 60).padStart(2, "0")}:00 web-${i % 8} nginx[${4000 + (i % 97)}]: GET /api/v1/items/${i} 200 ${i % 4096}\n`
        if (chunk.length > 1 << 20) {
          fs.writeSync(fd, chunk)
          chunk = ""
        }
      }
      fs.writeSync(fd, chunk)
      fs.closeSync(fd)
    }
    fs.writeFileSync(done, "")
  }
  return names.reduce((n, name) => n + fs.statSync(path.join(inputs, name)).size, 0)
}

const outputOf = (name: string): string => freshOutput(dir, name)

const baseline = async (bytes: number) => {
  const out = path.join(outputOf("baseline"), "out.log")
  const t0 = performance.now()
  const writer = fs.createWriteStream(out)
  let lines = 0
  for (const name of names) {
    await new Promise<void>((resolve, reject) => {
      const reader = fs.createReadStream(path.join(inputs, name), { highWaterMark: 256 * 1024 })
      const copier = lineCopier(writer, () => reader.pause(), () => reader.resume())
      reader.on("data", (data) => copier.onData(data as Buffer))
      reader.on("end", () => {
        lines += copier.count()
        resolve()
      })
      reader.on("error", reject)
    })
  }
  await new Promise<void>((resolve) => writer.end(resolve))
  const fd = fs.openSync(out, "r+")
  fs.fsyncSync(fd)
  fs.closeSync(fd)
  report({ scenario: "file-glob", impl: "baseline", events: lines, bytes, seconds: since(t0) })
}

const engine = (bytes: number) => runFileSource("file-glob", { base: inputs, file: "*.log" }, outputOf("engine"), bytes, count)

const bytes = ensureInput()
if (impl === "baseline") await baseline(bytes)
else await Effect.runPromise(engine(bytes))
