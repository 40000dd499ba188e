/**
 * The parse-workers experiment (issue 14, part 5): does running the processors on worker threads pay on
 * this machine? The syslog-json work (the input of `syslog-json.ts`: read, split into lines, the `syslog`
 * processor's step per line, `toJsonText` per record, one durable `O_DSYNC` write per 8192 lines) done in
 * one lean loop, with the parse on the main thread or on `N` worker threads.
 *
 * Batches of 1024 lines (the `file` source's batch) are posted to the workers in turn, at most 8 per
 * worker in flight (the reader pauses beyond that), and written in the order they were read (one source's
 * order kept) whichever worker finishes first. What comes back:
 * - `text`: the batch's JSON lines, joined and UTF-8 encoded by the worker, its buffer transferred (no copy);
 * - `lines`: one JSON line per event, as strings (structured clone): what an engine whose main thread routes
 *   single events would need back;
 * - `records`: the records (structured clone: bigints, Maps), formatted by `toJsonText` on the main thread.
 * With 0 workers the main thread parses and formats each batch itself (the in-thread figure).
 *
 * usage: node bench/.build/syslog-workers.mjs <workers 0|1|2> <text|lines|records> [count]
 * (compile first: npx esbuild bench/syslog-workers.ts --bundle --packages=external --platform=node
 * --format=esm --outfile=bench/.build/syslog-workers.mjs)
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"
import * as DataRecord from "../src/model/record.js"
import type * as Processor from "../src/processing/processor.js"
import * as Syslog from "../src/processing/syslog.js"
import * as SourceEvent from "../src/source/event.js"
import { report, since } from "./measure.js"
import * as ParseInput from "./parse-input.js"

/** Lines per batch posted to a worker: the `file` source's batch. */
const batchLines = 1024
/** Batches per durable write: 8192 lines, the engine's largest write. */
const batchesPerWrite = 8
/** Batches in flight per worker at most. */
const inFlightPerWorker = 8

type Mode = "text" | "lines" | "records"

/** What a worker gets: a batch's number and lines. */
interface Job {
  readonly seq: number
  readonly lines: ReadonlyArray<string>
}

/** What a worker gives back: the batch's number and its JSON lines as UTF-8 bytes, as strings, or its records. */
interface Done {
  readonly seq: number
  readonly bytes?: Uint8Array
  readonly lines?: ReadonlyArray<string>
  readonly records?: ReadonlyArray<DataRecord.DataRecord>
}

/** The `syslog` processor's step, built as the engine builds it. */
const syslogStep = (): ((event: SourceEvent.SourceEvent) => unknown) => {
  const processor: Processor.Processor = Effect.runSync(
    Syslog.kind.build({ name: "parse", onError: "rescue", params: {}, where: "processors[0]" }, { workRoot: ParseInput.dir })
  )
  if (processor._tag !== "Sync") throw new Error("syslog: not a synchronous processor")
  return processor.step
}

/** The records of `lines` made by `step` (a line it fails on ends the run: the input is all syslog). */
const recordsOf = (step: (event: SourceEvent.SourceEvent) => unknown, seq: number, lines: ReadonlyArray<string>): Array<DataRecord.DataRecord> => {
  const out: Array<DataRecord.DataRecord> = new Array(lines.length)
  for (let i = 0; i < lines.length; i++) {
    const result = step(SourceEvent.make({ eventId: seq * batchLines + i, srcKey: "in", payload: lines[i]! }))
    const record = result instanceof SourceEvent.SourceEvent ? result.record : undefined
    if (record === undefined) throw new Error(`syslog: no record for ${lines[i]}`)
    out[i] = record
  }
  return out
}

/** Records as JSON lines, each followed by `\n`. */
const jsonLines = (records: ReadonlyArray<DataRecord.DataRecord>): string => {
  let text = ""
  for (const record of records) text += DataRecord.toJsonText(record) + "\n"
  return text
}

/** A worker: parses each batch it gets and posts back its JSON bytes (transferred) or its records. */
const worker = (mode: Mode): void => {
  const step = syslogStep()
  const port = parentPort!
  port.on("message", (job: Job) => {
    const records = recordsOf(step, job.seq, job.lines)
    if (mode === "records") {
      port.postMessage({ seq: job.seq, records } satisfies Done)
      return
    }
    if (mode === "lines") {
      port.postMessage({ seq: job.seq, lines: records.map(DataRecord.toJsonText) } satisfies Done)
      return
    }
    const bytes = Buffer.from(jsonLines(records))
    port.postMessage({ seq: job.seq, bytes } satisfies Done, [bytes.buffer])
  })
}

/** The main thread: reads, posts batches (or parses them itself), writes in order. Returns the lines written. */
const main = (workers: number, mode: Mode, input: string, out: string): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    const { O_CREAT, O_DSYNC, O_TRUNC, O_WRONLY } = fs.constants
    const fd = fs.openSync(out, O_WRONLY | O_CREAT | O_TRUNC | O_DSYNC, 0o644)
    const writer = fs.createWriteStream(out, { fd, highWaterMark: 4 * 1024 * 1024 })
    const reader = fs.createReadStream(input, { highWaterMark: 256 * 1024 })
    const step = workers === 0 ? syslogStep() : undefined
    const pool = Array.from({ length: workers }, () => new Worker(new URL(import.meta.url), { workerData: { mode } }))
    const finished = new Map<number, Uint8Array | string>()
    let nextSeq = 0
    let nextWrite = 0
    let inFlight = 0
    let pending: Array<Uint8Array | string> = []
    let pendingBatches = 0
    let lines = 0
    let ended = false
    let paused = false
    let rest = ""
    let batch: Array<string> = []

    const close = (): void => {
      for (const w of pool) void w.terminate()
    }
    const flush = (): void => {
      if (pending.length === 0) return
      // one mode per run: all text (parsed here) or all bytes (from the workers)
      const data = typeof pending[0] === "string" ? (pending as Array<string>).join("") : Buffer.concat(pending as Array<Uint8Array>)
      pending = []
      pendingBatches = 0
      if (!writer.write(data) && !paused) {
        paused = true
        reader.pause()
        writer.once("drain", () => {
          paused = false
          if (!ended && inFlight < inFlightPerWorker * Math.max(1, workers)) reader.resume()
        })
      }
    }
    /** Writes the finished batches that are next in order. */
    const drain = (): void => {
      for (let done = finished.get(nextWrite); done !== undefined; done = finished.get(nextWrite)) {
        finished.delete(nextWrite++)
        pending.push(done)
        if (++pendingBatches === batchesPerWrite) flush()
      }
      if (ended && inFlight === 0) {
        flush()
        writer.end()
      }
    }
    const onDone = (done: Done): void => {
      inFlight--
      if (done.bytes !== undefined) {
        lines += countLines(done.bytes)
        finished.set(done.seq, done.bytes)
      } else if (done.lines !== undefined) {
        lines += done.lines.length
        finished.set(done.seq, done.lines.join("\n") + "\n")
      } else {
        lines += done.records!.length
        finished.set(done.seq, jsonLines(done.records!))
      }
      drain()
      if (!ended && !paused && reader.isPaused() && inFlight < inFlightPerWorker * workers) reader.resume()
    }
    for (const w of pool) {
      w.on("message", onDone)
      w.on("error", reject)
    }
    const post = (): void => {
      if (batch.length === 0) return
      const job: Job = { seq: nextSeq++, lines: batch }
      batch = []
      if (step !== undefined) {
        const records = recordsOf(step, job.seq, job.lines)
        lines += records.length
        finished.set(job.seq, jsonLines(records))
        drain()
        return
      }
      inFlight++
      pool[job.seq % workers]!.postMessage(job)
      if (inFlight >= inFlightPerWorker * workers) reader.pause()
    }
    reader.setEncoding("utf8")
    reader.on("data", (data) => {
      const chunk = rest + (data as string)
      let start = 0
      for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", start)) {
        batch.push(chunk.slice(start, i))
        start = i + 1
        if (batch.length === batchLines) post()
      }
      rest = chunk.slice(start)
    })
    reader.on("end", () => {
      if (rest.length > 0) batch.push(rest)
      post()
      ended = true
      drain()
    })
    reader.on("error", reject)
    writer.on("error", reject)
    writer.on("finish", () => {
      close()
      resolve(lines)
    })
  })

/** The `\n` bytes of `bytes`. */
const countLines = (bytes: Uint8Array): number => {
  let n = 0
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++
  return n
}

if (!isMainThread) {
  worker((workerData as { readonly mode: Mode }).mode)
} else {
  const workers = Number(process.argv[2] ?? 0)
  const mode: Mode = process.argv[3] === "records" ? "records" : process.argv[3] === "lines" ? "lines" : "text"
  const count = Number(process.argv[4] ?? 2_000_000)
  const { bytes, file } = ParseInput.ensureInput("syslog-json", count, ParseInput.syslogLine)
  const out = path.join(ParseInput.outputDir(`syslog-workers-${workers}-${mode}`), "out.jsonl")
  const t0 = performance.now()
  const events = await main(workers, mode, file, out)
  report({ scenario: `syslog-workers-${workers}-${mode}`, impl: "engine", events, bytes, seconds: since(t0) })
  if (events !== count) throw new Error(`wrote ${events} lines of ${count}`)
}
