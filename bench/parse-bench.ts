/**
 * The driver of the parsing scenarios (`syslog-json`, `json-json`): lines from a file, parsed by a
 * processor into records, written as JSON lines to a file.
 *
 * The engine runs a `file` source with one processor of the kind under test into a `file` sink with
 * `fmt = "json"` (one write per batch, durable: `O_DSYNC`). The baseline is what one would write by hand
 * in Node: a read stream split into lines, each line parsed by a hand-written function into a plain
 * object and `JSON.stringify`d, in one loop; the output goes to a write stream on a file opened with
 * `O_DSYNC`, one write per 8192 lines (the engine's largest write), so each batch is on disk when its
 * write returns, as the engine's. The write stream keeps up to 4 MiB queued, so reading and parsing go on
 * while a batch is written (as the engine's sink queue lets them).
 *
 * The engine's output is compared with the baseline's, when that exists, after the measurement: they
 * must be the same bytes.
 */
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { ParamMap } from "../src/config/param.js"
import * as Builtins from "../src/connectors/builtins.js"
import type { ProcessorKind } from "../src/processing/processor-kind.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { report, since } from "./measure.js"
import * as ParseInput from "./parse-input.js"

/** One parsing scenario. */
export interface ParseScenario {
  /** Its name (`syslog-json`), also naming its input and output files. */
  readonly name: string
  /** The processor kind under test, and its params. */
  readonly kind: ProcessorKind
  readonly params: ParamMap
  /** Line `i` of the input. */
  readonly line: (i: number) => string
  /** The baseline: one input line to its output JSON text (the same as the engine's record line). */
  readonly toJson: (line: string) => string
}

/** Lines per durable write of the baseline: the engine's `batchEvents` default. */
const writeLines = 8192

/** The baseline: read, split, parse, stringify, write durably per 8192 lines. Returns the lines written. */
const baseline = (s: ParseScenario, input: string, out: string): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const { O_CREAT, O_DSYNC, O_TRUNC, O_WRONLY } = fs.constants
    const fd = fs.openSync(out, O_WRONLY | O_CREAT | O_TRUNC | O_DSYNC, 0o644)
    const reader = fs.createReadStream(input, { highWaterMark: 256 * 1024 })
    const writer = fs.createWriteStream(out, { fd, highWaterMark: 4 * 1024 * 1024 })
    const toJson = s.toJson
    let rest = ""
    let pending: Array<string> = []
    let lines = 0
    const flush = (): void => {
      if (pending.length === 0) return
      lines += pending.length
      const text = pending.join("\n") + "\n"
      pending = []
      if (!writer.write(text)) {
        reader.pause()
        writer.once("drain", () => reader.resume())
      }
    }
    reader.setEncoding("utf8")
    reader.on("data", (data) => {
      const chunk = rest + (data as string)
      let start = 0
      for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", start)) {
        pending.push(toJson(chunk.slice(start, i)))
        start = i + 1
        if (pending.length === writeLines) flush()
      }
      rest = chunk.slice(start)
    })
    reader.on("end", () => {
      if (rest.length > 0) pending.push(toJson(rest))
      flush()
      writer.end()
    })
    reader.on("error", reject)
    writer.on("error", reject)
    writer.on("finish", () => resolve(lines))
  })

/** The engine: `file` source -> the processor -> `file` sink with `fmt = "json"`. Returns its run report. */
const engine = (s: ParseScenario, input: string, out: string, options: Partial<EngineOptions>) =>
  Effect.gen(function*() {
    const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-bench-work-"))
    const processor = yield* s.kind.build(
      { name: "parse", onError: "rescue", params: s.params, where: "processors[0]" },
      { workRoot }
    )
    const result = yield* Engine.runPipeline({
      workRoot,
      sources: [{
        spec: { name: "in", kind: "file", connectorId: "file-src", params: { base: path.dirname(input), file: path.basename(input) }, tags: [] },
        enabled: true,
        processors: [processor]
      }],
      groups: [{
        name: "bench",
        filter: Option.none(),
        sinks: [{
          spec: {
            group: "bench",
            name: "out",
            kind: "file",
            connectorId: "file-sink",
            params: { base: path.dirname(out), file: path.basename(out), fmt: "json" },
            filter: Option.none()
          },
          replicaCnt: 1,
          rateLimitRps: 0
        }]
      }]
    }, options)
    fs.rmSync(workRoot, { recursive: true, force: true })
    return result
  }).pipe(Effect.provide(Builtins.layer))

/** The number of lines of `file` (its `\n` bytes). */
const lineCount = (file: string): number => {
  const fd = fs.openSync(file, "r")
  const buffer = Buffer.allocUnsafe(1 << 20)
  let n = 0
  for (let read = fs.readSync(fd, buffer); read > 0; read = fs.readSync(fd, buffer)) {
    for (let i = buffer.indexOf(10); i >= 0 && i < read; i = buffer.indexOf(10, i + 1)) n++
  }
  fs.closeSync(fd)
  return n
}

/** `true` when files `a` and `b` hold the same bytes (read 1 MiB at a time: no large buffer). */
const sameBytes = (a: string, b: string): boolean => {
  if (fs.statSync(a).size !== fs.statSync(b).size) return false
  const fa = fs.openSync(a, "r")
  const fb = fs.openSync(b, "r")
  const ba = Buffer.allocUnsafe(1 << 20)
  const bb = Buffer.allocUnsafe(1 << 20)
  try {
    for (;;) {
      const na = fs.readSync(fa, ba)
      const nb = fs.readSync(fb, bb)
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false
      if (na === 0) return true
    }
  } finally {
    fs.closeSync(fa)
    fs.closeSync(fb)
  }
}

/**
 * Runs `s` as `process.argv`: `engine|baseline [count]`; prints the measurement as a JSON line (the last
 * line of stdout). A wrong result (lines lost, outputs that differ) ends the process with an error.
 */
export const main = async (s: ParseScenario): Promise<void> => {
  const impl = process.argv[2] === "baseline" ? "baseline" : "engine"
  const count = Number(process.argv[3] ?? 2_000_000)
  /** Engine options to try, as JSON (e.g. `ENGINE_OPTIONS='{"batchEvents":8192}'`); the defaults otherwise. */
  const options = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>
  const { bytes, file } = ParseInput.ensureInput(s.name, count, s.line)
  const out = path.join(ParseInput.outputDir(`${s.name}-${impl}`), "out.jsonl")
  const t0 = performance.now()
  let events: number
  if (impl === "baseline") {
    events = await baseline(s, file, out)
  } else {
    const result = await Effect.runPromise(engine(s, file, out, options))
    if (result.status !== "completed" || result.acked !== count) {
      throw new Error(`${s.name}: ${result.status}, acked ${result.acked} of ${count}: ${result.errors.join("; ")}`)
    }
    events = result.eventsIn
  }
  const seconds = since(t0)
  report({ scenario: s.name, impl, events, bytes, seconds })
  const written = lineCount(out)
  if (written !== count) throw new Error(`${s.name} ${impl}: wrote ${written} lines of ${count}`)
  const other = path.join(ParseInput.dir, `out-${s.name}-baseline`, "out.jsonl")
  if (impl === "engine" && fs.existsSync(other) && lineCount(other) === count && !sameBytes(out, other)) {
    throw new Error(`${s.name}: the engine's output differs from the baseline's (${out}, ${other})`)
  }
}
