/**
 * The multi-file `file` source: reads every file a set of globs matches (`/var/log/app/*.log`, `**`
 * to recurse, minus `exclude`), as Vector's `file` or Fluent Bit's `tail` do. Each file is read by its own
 * `Tail`, known by its `Fingerprint` (a checksum of its first line), not by its path or inode: a rename is
 * the same file read on, a copy-truncate's copy is the file read on from where it was, and the truncated
 * file is new content read from 0. With `follow`, the globs are scanned every `poll_ms`: new files are
 * read from their start, gone ones read to their end, then released once their events are acked. At most
 * `max_open_files` are open at once (others wait for a slot). Batches take events from every file in turn;
 * each event's ack token is a `FileToken` (its tail and its number there), and one checkpoint holds an
 * entry per file (`FileSetCheckpoint`). `.gz` files are read decompressed, once, to their end.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Clock, Effect, Option, type Scope } from "effect"
import { SourceError } from "../../errors/source.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as Tags from "../../model/tags.js"
import type { SeekPosition } from "../../source/control.js"
import * as DataSource from "../../source/data-source.js"
import * as SourceEvent from "../../source/event.js"
import * as Decoder from "./decoder.js"
import * as Discovery from "./discovery.js"
import * as FileSetCheckpoint from "./file-set-checkpoint.js"
import * as Fingerprint from "./fingerprint.js"
import { RawFramer } from "./framer.js"
import * as FsReason from "./fs-reason.js"
import * as Glob from "./glob.js"
import { GzipReader } from "./gzip-reader.js"
import type * as MultilineRules from "./multiline.js"
import { isGlob, type SourceParams } from "./params.js"
import { FileToken, type Input, Tail } from "./tail.js"

/** What `make` needs: the source's name, decoded params, work root, tags and checkpoint file (none: no checkpoint). */
export interface Options {
  readonly name: string
  readonly params: SourceParams
  readonly workRoot: string
  readonly tags?: Tags.Tags | undefined
  readonly checkpointFile?: string | undefined
}

/** How many released files' entries the checkpoint keeps (the most recent), and how many are remembered in memory. */
const KEPT_IN_CHECKPOINT = 64
const REMEMBERED = 1024

const inodeKey = (dev: number, ino: number): string => `${dev}:${ino}`

/** The multiline rules of `params`, none when neither pattern is set. */
const multilineRules = (params: SourceParams): MultilineRules.Rules | undefined =>
  params.multiline_start === "" && params.multiline_continue === ""
    ? undefined
    : {
      start: params.multiline_start === "" ? undefined : new RegExp(params.multiline_start),
      continue: params.multiline_continue === "" ? undefined : new RegExp(params.multiline_continue),
      maxLines: params.multiline_max_lines,
      maxBytes: params.multiline_max_bytes,
      timeoutMs: params.multiline_timeout_ms
    }

/** `token` of a seek: `"<path>:<offset>"` (the last `:` separates them). */
const parseSeekToken = (token: string): { readonly file: string; readonly offset: number } | undefined => {
  const at = token.lastIndexOf(":")
  if (at <= 0) return undefined
  const offset = Number(token.slice(at + 1))
  return Number.isSafeInteger(offset) && offset >= 0 ? { file: token.slice(0, at), offset } : undefined
}

/**
 * A multi-file `file` source over `options`, opened in the current Scope (which closes every file and
 * writes the checkpoint one last time, fsynced). A glob matching no file is not an error: with `follow`
 * the source waits for files to appear; without, it ends. One named file (no glob) that is missing
 * without `follow` fails with `SourceUvs` (NotFoundError, 102) naming it, as the single-file source does.
 */
export const make = (options: Options): Effect.Effect<DataSource.DataSource, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const { params } = options
    const base = path.resolve(options.workRoot, params.base)
    const includes = params.include.length > 0 ? params.include : [params.file]
    const patterns: Discovery.Patterns = {
      include: includes.map((p) => Glob.compile(p, base)),
      exclude: params.exclude.map((p) => Glob.compile(p, base))
    }
    const identifier = `file:${patterns.include.map((g) => g.pattern).join(",")}`
    const tags = options.tags ?? Tags.empty
    const batchLines = params.batch_lines
    const rules = multilineRules(params)
    const lock = yield* Effect.makeSemaphore(1)

    /** The files being read (or waiting for acks); by fingerprint too. */
    let tails: Array<Tail> = []
    const byFingerprint = new Map<string, Tail>()
    /** Files not being read, by fingerprint: the checkpoint's, and those released (read and acked to their end). */
    const known = new Map<string, FileSetCheckpoint.Entry>()
    /** The files released (by device and inode) and their size then: not opened again until they grow. */
    const releasedAt = new Map<string, number>()
    /** A single-file checkpoint migrated: applies to the file at its path with its inode. */
    let migrated: FileSetCheckpoint.Entry | undefined
    /** Fingerprints of `.gz` files found at the first scan with `start = "end"`: not read. */
    const skipped = new Set<string>()
    let ready: Array<SourceEvent.SourceEvent> = []
    let readyBytes: Array<number> = []
    let eventId = 0
    let scanned = false
    /** The last scan left files unopened (`max_open_files`). */
    let waiting = false
    let closed = false
    let turn = 0
    let lastScan = Number.NEGATIVE_INFINITY
    let saved = ""

    const sink = (payload: SourceEvent.SourceEvent["payload"], eventTags: Tags.Tags, bytes: number, tail: Tail, n: number): void => {
      const seq = eventId++
      ready.push(new SourceEvent.SourceEvent({ eventId: seq, srcKey: options.name, payload, tags: eventTags, ackToken: new FileToken(tail, n, seq) }))
      readyBytes.push(bytes)
    }

    /**
     * What was handed out and not acked cumulatively yet, as runs of one tail's events: the last event of
     * each run (its token). `ackUpTo` walks them in order.
     */
    let handed: Array<FileToken> = []
    let handedHead = 0

    /** Records the runs of `batch` (just handed out) in `handed`. */
    const recordRuns = (batch: ReadonlyArray<SourceEvent.SourceEvent>): void => {
      for (let i = 0; i < batch.length; i++) {
        const token = batch[i]!.ackToken as FileToken
        const next = batch[i + 1]
        if (next === undefined || (next.ackToken as FileToken).tail !== token.tail) handed.push(token)
      }
    }

    const newTail = (fingerprint: string, file: string, dev: number, ino: number, input: Input, offset: number): Tail => {
      const framer = params.encode === "raw"
        ? new RawFramer(params.read_bytes)
        : Decoder.framer(params.encoding, params.read_bytes, params.max_line_bytes)
      const tail = new Tail(fingerprint, file, dev, ino, input, offset, { framer, multiline: rules, tags, sink })
      tails.push(tail)
      byFingerprint.set(fingerprint, tail)
      known.delete(fingerprint)
      return tail
    }

    const entryOf = (tail: Tail, offset: number): FileSetCheckpoint.Entry => ({
      fingerprint: tail.fingerprint,
      path: tail.path,
      dev: tail.dev,
      ino: tail.ino,
      offset
    })

    const remember = (entry: FileSetCheckpoint.Entry): void => {
      known.set(entry.fingerprint!, entry)
      if (known.size > REMEMBERED) known.delete(known.keys().next().value!)
    }

    /** Releases the finished (or detached) tails whose events were all acked: closed, remembered with their end. */
    const release: Effect.Effect<void> = Effect.suspend(() => {
      const done = tails.filter((t) => (t.finished || (t.input === undefined && !t.parked)) && t.settled)
      if (done.length === 0) return Effect.void
      tails = tails.filter((t) => !done.includes(t))
      return Effect.forEach(done, (tail) => {
        byFingerprint.delete(tail.fingerprint)
        remember(entryOf(tail, tail.emittedEnd))
        // a plain file is opened again once it holds more than was read of it; a `.gz` one once it changes
        releasedAt.set(inodeKey(tail.dev, tail.ino), tail.gzip ? tail.seenSize : tail.emittedEnd)
        if (releasedAt.size > REMEMBERED) releasedAt.delete(releasedAt.keys().next().value!)
        return tail.detach()
      }, { discard: true })
    })

    /** Saves the checkpoint when it changed (and fsyncs it with `durable`); without a store, nothing. */
    const persist = (durable: boolean): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        if (store === undefined) return Effect.void
        const entries = tails.map((t) => entryOf(t, t.ledger.committed))
        const recent = [...known.values()].slice(-KEPT_IN_CHECKPOINT)
        if (migrated !== undefined) recent.push(migrated)
        const text = JSON.stringify([...entries, ...recent])
        const save = text === saved ? Effect.void : Effect.tap(store.save([...entries, ...recent]), () => {
          saved = text
        })
        return durable ? Effect.zipRight(save, store.sync) : save
      })

    /** Where to start reading the file `file` (fingerprint `fingerprint`, `size` bytes) first seen now. */
    const resumeAt = (fingerprint: string, file: string, ino: number, size: number, gzip: boolean): number => {
      const entry = known.get(fingerprint)
      if (entry !== undefined) return gzip || entry.offset <= size ? entry.offset : 0
      if (migrated !== undefined && migrated.path === file && migrated.ino === ino) {
        const offset = migrated.offset
        migrated = undefined
        return offset <= size ? offset : 0
      }
      return !scanned && params.start === "end" && !gzip ? size : 0
    }

    /** Opens `file` for reading, `None` when it is gone (or cannot be opened: it is looked at again next scan). */
    const openQuietly = (file: string) =>
      Effect.option(Effect.tryPromise({ try: () => fs.open(file, "r"), catch: FsReason.sourceError("open", file) }))

    /** How many tails have their file open. */
    const openCount = (): number => tails.reduce((n, t) => n + (t.input === undefined ? 0 : 1), 0)

    /** Opens `file` again for the parked `tail` when it is still the file `tail` read (same inode); `false` when not. */
    const unpark = (tail: Tail, file: string) =>
      Effect.gen(function*() {
        const handle = yield* openQuietly(file)
        if (Option.isNone(handle)) return false
        const stats = yield* Effect.option(Effect.tryPromise(() => handle.value.stat()))
        if (Option.isNone(stats) || stats.value.ino !== tail.ino || stats.value.dev !== tail.dev) {
          yield* Effect.promise(() => handle.value.close())
          return false
        }
        tail.attach({ _tag: "Plain", handle: handle.value }, file, tail.dev, tail.ino)
        return true
      })

    /** Looks at the files the globs match now: renames, truncations, new and gone files, parked ones with new data. */
    const discover: Effect.Effect<void, SourceError> = Effect.gen(function*() {
      const found = yield* Discovery.scan(patterns)
      const byInode = new Map<string, string>()
      for (const [file, stats] of found) byInode.set(inodeKey(stats.dev, stats.ino), file)
      const claimed = new Set<string>()
      let open = openCount()
      waiting = false
      for (const tail of tails) {
        if (tail.input === undefined && !tail.parked) continue
        const key = inodeKey(tail.dev, tail.ino)
        const file = byInode.get(key)
        if (file === undefined) {
          // gone (deleted, or renamed out of the globs): an open one is read to its end; a parked one cannot be
          if (tail.parked) {
            tail.parked = false
            tail.finished = true
          } else {
            tail.orphan = true
          }
          continue
        }
        const stats = found.get(file)!
        if (!tail.gzip && stats.size < tail.position) {
          // truncated (copytruncate): that content is gone from this inode; a copy with its fingerprint may go on with it
          tail.parked = false
          yield* tail.detach()
          yield* Effect.logInfo(`${identifier}: ${file} was truncated (${stats.size} < ${tail.position}); read again from 0`)
          continue
        }
        claimed.add(key)
        // found again (a scan may miss a file being renamed): an orphan read to its end goes on being followed
        if (tail.orphan && !tail.gzip) tail.finished = false
        tail.orphan = false
        tail.movedTo(file)
        tail.seenSize = stats.size
        if (tail.parked && stats.size > tail.position) {
          if (open >= params.max_open_files) {
            waiting = true
          } else if (yield* unpark(tail, file)) {
            tail.parked = false
            open++
          }
        }
      }
      for (const [file, stats] of found) {
        const key = inodeKey(stats.dev, stats.ino)
        if (claimed.has(key) || stats.size <= (releasedAt.get(key) ?? -1)) continue
        if (open >= params.max_open_files) {
          waiting = true
          break
        }
        const handle = yield* openQuietly(file)
        if (Option.isNone(handle)) continue
        const gzip = file.endsWith(".gz")
        const fingerprint = yield* Fingerprint.read(handle.value, file, params.fingerprint_bytes, gzip).pipe(
          Effect.tapError(() => Effect.promise(() => handle.value.close()))
        )
        const owner = fingerprint === undefined ? undefined : byFingerprint.get(fingerprint)
        if (fingerprint === undefined || skipped.has(fingerprint) || (owner !== undefined && (owner.input !== undefined || owner.parked))) {
          // too short to be known yet, left out, or a copy of a file being read: looked at again next scan
          yield* Effect.promise(() => handle.value.close())
          continue
        }
        const input: Input = gzip ? { _tag: "Gzip", reader: new GzipReader(file) } : { _tag: "Plain", handle: handle.value }
        if (gzip) yield* Effect.promise(() => handle.value.close())
        open++
        if (owner !== undefined) {
          // the file it was reading, found again: a copy-truncate's copy (read on), or the truncated file with the same first line (read from 0)
          owner.attach(input, file, stats.dev, stats.ino)
          if (!gzip && stats.size < owner.position) owner.restart(0)
          continue
        }
        if (gzip && !scanned && params.start === "end" && !known.has(fingerprint)) {
          skipped.add(fingerprint)
          yield* Effect.sync(() => input._tag === "Gzip" && input.reader.close())
          open--
          continue
        }
        const tail = newTail(fingerprint, file, stats.dev, stats.ino, input, resumeAt(fingerprint, file, stats.ino, stats.size, gzip))
        tail.seenSize = stats.size
      }
      if (waiting && params.follow) {
        // more files than slots: the files read to their end give theirs up until they grow
        for (const tail of tails) {
          if (tail.input?._tag === "Plain" && !tail.orphan && !tail.finished && tail.position >= tail.seenSize) {
            yield* tail.detach()
            tail.parked = true
          }
        }
      }
      scanned = true
      yield* release
      yield* persist(false)
    })

    /** `true` when the globs are due for a scan: never scanned, a slot freed for a file waiting, or, with `follow`, `poll_ms` since the last. */
    const due: Effect.Effect<boolean> = Effect.map(Clock.currentTimeMillis, (now) => {
      const slotFree = waiting && openCount() < params.max_open_files
      if (scanned && !slotFree && (!params.follow || now - lastScan < params.poll_ms)) return false
      lastScan = now
      return true
    })

    /**
     * Reads a chunk of a `.gz` file: a corrupt stream ends that file (with a warning naming it and the
     * offset reached), not the source, since a rotated file damaged on the way need not stop the others.
     */
    const readGzip = (tail: Tail, now: number): Effect.Effect<number> =>
      Effect.catchAll(tail.readChunk(now), (error) =>
        Effect.as(
          Effect.logWarning(`${identifier}: ${tail.path} is not a readable gzip file past offset ${tail.position}: ${error.message}`),
          0
        ))

    /** Every file is read to its end and no scan will find more (without `follow`). */
    const exhausted = (): boolean => scanned && !params.follow && !waiting && tails.every((t) => t.finished)

    /** Reads, a chunk per file in turn, until `batch_lines` events are ready or no file has more now. */
    const fill: Effect.Effect<void, SourceError> = Effect.gen(function*() {
      while (ready.length < batchLines) {
        if (closed) return yield* Effect.fail(SourceError.supplierError(`${identifier}: source is closed`))
        if (yield* due) yield* discover
        const now = yield* Clock.currentTimeMillis
        let progress = false
        const count = tails.length
        turn = (turn + 1) % Math.max(1, count)
        for (let i = 0; i < count && ready.length < batchLines; i++) {
          const tail = tails[(turn + i) % count]!
          if (tail.finished || tail.input === undefined) continue
          const n = tail.gzip ? yield* readGzip(tail, now) : yield* tail.readChunk(now)
          if (n > 0) {
            progress = true
          } else if (!params.follow || tail.gzip || tail.orphan) {
            tail.flushAll()
            tail.finished = true
            progress = true
          } else {
            tail.flushIfStale(now)
          }
        }
        if (!progress) return
      }
    })

    /** The next batch: up to `batch_lines` ready events, with its bytes recorded. */
    const take = (): SourceEvent.SourceBatch => {
      const n = Math.min(ready.length, batchLines)
      let bytes = 0
      for (let i = 0; i < n; i++) bytes += readyBytes[i]!
      const batch = n === ready.length ? ready : ready.slice(0, n)
      ready = n === ready.length ? [] : ready.slice(n)
      readyBytes = n === readyBytes.length ? [] : readyBytes.slice(n)
      recordRuns(batch)
      return SourceEvent.withBatchBytes(batch, bytes)
    }

    const receive: Effect.Effect<SourceEvent.SourceBatch, SourceError> = Effect.suspend(() => {
      if (ready.length >= batchLines) return Effect.succeed(take())
      return lock.withPermits(1)(Effect.uninterruptible(fill)).pipe(
        Effect.flatMap(() =>
          ready.length > 0
            ? Effect.succeed(take())
            : exhausted()
            ? Effect.fail(SourceError.eof(`end of ${identifier}`))
            : Effect.succeed<SourceEvent.SourceBatch>([])
        )
      )
    })

    const tryReceive = (): Option.Option<SourceEvent.SourceBatch> =>
      ready.length >= batchLines || (exhausted() && ready.length > 0) ? Option.some(take()) : Option.none()

    const notAToken = (token: unknown): SourceError =>
      SourceError.supplierError(`${identifier}: not a file source ack token (a FileToken it handed out): ${String(token)}`)

    const ackBatch = (tokens: ReadonlyArray<unknown>): Effect.Effect<void, SourceError> =>
      lock.withPermits(1)(Effect.suspend(() => {
        let moved = false
        for (const token of tokens) {
          if (!(token instanceof FileToken)) return Effect.fail(notAToken(token))
          const result = token.tail.ackOf(token.n)
          if (result === undefined) return Effect.fail(notAToken(token))
          moved = moved || result
        }
        if (!moved) return Effect.void
        return Effect.zipRight(release, persist(false))
      }))

    /**
     * Acks the event of `token` and every event handed out before it, whichever file it came from: each run
     * of one file's events up to it is acked cumulatively in its tail.
     */
    const ackUpTo = (token: unknown): Effect.Effect<void, SourceError> =>
      lock.withPermits(1)(Effect.suspend(() => {
        if (!(token instanceof FileToken)) return Effect.fail(notAToken(token))
        let moved = false
        while (handedHead < handed.length && handed[handedHead]!.seq <= token.seq) {
          const last = handed[handedHead++]!
          moved = (last.tail.ackUpToOf(last.n) ?? false) || moved
        }
        if (handedHead < handed.length && handed[handedHead]!.tail === token.tail) {
          moved = (token.tail.ackUpToOf(token.n) ?? false) || moved
        }
        if (handedHead > 1024 && handedHead * 2 > handed.length) {
          handed = handed.slice(handedHead)
          handedHead = 0
        }
        if (!moved) return Effect.void
        return Effect.zipRight(release, persist(false))
      }))

    /** Drops the ready events of `tail` (all of them when none is named). */
    const dropReady = (tail?: Tail): void => {
      if (tail === undefined) {
        ready = []
        readyBytes = []
        return
      }
      const keep = ready.map((e) => !(e.ackToken instanceof FileToken && e.ackToken.tail === tail))
      ready = ready.filter((_, i) => keep[i])
      readyBytes = readyBytes.filter((_, i) => keep[i])
    }

    /** The size of `tail`'s file now (a `.gz` file's: what was read of it). */
    const sizeOf = (tail: Tail): Effect.Effect<number, SourceError> => {
      const input = tail.input
      if (input?._tag !== "Plain") return Effect.succeed(tail.position)
      return Effect.map(Effect.tryPromise({ try: () => input.handle.stat(), catch: FsReason.sourceError("stat", tail.path) }), (s) => s.size)
    }

    /** The byte before `offset` of `tail`'s file is a `\n` (or `offset` is 0, or the file is raw, UTF-16 or compressed). */
    const lineStartsAt = (tail: Tail, offset: number): Effect.Effect<boolean, SourceError> => {
      const input = tail.input
      if (offset === 0 || params.encode === "raw" || input?._tag !== "Plain" || params.encoding.startsWith("utf-16")) {
        return Effect.succeed(true)
      }
      const probe = Buffer.alloc(1)
      return Effect.tryPromise({ try: () => input.handle.read(probe, 0, 1, offset - 1), catch: FsReason.sourceError("read", tail.path) })
        .pipe(Effect.map(() => probe[0] === 0x0a))
    }

    const seek = (position: SeekPosition): Effect.Effect<void, SourceError> =>
      lock.withPermits(1)(Effect.uninterruptible(Effect.gen(function*() {
        switch (position._tag) {
          case "Start":
          case "End": {
            for (const tail of tails) tail.restart(position._tag === "Start" ? 0 : yield* sizeOf(tail))
            dropReady()
            break
          }
          case "Token": {
            const wanted = parseSeekToken(position.token)
            if (wanted === undefined) {
              return yield* Effect.fail(SourceError.supplierError(
                `${identifier}: seek token ${JSON.stringify(position.token)} is not "<path>:<offset>" (a file and a byte offset)`
              ))
            }
            const tail = tails.find((t) => t.path === path.resolve(base, wanted.file) && t.input !== undefined)
            if (tail === undefined) {
              return yield* Effect.fail(SourceError.supplierError(`${identifier}: cannot seek in ${wanted.file}: no such file is being read`))
            }
            const size = yield* sizeOf(tail)
            if (wanted.offset > size) {
              return yield* Effect.fail(SourceError.supplierError(`${identifier}: seek offset ${wanted.offset} is outside 0..${size} of ${tail.path}`))
            }
            tail.restart(wanted.offset, !(yield* lineStartsAt(tail, wanted.offset)))
            dropReady(tail)
            break
          }
          default:
            return yield* Effect.fail(SourceError.supplierError(
              `${identifier}: cannot seek to ${position._tag}; use Start, End or Token "<path>:<offset>" (several files are read)`
            ))
        }
        yield* persist(false)
      })))

    const close: Effect.Effect<void> = lock.withPermits(1)(Effect.suspend(() => {
      if (closed) return Effect.void
      closed = true
      return Effect.forEach(tails, (t) => t.detach(), { discard: true }).pipe(
        Effect.zipRight(persist(true)),
        Effect.catchAll((error) => Effect.logWarning(`${identifier}: last checkpoint not written: ${error.message}`))
      )
    }))

    // one named file (no glob) that is not followed must be there, as for the single-file source
    const literal = params.include.length === 0 && !isGlob(params.file) && !params.follow
    if (literal) {
      const named = patterns.include[0]!.pattern
      yield* Effect.tryPromise({ try: () => fs.stat(named), catch: FsReason.sourceError("open", named) }).pipe(
        Effect.filterOrFail(
          (stats) => !stats.isDirectory(),
          () => SourceError.uvs(UnifiedReason.system(`open ${named}: EISDIR: is a directory, not a file`))
        )
      )
    }

    const checkpointFile = options.checkpointFile
    const loaded: FileSetCheckpoint.Loaded = checkpointFile === undefined
      ? { _tag: "Missing" }
      : yield* FileSetCheckpoint.load(checkpointFile)
    if (loaded._tag === "Corrupt") yield* Effect.logWarning(`${identifier}: ${loaded.detail}; reading from the beginning`)
    if (loaded._tag === "Found") {
      for (const entry of loaded.files) {
        if (entry.fingerprint === undefined) migrated = entry
        else known.set(entry.fingerprint, entry)
      }
    }
    const store = checkpointFile === undefined
      ? undefined
      : yield* FileSetCheckpoint.open(checkpointFile, loaded._tag === "Found" ? loaded.seq : 0)
    yield* Effect.addFinalizer(() => close)

    return DataSource.make({
      identifier,
      caps: { ack: true, seek: true, parallel: false },
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
