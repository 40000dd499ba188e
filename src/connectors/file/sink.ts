/**
 * The `file` sink: appends one line per payload (text as it is, bytes as they are) or per record
 * (`fmt = json | kv | raw`), creating the directory. Each batch is one write of one buffer, durable
 * (`fsync = true`: the file is opened with `O_DSYNC`, or, where the platform has none, each write is
 * followed by `fdatasync`) before it is reported written. With `rotate_bytes`, a batch that would grow
 * the file past that size first renames it to `<file>.<n>` (n = 1, 2, ... never reused) and starts a new one.
 *
 * A batch is all or nothing: a write that fails partway (a full disk) is cut back to where the batch
 * began. Before each batch one `stat` of the path checks that it still names the open file; when the
 * file was deleted or renamed (an outside rotation), the path is opened again. A file opened with a
 * torn last line has it moved aside first (`TornTail`).
 *
 * @since 0.1.0
 */
import * as fsSync from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import type { SinkError } from "../../errors/sink.js"
import type * as DataRecord from "../../model/record.js"
import * as SinkFactory from "../../sink/factory.js"
import * as AsyncSink from "../../sink/sink.js"
import * as FsReason from "./fs-reason.js"
import { filePath, kind, SinkParams } from "./params.js"
import * as RecordFormat from "./record-format.js"
import * as RecordEncoder from "../../sink/record-encoder.js"
import * as TornTail from "./torn-tail.js"

/** What `make` needs: the file to append to, the record format, rotation size (0 = off) and fsync. */
export interface Options {
  readonly file: string
  readonly fmt?: RecordFormat.RecordFormat | undefined
  readonly rotateBytes?: number | undefined
  readonly fsync?: boolean | undefined
}

const NEWLINE = 0x0a

/** Gives a buffer of exactly `size` bytes to encode a batch into (the sink's reused write buffer). */
type Alloc = (size: number) => Buffer

/** Text lines as one UTF-8 buffer, each followed by `\n` (encoded straight from the joined text: no copy with the last `\n` appended). */
const textLines = (lines: ReadonlyArray<string>, alloc: Alloc): Buffer => {
  if (lines.length > 1 && lines.length <= fewPieces) return pieceLines(lines, alloc)
  const text = lines.length === 1 ? lines[0]! : lines.join("\n")
  const size = Buffer.byteLength(text, "utf8")
  const out = alloc(size + 1)
  // as many bytes as characters: all ASCII, and latin1 is the same bytes, copied without encoding
  out.write(text, 0, size, size === text.length ? "latin1" : "utf8")
  out[size] = NEWLINE
  return out
}

/** Up to this many texts, `textLines` writes each into the buffer instead of joining them first. */
const fewPieces = 64

/**
 * Texts as lines in one buffer, each written in place: for a few large texts (records the engine encoded
 * and joined per routed batch), joining them first would copy every byte once more.
 */
const pieceLines = (pieces: ReadonlyArray<string>, alloc: Alloc): Buffer => {
  const sizes = pieces.map((p) => Buffer.byteLength(p, "utf8"))
  let total = 0
  for (const n of sizes) total += n + 1
  const out = alloc(total)
  let at = 0
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!
    const n = sizes[i]!
    out.write(p, at, n, n === p.length ? "latin1" : "utf8")
    at += n
    out[at++] = NEWLINE
  }
  return out
}

/** Records per piece of text `recordLines` joins as it goes. */
const linesPerPiece = 256

/**
 * Records as text lines in one UTF-8 buffer, each followed by `\n`. The lines are joined 256 at a time as
 * they are made, so that each dies young: thousands of lines (and of the string trees a line may be built
 * from) alive at once are what every young-generation collection in between would copy (syslog-json and
 * json-json: 3-5% less CPU than joining the whole batch's lines at the end).
 */
const recordLines = (records: ReadonlyArray<DataRecord.DataRecord>, line: (record: DataRecord.DataRecord) => string, alloc: Alloc): Buffer => {
  if (records.length <= linesPerPiece) return textLines(records.map(line), alloc)
  const pieces: Array<string> = []
  const lines: Array<string> = new Array(linesPerPiece)
  let n = 0
  for (let i = 0; i < records.length; i++) {
    lines[n++] = line(records[i]!)
    if (n === linesPerPiece) {
      pieces.push(lines.join("\n"))
      n = 0
    }
  }
  if (n > 0) pieces.push(lines.slice(0, n).join("\n"))
  return textLines(pieces, alloc)
}

/** Byte lines as one buffer, each followed by `\n`. */
const byteLines = (lines: ReadonlyArray<Uint8Array>, alloc: Alloc): Buffer => {
  let size = lines.length
  for (const line of lines) size += line.byteLength
  const out = alloc(size)
  let at = 0
  for (const line of lines) {
    out.set(line, at)
    at += line.byteLength
    out[at++] = NEWLINE
  }
  return out
}

/**
 * How the sink opens its file: appending (and readable, to look at its last line), and with `fsync` where the
 * platform has `O_DSYNC`, so that a write returns once its data is on disk (one call per batch instead of a
 * write and an `fdatasync`). `datasync` says whether each write still needs an `fdatasync` after it.
 */
const openMode = (fsync: boolean): { readonly flags: string | number; readonly datasync: boolean } => {
  const { O_APPEND, O_CREAT, O_DSYNC, O_RDWR } = fsSync.constants
  const dsync: unknown = O_DSYNC
  if (!fsync) return { flags: "a+", datasync: false }
  if (typeof dsync !== "number") return { flags: "a+", datasync: true }
  return { flags: O_RDWR | O_APPEND | O_CREAT | dsync, datasync: false }
}

/** The next free rotation number of `file`: one more than the highest `<file>.<n>` in its directory. */
const nextRotation = (file: string): Effect.Effect<number, SinkError> =>
  Effect.tryPromise({ try: () => fs.readdir(path.dirname(file)), catch: FsReason.sinkError("list", path.dirname(file)) }).pipe(
    Effect.map((names) => {
      const prefix = `${path.basename(file)}.`
      let highest = 0
      for (const name of names) {
        if (!name.startsWith(prefix)) continue
        const suffix = name.slice(prefix.length)
        if (/^[1-9]\d*$/.test(suffix)) highest = Math.max(highest, Number(suffix))
      }
      return highest + 1
    })
  )

/**
 * A `file` sink appending to `options.file`, opened in the current Scope (which closes the file). Its
 * directory is created; a path under a regular file, or a directory where the file should be, fails
 * with `SinkUvs` naming the path.
 */
export const make = (options: Options): Effect.Effect<AsyncSink.AsyncSink, SinkError, Scope.Scope> =>
  Effect.gen(function*() {
    const file = path.resolve(options.file)
    const dir = path.dirname(file)
    const identifier = `file:${file}`
    const rotateBytes = options.rotateBytes ?? 0
    const mode = openMode(options.fsync ?? true)
    const recordLine = RecordFormat.line(options.fmt ?? "raw")
    const lock = yield* Effect.makeSemaphore(1)

    // the open file: its handle, its device and inode (what the path named when it was opened), its size
    let handle: fs.FileHandle | undefined
    let dev = 0
    let ino = 0
    let size = 0
    let rotation = 0

    /** Opens the path (creating it and its directory), with a torn last line moved aside first. */
    const open: Effect.Effect<void, SinkError> = Effect.gen(function*() {
      yield* Effect.tryPromise({ try: () => fs.mkdir(dir, { recursive: true }), catch: FsReason.sinkError("create directory", dir) })
      const opened = yield* Effect.tryPromise({ try: () => fs.open(file, mode.flags, 0o666), catch: FsReason.sinkError("open", file) })
      const [stats, end] = yield* Effect.tryPromise({ try: () => opened.stat(), catch: FsReason.sinkError("stat", file) }).pipe(
        Effect.flatMap((stats) => Effect.map(TornTail.repair(opened, file, stats.size), (end) => [stats, end] as const)),
        Effect.onError(() => Effect.promise(() => opened.close().catch(() => undefined)))
      )
      handle = opened
      dev = stats.dev
      ino = stats.ino
      size = end
    })

    const close: Effect.Effect<void> = Effect.suspend(() => {
      const open = handle
      handle = undefined
      return open === undefined ? Effect.void : Effect.promise(() => open.close().catch(() => undefined))
    })

    /**
     * Before a batch: one `stat` of the path (synchronous: a couple of microseconds, where a trip through the
     * libuv pool costs tens). The same device and inode: `size` is the file's size now. Another file, or
     * none (deleted, or renamed by a rotation tool): the path is opened again, so the batch goes there.
     */
    const follow: Effect.Effect<void, SinkError> = Effect.flatMap(
      Effect.try({ try: () => fsSync.statSync(file, { throwIfNoEntry: false }), catch: FsReason.sinkError("stat", file) }),
      (named) => {
        if (named !== undefined && named.ino === ino && named.dev === dev) {
          size = named.size
          return Effect.void
        }
        const why = named === undefined ? "was removed" : "names another file now"
        return Effect.logInfo(`file sink: ${file} ${why}; opening it again`).pipe(Effect.zipRight(close), Effect.zipRight(open))
      }
    )

    /** Renames the file to `<file>.<n>` and opens a new one. */
    const rotate: Effect.Effect<void, SinkError> = Effect.gen(function*() {
      if (rotation === 0) rotation = yield* nextRotation(file)
      const target = `${file}.${rotation++}`
      yield* close
      yield* Effect.tryPromise({ try: () => fs.rename(file, target), catch: FsReason.sinkError(`rotate to ${target}`, file) })
      yield* open
    })

    /**
     * After a write failed: cuts the file back to `start`, where the batch began, so that nothing of it is
     * left. If even that fails, the file is closed: the next write opens it again and moves the torn line aside.
     */
    const undo = (target: fs.FileHandle, start: number): Effect.Effect<void> =>
      Effect.tryPromise({ try: () => target.truncate(start), catch: FsReason.sinkError("cut a failed batch from", file) }).pipe(
        Effect.zipRight(Effect.sync(() => void (size = start))),
        Effect.catchAll((error) =>
          Effect.zipRight(Effect.logWarning(`file sink: ${error.message}; closing the file`), close)
        )
      )

    /**
     * The write buffer, reused by every batch (under the lock, one batch at a time): a fresh buffer per
     * batch (up to `batch_bytes`, 4 MiB by default) kept about 50 MB of buffers waiting for the GC at
     * 100 MB/s (docs/performance.md, "Footprint"). It grows to the largest batch written and stays.
     */
    let scratch = Buffer.allocUnsafeSlow(0)
    const alloc: Alloc = (bytes) => {
      if (scratch.byteLength < bytes) scratch = Buffer.allocUnsafeSlow(Math.max(bytes, Math.min(2 * scratch.byteLength, 4 * 1024 * 1024)))
      return scratch.subarray(0, bytes)
    }

    /**
     * Encodes a batch with `encode` into the write buffer and writes it completely (short writes are
     * continued); with `fsync`, durably (`O_DSYNC`, or an `fdatasync` after it). All or nothing: a failure
     * leaves the file as it was before. The write is not interruptible, so the lock is never given up
     * while part of a batch is still on its way to the file.
     */
    const writeAll = (encode: (alloc: Alloc) => Buffer): Effect.Effect<void, SinkError> =>
      lock.withPermits(1)(Effect.gen(function*() {
        const data = encode(alloc)
        yield* handle === undefined ? open : follow
        if (rotateBytes > 0 && size > 0 && size + data.byteLength > rotateBytes) yield* rotate
        const target = handle!
        const start = size
        yield* Effect.uninterruptible(Effect.tryPromise({
          try: async () => {
            let at = 0
            while (at < data.byteLength) {
              const { bytesWritten } = await target.write(data, at, data.byteLength - at)
              at += bytesWritten
              size += bytesWritten
            }
            if (mode.datasync) await target.datasync()
          },
          catch: FsReason.sinkError("write", file)
        }).pipe(Effect.tapError(() => undo(target, start))))
      }))

    yield* lock.withPermits(1)(open)
    yield* Effect.addFinalizer(() => lock.withPermits(1)(close))

    const sinkStrBatch = (data: ReadonlyArray<string>) => (data.length === 0 ? Effect.void : writeAll((alloc) => textLines(data, alloc)))
    return AsyncSink.make({
      identifier,
      sinkStr: (data) => writeAll((alloc) => textLines([data], alloc)),
      sinkStrBatch,
      // a record's line is text like any other: encoded at routing time, written as lines (so joined by "\n")
      recordEncoder: RecordEncoder.make(recordLine, sinkStrBatch, { separator: "\n" }),
      sinkBytes: (data) => writeAll((alloc) => byteLines([data], alloc)),
      sinkBytesBatch: (data) => (data.length === 0 ? Effect.void : writeAll((alloc) => byteLines(data, alloc))),
      sinkRecord: (record) => writeAll((alloc) => textLines([recordLine(record)], alloc)),
      sinkRecords: (records: ReadonlyArray<DataRecord.DataRecord>) =>
        records.length === 0 ? Effect.void : writeAll((alloc) => recordLines(records, recordLine, alloc)),
      reconnect: lock.withPermits(1)(Effect.zipRight(close, open)),
      stop: lock.withPermits(1)(close)
    })
  })

/**
 * The path a replica writes: `base/file` for a single replica, `base/<stem>-<idx><ext>` when the group runs
 * several (e.g. `out-0.dat`, `out-1.dat`), so replicas never share a file; a relative `base` is under the
 * build context's work root.
 */
export const replicaPath = (params: SinkParams, ctx: SinkFactory.SinkBuildCtx): string => {
  const full = path.resolve(ctx.workRoot, filePath(params))
  if (ctx.replicaCnt <= 1) return full
  const ext = path.extname(full)
  return `${full.slice(0, full.length - ext.length)}-${ctx.replicaIdx}${ext}`
}

/** The `file` sink factory. */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params, _, ctx) =>
    Effect.map(
      make({ file: replicaPath(params, ctx), fmt: params.fmt, rotateBytes: params.rotate_bytes, fsync: params.fsync }),
      SinkFactory.handle
    )
})
