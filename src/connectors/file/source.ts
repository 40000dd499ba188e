/**
 * The `file` source: reads a file's lines (`encode = "text"`) or raw chunks (`encode = "raw"`) in
 * batches of up to `batch_lines` events. Each event's ack token is its number (`eventId`); the source
 * remembers the byte span of every event not acked yet (`AckLedger`); acks advance a checkpoint kept under the build context's work root, so a restart resumes just
 * after the last event acked in order (when the file still has the checkpoint's inode and `Fingerprint`). With `follow`, it polls for appended data, a rotation by rename
 * (the old file is read to its end, then the new one from 0) and a truncation (read again from 0).
 * It seeks to `Start`, `End` or a byte `Offset`.
 *
 * @since 0.1.0
 */
import type { Stats } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Clock, Effect, Option, type Scope } from "effect"
import { SourceError } from "../../errors/source.js"
import { UnifiedReason } from "../../errors/unified.js"
import type * as RawData from "../../model/raw.js"
import * as Tags from "../../model/tags.js"
import type { SeekPosition } from "../../source/control.js"
import * as DataSource from "../../source/data-source.js"
import * as SourceEvent from "../../source/event.js"
import * as SourceFactory from "../../source/factory.js"
import * as AckLedger from "./ack-ledger.js"
import * as Checkpoint from "./checkpoint.js"
import { type Framer, RawFramer } from "./framer.js"
import * as Fingerprint from "./fingerprint.js"
import * as FsReason from "./fs-reason.js"
import { LineSplitter } from "./line-splitter.js"
import { ReadAhead } from "./read-ahead.js"
import * as FileSetSource from "./file-set-source.js"
import { filePath, kind, SourceParams, wantsFileSet } from "./params.js"

/**
 * One reading of one file (device and inode). A new generation starts when the file is rotated,
 * truncated or sought: acks of events from an older generation are ignored.
 */
export class FileGeneration {
  constructor(
    /** The file's device. */
    readonly dev: number,
    /** The file's inode. */
    readonly ino: number
  ) {}

  /** The file's fingerprint (see `Fingerprint`), once it was read: the file had a first line by then. */
  fingerprint: string | undefined = undefined
}

/**
 * What `make` needs: the source's name and decoded params, the work root (a relative `base` is under it),
 * its tags, and its checkpoint file (none: no checkpoint).
 */
export interface Options {
  readonly name: string
  readonly params: SourceParams
  readonly workRoot: string
  readonly tags?: Tags.Tags | undefined
  readonly checkpointFile?: string | undefined
}

interface Opened {
  readonly handle: fs.FileHandle
  readonly stats: Stats
}

const truncatedTag = (tags: Tags.Tags): Tags.Tags => Tags.set(tags, "truncated", "true")

const isMissing = (error: SourceError): boolean => error._tag === "SourceUvs" && error.uvs.kind === "NotFoundError"

/** Opens `file` for reading; a directory is refused. */
const openFile = (file: string): Effect.Effect<Opened, SourceError> =>
  Effect.tryPromise({ try: () => fs.open(file, "r"), catch: FsReason.sourceError("open", file) }).pipe(
    Effect.flatMap((handle) =>
      Effect.tryPromise({ try: () => handle.stat(), catch: FsReason.sourceError("stat", file) }).pipe(
        Effect.filterOrFail(
          (stats) => !stats.isDirectory(),
          () => SourceError.uvs(UnifiedReason.system(`open ${file}: EISDIR: is a directory, not a file`))
        ),
        Effect.map((stats): Opened => ({ handle, stats })),
        Effect.tapError(() => Effect.promise(() => handle.close().catch(() => undefined)))
      )
    )
  )

/** Opens `file`, or `None` when it does not exist. */
const openIfPresent = (file: string): Effect.Effect<Option.Option<Opened>, SourceError> =>
  Effect.catchIf(Effect.asSome(openFile(file)), isMissing, () => Effect.succeed(Option.none()))

/**
 * Where to start reading the file `file` (just opened, `stats`, its fingerprint read by `fingerprint`): at
 * the checkpoint when it is this file's (same path, inode and fingerprint, offset within the file); at 0
 * when it is the path's but another inode (rotated while stopped), other content (replaced in place, or
 * the inode reused), beyond the file (truncated) or unreadable; by `start` when there is none for this path.
 */
const resumeAt = (
  loaded: Checkpoint.Loaded,
  file: string,
  start: SourceParams["start"],
  stats: Stats,
  fingerprint: Effect.Effect<string | undefined, SourceError>
): Effect.Effect<number, SourceError> => {
  if (loaded._tag === "Corrupt") return Effect.succeed(0)
  if (loaded._tag === "Found" && loaded.checkpoint.path === file) {
    const { ino, offset } = loaded.checkpoint
    if (ino !== stats.ino || offset > stats.size) return Effect.succeed(0)
    const known = loaded.checkpoint.fingerprint
    return known === undefined ? Effect.succeed(offset) : Effect.map(fingerprint, (now) => (now === known ? offset : 0))
  }
  return Effect.succeed(start === "end" ? stats.size : 0)
}

/**
 * A `file` source over `options`, opened in the current Scope (which closes the file and writes the
 * checkpoint one last time, fsynced). A missing file fails with `SourceUvs` (NotFoundError, 102) naming
 * it, unless `follow` is set: then the source waits for it to appear.
 */
export const make = (options: Options): Effect.Effect<DataSource.DataSource, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const { params } = options
    const file = path.resolve(options.workRoot, filePath(params))
    const identifier = `file:${file}`
    const tags = options.tags ?? Tags.empty
    const cutTags = truncatedTag(tags)
    const batchLines = params.batch_lines
    const framer: Framer = params.encode === "text"
      ? new LineSplitter(params.read_bytes, params.max_line_bytes)
      : new RawFramer(params.read_bytes)
    const lock = yield* Effect.makeSemaphore(1)
    const ahead = new ReadAhead()

    let current: Opened | undefined
    let generation: FileGeneration | undefined
    let ledger = AckLedger.make(0, 0)
    let ready: Array<SourceEvent.SourceEvent> = []
    /** The payload bytes of each ready event (the engine need not count them). */
    let readyBytes: Array<number> = []
    let eventId = 0
    let finished = false
    let closed = false
    /** The path now names another file: read the open one to its end, then switch. */
    let draining = false
    let lastCheck = Number.NEGATIVE_INFINITY
    let saved: Checkpoint.Checkpoint | undefined

    const emit = (payload: RawData.RawData, _start: number, end: number, truncated: boolean, bytes: number): void => {
      const n = eventId++
      ready.push(new SourceEvent.SourceEvent({ eventId: n, srcKey: options.name, payload, tags: truncated ? cutTags : tags, ackToken: n }))
      readyBytes.push(bytes)
      AckLedger.record(ledger, end)
    }

    const available = (): number => ready.length

    /** The next batch: up to `batch_lines` ready events (the rest stay ready), with its bytes recorded. */
    const take = (): SourceEvent.SourceBatch => {
      const n = Math.min(ready.length, batchLines)
      let bytes = 0
      for (let i = 0; i < n; i++) bytes += readyBytes[i]!
      if (n === ready.length) {
        const batch = ready
        ready = []
        readyBytes = []
        return SourceEvent.withBatchBytes(batch, bytes)
      }
      const batch = ready.slice(0, n)
      ready = ready.slice(n)
      readyBytes = readyBytes.slice(n)
      return SourceEvent.withBatchBytes(batch, bytes)
    }

    /** Saves the checkpoint when it changed (and fsyncs it with `durable`); without a store or a file, nothing. */
    const persist = (durable: boolean): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        const gen = generation
        if (store === undefined || gen === undefined) return Effect.void
        // the fingerprint is read once per generation, when its first event was acked (so the file has a first line)
        if (gen.fingerprint === undefined && ledger.committed > 0 && current !== undefined) {
          return Effect.zipRight(
            Effect.tap(Fingerprint.read(current.handle, file, params.fingerprint_bytes, false), (fp) => {
              gen.fingerprint = fp ?? ""
            }),
            persist(durable)
          )
        }
        const fingerprint = gen.fingerprint === "" ? undefined : gen.fingerprint
        const next = { path: file, dev: gen.dev, ino: gen.ino, offset: ledger.committed, fingerprint }
        const save = saved !== undefined && saved.offset === next.offset && saved.ino === next.ino &&
            saved.fingerprint === next.fingerprint
          ? Effect.void
          : Effect.tap(store.save(next), () => {
            saved = next
          })
        return durable ? Effect.zipRight(save, store.sync) : save
      })

    /** Starts a new generation of `opened` at `offset` (events already ready stay ready). */
    const begin = (opened: Opened, offset: number, midLine = false): void => {
      current = opened
      generation = new FileGeneration(opened.stats.dev, opened.stats.ino)
      ledger = AckLedger.make(offset, eventId)
      framer.reset(offset, midLine)
      finished = false
      draining = false
    }

    const closeCurrent: Effect.Effect<void> = Effect.suspend(() => {
      const handle = current?.handle
      current = undefined
      return handle === undefined ? Effect.void : Effect.promise(() => handle.close().catch(() => undefined))
    })

    /** Opens the path again (after a rotation, or when it was missing) from offset 0; `false` when it is still missing. */
    const reopen: Effect.Effect<boolean, SourceError> = closeCurrent.pipe(
      Effect.zipRight(openIfPresent(file)),
      Effect.flatMap((opened) => {
        if (Option.isNone(opened)) return Effect.succeed(false)
        begin(opened.value, 0)
        return Effect.as(persist(false), true)
      })
    )

    /** `true` when `poll_ms` passed since the last look at the path. */
    const due: Effect.Effect<boolean> = Effect.map(Clock.currentTimeMillis, (now) => {
      if (now - lastCheck < params.poll_ms) return false
      lastCheck = now
      return true
    })

    /**
     * At the end of the open file, with `follow`: looks whether the path names another file now (rotation:
     * drain, then switch) or the file shrank (truncation: read again from 0). `true` when reading should go on.
     */
    const lookAround = (opened: Opened): Effect.Effect<boolean, SourceError> =>
      Effect.gen(function*() {
        if (!(yield* due)) return false
        const named = yield* Effect.option(Effect.tryPromise(() => fs.stat(file)))
        if (Option.isSome(named) && (named.value.ino !== generation?.ino || named.value.dev !== generation.dev)) {
          draining = true
          return true
        }
        const stats = yield* Effect.tryPromise({ try: () => opened.handle.stat(), catch: FsReason.sourceError("stat", file) })
        if (stats.size < framer.position) {
          begin({ handle: opened.handle, stats }, 0)
          yield* persist(false)
          return true
        }
        return false
      })

    /** Reads until `batch_lines` events are ready, the end of the file, or (with `follow`) no new data. */
    const fill: Effect.Effect<void, SourceError> = Effect.gen(function*() {
      while (available() < batchLines && !finished) {
        if (closed) return yield* Effect.fail(SourceError.supplierError(`${identifier}: source is closed`))
        const opened = current
        if (opened === undefined) {
          if (!(yield* due) || !(yield* reopen)) return
          continue
        }
        const { buffer, readAt, readLength } = framer
        const bytesRead = yield* Effect.tryPromise({
          try: () => ahead.read(opened.handle, buffer, readAt, readLength, framer.position),
          catch: FsReason.sourceError("read", file)
        })
        if (bytesRead > 0) {
          framer.feed(bytesRead, emit)
          continue
        }
        if (!params.follow) {
          framer.flush(emit)
          finished = true
        } else if (draining) {
          framer.flush(emit)
          yield* reopen
        } else if (!(yield* lookAround(opened))) {
          return
        }
      }
    })

    const receive: Effect.Effect<SourceEvent.SourceBatch, SourceError> = Effect.suspend(() => {
      if (available() >= batchLines) return Effect.succeed(take())
      return lock.withPermits(1)(Effect.uninterruptible(fill)).pipe(
        Effect.flatMap(() =>
          available() > 0
            ? Effect.succeed(take())
            : finished
            ? Effect.fail(SourceError.eof(`end of ${file}`))
            : Effect.succeed<SourceEvent.SourceBatch>([])
        )
      )
    })

    const tryReceive = (): Option.Option<SourceEvent.SourceBatch> =>
      available() >= batchLines || (finished && available() > 0) ? Option.some(take()) : Option.none()

    const notAToken = (token: unknown): SourceError =>
      SourceError.supplierError(`${identifier}: not a file source ack token (an event number it handed out): ${String(token)}`)

    const acked = (token: unknown): boolean | SourceError =>
      (typeof token === "number" ? AckLedger.ack(ledger, token) : undefined) ?? notAToken(token)

    const ackBatch = (tokens: ReadonlyArray<unknown>): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        let moved = false
        for (const token of tokens) {
          const result = acked(token)
          if (typeof result !== "boolean") return Effect.fail(result)
          moved = moved || result
        }
        return moved ? persist(false) : Effect.void
      })

    const ackUpTo = (token: unknown): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        const result = typeof token === "number" ? AckLedger.ackUpTo(ledger, token) : undefined
        if (result === undefined) return Effect.fail(notAToken(token))
        return result ? persist(false) : Effect.void
      })

    /** The byte before `offset` is a `\n` (or `offset` is 0): a line starts there. */
    const lineStartsAt = (opened: Opened, offset: number): Effect.Effect<boolean, SourceError> => {
      if (offset === 0 || params.encode === "raw") return Effect.succeed(true)
      const probe = Buffer.alloc(1)
      return Effect.tryPromise({
        try: () => opened.handle.read(probe, 0, 1, offset - 1),
        catch: FsReason.sourceError("read", file)
      }).pipe(Effect.map(() => probe[0] === 0x0a))
    }

    const seek = (position: SeekPosition): Effect.Effect<void, SourceError> =>
      lock.withPermits(1)(Effect.uninterruptible(Effect.gen(function*() {
        const opened = current
        if (opened === undefined) {
          return yield* Effect.fail(SourceError.supplierError(`${identifier}: cannot seek, the file is not open`))
        }
        const stats = yield* Effect.tryPromise({ try: () => opened.handle.stat(), catch: FsReason.sourceError("stat", file) })
        const reopened: Opened = { handle: opened.handle, stats }
        switch (position._tag) {
          case "Start":
            begin(reopened, 0)
            break
          case "End":
            begin(reopened, stats.size)
            break
          case "Offset": {
            const offset = position.offset
            if (!Number.isSafeInteger(offset) || offset < 0 || offset > stats.size) {
              return yield* Effect.fail(
                SourceError.supplierError(`${identifier}: seek offset ${offset} is outside 0..${stats.size}`)
              )
            }
            begin(reopened, offset, !(yield* lineStartsAt(opened, offset)))
            break
          }
          default:
            return yield* Effect.fail(
              SourceError.supplierError(`${identifier}: cannot seek to ${position._tag}; use Start, End or Offset`)
            )
        }
        ready = []
        readyBytes = []
        yield* persist(false)
      })))

    const close: Effect.Effect<void> = lock.withPermits(1)(Effect.suspend(() => {
      if (closed) return Effect.void
      closed = true
      return closeCurrent.pipe(
        Effect.zipRight(persist(true)),
        Effect.catchAll((error) => Effect.logWarning(`${identifier}: last checkpoint not written: ${error.message}`))
      )
    }))

    const checkpointFile = options.checkpointFile
    const loaded: Checkpoint.Loaded = checkpointFile === undefined
      ? { _tag: "Missing" }
      : yield* Checkpoint.load(checkpointFile)
    const store = checkpointFile === undefined ? undefined : yield* Checkpoint.open(checkpointFile)
    yield* Effect.addFinalizer(() => close)
    if (loaded._tag === "Corrupt") {
      yield* Effect.logWarning(`${identifier}: ${loaded.detail}; reading from the beginning`)
    }
    const opened = yield* (params.follow ? openIfPresent(file) : Effect.asSome(openFile(file)))
    if (Option.isSome(opened)) {
      const { handle, stats } = opened.value
      begin(opened.value, yield* resumeAt(loaded, file, params.start, stats, Fingerprint.read(handle, file, params.fingerprint_bytes, false)))
      yield* persist(false)
    }

    return DataSource.make({
      identifier,
      caps: { ack: true, seek: true, parallel: false },
      // reading a file never waits for data that may not come (with `follow`, no new data is an empty batch)
      promptReceive: true,
      receive,
      tryReceive,
      ack: (token) => ackBatch([token]),
      ackBatch,
      ackUpTo,
      seek,
      close
    })
  })

/**
 * The `file` source factory: a relative `base` is under the build context's work root, and checkpoints
 * live in `<work_root>/checkpoints/` (see `Checkpoint.location`). Globs, `include`, another encoding,
 * multiline patterns or a `.gz` file take the multi-file source (`FileSetSource`); a plain path this one.
 */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags, ctx) =>
    (wantsFileSet(params) ? FileSetSource.make : make)({
      name,
      params,
      workRoot: ctx.workRoot,
      tags,
      checkpointFile: params.checkpoint ? Checkpoint.location(ctx.workRoot, name) : undefined
    })
})
