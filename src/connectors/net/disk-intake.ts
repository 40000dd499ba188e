/**
 * `DiskIntake`: the disk-backed intake of the listener sources (`buffer = "disk"`): a write-ahead log
 * between the sockets and the `DataSource`, under `<work root>/intake/<source>/`.
 *
 * - **Append.** Producers push batches as into the memory `Intake`; each event is encoded at once into
 *   the group being filled. The group is written with one `write` as soon as the event loop turns (and
 *   right after the write before it), then `fdatasync`ed (group commit: one write and one sync per
 *   group, many events and connections per group; a write overlaps the sync before it).
 * - **Received = durable.** An event is offered to the engine only once its group is synced (written,
 *   with `fsync = false`); `awaitDurable` lets the HTTP source answer `202` only then.
 * - **Reading.** Synced groups go to a bounded in-memory queue (`queueEvents` / `queueBytes`) as they
 *   are; when the engine falls behind and that queue is full, later groups stay on disk only and are
 *   read back from the segments in order once it has room, so memory stays bounded however large the log.
 * - **Acks.** Each event's `eventId` and ack token is its sequence number in the log (counting on
 *   across restarts). `ack`/`ackUpTo` advance the `AckMark`; a segment whose events are all acked is
 *   deleted.
 * - **Bounds.** Producers are paused (`push` reports full) while the log holds `maxBytes` bytes,
 *   `writeWindowBytes` bytes wait to be written (what a killed process loses beyond the kernel's socket
 *   buffers) or `syncWindowBytes` bytes wait to be synced; nothing is ever dropped here.
 * - **Restart.** `make` recovers the log: a torn tail of the last segment is cut off (never decoded),
 *   and the events not acked are read back first, in order, before anything new.
 * - **Stop.** `close` ends the input: the groups being written are synced, what waits in memory is
 *   handed out, then `SourceEof`; what waits on disk only stays there for the next run.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import { Duration, Effect, FiberSet, Option, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { SourceError } from "../../errors/source.js"
import type * as RawData from "../../model/raw.js"
import type * as Tags from "../../model/tags.js"
import { type AckToken, type SourceBatch, SourceEvent } from "../../source/event.js"
import * as FsReason from "../file/fs-reason.js"
import * as AckMark from "./ack-mark.js"
import * as Intake from "./intake.js"
import * as IntakeLock from "./intake-lock.js"
import * as WalAcks from "./wal-acks.js"
import * as WalRecord from "./wal-record.js"
import * as Wakers from "./wakers.js"
import * as WalSegment from "./wal-segment.js"

/** What `make` needs. */
export interface Options {
  /** The log's directory (created when missing). */
  readonly dir: string
  /** Who owns it, for messages: `"tcp source web"`. */
  readonly what: string
  /** The `srcKey` of the events. */
  readonly srcKey: string
  /** The log's bound in bytes (segments on disk plus the group being filled). */
  readonly maxBytes: number
  /** `fdatasync` each group before its events count as received (`false`: written to the OS is enough). */
  readonly fsync: boolean
  /** At most this many synced events wait in memory; more stay on disk until read back. */
  readonly queueEvents: number
  /** At most this many payload bytes wait in memory. */
  readonly queueBytes: number
  /** Start a new segment once one is this large (default: an eighth of `maxBytes`, 64 KiB to 64 MiB). */
  readonly segmentBytes?: number | undefined
  /** Pause producers while this many appended bytes wait to be handed to the OS (default 256 KiB). */
  readonly writeWindowBytes?: number | undefined
  /** Pause producers while this many appended bytes wait to be synced (default 4 MiB). */
  readonly syncWindowBytes?: number | undefined
  /** The detail of the `SourceEof` after `close`. */
  readonly eof: string
}

/** Counters and positions of a `DiskIntake`. */
export interface DiskIntakeStats {
  /** Segment files on disk. */
  readonly segments: number
  /** Bytes of the log: its segments plus the group being filled. */
  readonly logBytes: number
  /** The sequence number the next event appended gets. */
  readonly nextSeq: number
  /** Every event before this number is durable. */
  readonly durableSeq: number
  /** Every event before this number was acked. */
  readonly ackedSeq: number
  /** Every event before this number was handed out (or will never be: lost to damage). */
  readonly handedOutSeq: number
  /** Events appended since the intake was opened. */
  readonly appended: number
  /** Events pushed after the log failed (or was closed for good), which it could not keep. */
  readonly dropped: number
  /** Events read back from the segments (the un-acked tail of an earlier run, or what overflowed memory). */
  readonly readBack: number
  /** Events found un-acked in the log when it was opened. */
  readonly recovered: number
  /** Bytes cut off a torn or damaged tail when it was opened. */
  readonly cutBytes: number
  /** Events lost to a damaged record found while reading back. */
  readonly lost: number
  /** Group writes (one `writev` each). */
  readonly writes: number
  /** Syncs (each covering the groups written since the one before). */
  readonly syncs: number
  /** Times `push` reported full. */
  readonly fullReports: number
}

/**
 * A write-ahead log with the memory `Intake`'s face (producers `push` and pause on "full"; the source
 * `take`s), plus what a disk buffer adds: durable appends, acks, and counters.
 */
export interface DiskIntake extends Intake.Intake {
  /** The log's directory. */
  readonly dir: string
  /** The sequence number the next appended event gets (its `eventId` and ack token). */
  readonly nextSeq: () => number
  /**
   * The number of the next event a producer builds (`nextSeq` plus the events it built since its last
   * push): events whose `eventId` and `ackToken` are their numbers are kept as they are, every other batch
   * is copied with its numbers. Producers that build a batch and push it in one step use it.
   */
  readonly claim: () => number
  /** `true` while the log is at its byte bound (or failed): the HTTP source refuses requests then. */
  readonly atBound: () => boolean
  /** The I/O error that stopped the log, once it failed (nothing more is appended then). */
  readonly failure: () => SourceError | undefined
  /** Appends `batch` (like `push`) and returns the sequence number after its last event, for `awaitDurable`. */
  readonly append: (batch: ReadonlyArray<SourceEvent>) => number
  /** Waits until every event before `seq` is durable; fails when the log failed first. */
  readonly awaitDurable: (seq: number) => Effect.Effect<void, SourceError>
  /** Acks the event numbered `token` (acks may come in whatever order). */
  readonly ack: (token: AckToken) => Effect.Effect<void, SourceError>
  /** Acks several events. */
  readonly ackBatch: (tokens: ReadonlyArray<AckToken>) => Effect.Effect<void, SourceError>
  /** Acks the event numbered `token` and every event handed out before it. */
  readonly ackUpTo: (token: AckToken) => Effect.Effect<void, SourceError>
  /** A snapshot of its counters. */
  readonly stats: () => DiskIntakeStats
}

/** One group commit: events `firstSeq` to `endSeq - 1` in one record at `offset` of `segment`. */
interface Group {
  readonly firstSeq: number
  readonly endSeq: number
  /** The events (numbered as in the log), kept until synced to be handed out without reading them back. */
  readonly batches: Array<ReadonlyArray<SourceEvent>>
  /** The payload bytes of each of `batches`. */
  readonly batchBytes: Array<number>
  readonly segment: WalSegment.Segment
  readonly offset: number
  readonly length: number
}

/** Where reading back stands: the next record to read. */
interface Cursor {
  segment: WalSegment.Segment
  offset: number
}

/** How long the Scope's release waits for the last groups to be written and synced. */
const closeWait = Duration.seconds(10)

/** How much is read back from a segment at a time (grown for a larger record). */
const READ_BYTES = 1 << 20

/**
 * Opens the log in `options.dir` in the current Scope: takes its lock (a `ConfigError` when another
 * live process holds it), recovers it (cutting a torn tail off), and gets ready to replay what was not
 * acked. Closing the Scope syncs what was appended, saves the ack mark durably and closes every file.
 */
export const make = (options: Options): Effect.Effect<DiskIntake, SourceError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const { dir, fsync, maxBytes, srcKey, what } = options
    const segmentBytes = options.segmentBytes ?? Math.min(64 << 20, Math.max(64 << 10, Math.floor(maxBytes / 8)))
    const writeWindow = options.writeWindowBytes ?? 256 << 10
    const syncWindow = options.syncWindowBytes ?? 4 << 20

    yield* Effect.try({ try: () => fs.mkdirSync(dir, { recursive: true }), catch: FsReason.sourceError("create intake directory", dir) })
    yield* IntakeLock.acquire(what, dir)
    const mark = yield* AckMark.open(dir)
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const log = (effect: Effect.Effect<void>) => {
      run(effect)
    }

    // ---- recovery ----
    const segments = yield* WalSegment.list(dir)
    let cutBytes = 0
    for (const empty of segments.filter((s) => s.size === 0)) {
      yield* Effect.try({ try: () => fs.rmSync(empty.file, { force: true }), catch: FsReason.sourceError("remove empty intake segment", empty.file) })
    }
    for (let i = segments.length - 1; i >= 0; i--) if (segments[i]!.size === 0) segments.splice(i, 1)
    let nextSeq = 0
    const last = segments[segments.length - 1]
    if (last !== undefined) {
      const recovered = yield* WalSegment.recover(last)
      nextSeq = recovered.endSeq
      cutBytes = recovered.cutBytes
      if (recovered.cutBytes > 0) {
        yield* Effect.logWarning(
          `${what}: cut ${recovered.cutBytes} bytes off the tail of ${last.file} (${recovered.cutReason ?? "damaged"}): a write the process did not finish; its events never counted as received`
        )
      }
      if (recovered.validBytes === 0) {
        yield* Effect.try({ try: () => fs.rmSync(last.file, { force: true }), catch: FsReason.sourceError("remove empty intake segment", last.file) })
        segments.pop()
      }
    }
    let acked = 0
    if (mark.loaded._tag === "Found") acked = mark.loaded.acked
    else if (mark.loaded._tag === "Corrupt") yield* Effect.logWarning(`${what}: ${mark.loaded.detail}; replaying every event in the log`)
    const first = segments[0]
    // segments before the first one left were deleted once acked: the mark may lag behind that
    if (first !== undefined && (mark.loaded._tag !== "Found" || first.firstSeq > acked)) acked = first.firstSeq
    if (acked > nextSeq) nextSeq = acked
    const recoveredEvents = nextSeq - acked

    // ---- state ----
    let onDisk = 0
    for (const s of segments) onDisk += s.size
    let active: WalSegment.Segment | undefined
    let durableSeq = nextSeq
    /** Every event before it is in `ready`, handed out, or lost to damage. */
    let memEnd = acked
    let cursor: Cursor | undefined = memEnd < durableSeq && segments.length > 0 ? { segment: segments[0]!, offset: 0 } : undefined
    const ready = Intake.make({ maxEvents: options.queueEvents, maxBytes: options.queueBytes, eof: options.eof })
    const acks = WalAcks.make(acked)

    let filling = new WalRecord.RecordWriter()
    let spare = new WalRecord.RecordWriter()
    filling.begin(nextSeq)
    let fillingBatches: Array<ReadonlyArray<SourceEvent>> = []
    let fillingBytes: Array<number> = []
    /** Numbers handed out by `claim` since the last append. */
    let claimed = 0
    let flying: Group | undefined
    let unsynced: Array<Group> = []
    let syncing = false
    let writeScheduled: NodeJS.Immediate | undefined
    let dirDirty = false
    /** Bytes reserved by writes since opening, and bytes of them durable. */
    let reservedBytes = 0
    let durableBytes = 0
    let reading = false
    let readBuffer = Buffer.allocUnsafe(READ_BYTES)
    let closed = false
    let released = false
    let failed: SourceError | undefined
    const counts = { appended: 0, dropped: 0, readBack: 0, lost: 0, writes: 0, syncs: 0, fullReports: 0 }

    const consumers = Wakers.make()
    const producers = Wakers.make()
    let durableWaiters: Array<{ readonly seq: number; readonly resume: (failure: SourceError | undefined) => void }> = []
    const quietWaiters = Wakers.make()

    const dirFd = yield* Effect.acquireRelease(
      Effect.try({ try: () => fs.openSync(dir, "r"), catch: FsReason.sourceError("open intake directory", dir) }),
      (fd) => Effect.sync(() => fs.closeSync(fd))
    )

    const logBytes = () => onDisk + (filling.count > 0 ? filling.size : 0)
    const unsyncedBytes = () => reservedBytes - durableBytes + (filling.count > 0 ? filling.size : 0)
    const atBound = () => failed !== undefined || logBytes() >= maxBytes
    /** Bytes appended and not yet written to the OS: what a killed process loses beyond the kernel's socket buffers. */
    const unwrittenBytes = () => (filling.count > 0 ? filling.size : 0) + (flying === undefined ? 0 : flying.length)
    const isFull = () => atBound() || unwrittenBytes() >= writeWindow || unsyncedBytes() >= syncWindow
    const quiet = () => failed !== undefined || (flying === undefined && unsynced.length === 0 && !syncing && filling.count === 0)
    const handedOutSeq = () => memEnd - ready.size()

    /** Resumes the paused producers when there is room (or the intake closed). */
    const wakeProducers = () => {
      if (producers.size() > 0 && (!isFull() || closed)) producers.wakeAll()
    }
    /** Resumes the `awaitQuiet` callers once nothing is being written or synced. */
    const wakeQuiet = () => {
      if (quietWaiters.size() > 0 && quiet()) quietWaiters.wakeAll()
    }
    /** Resumes the `awaitDurable` callers whose events are durable now (or that the failure ended). */
    const settleDurable = () => {
      if (durableWaiters.length === 0) return
      const waiting = durableWaiters
      durableWaiters = []
      for (const waiter of waiting) {
        if (waiter.seq <= durableSeq) waiter.resume(undefined)
        else if (failed !== undefined) waiter.resume(failed)
        else durableWaiters.push(waiter)
      }
    }

    /** Stops the log after an I/O failure: what is durable is still handed out, then `take` fails. */
    const fail = (error: SourceError) => {
      if (failed !== undefined) return
      failed = error
      log(Effect.logError(`${what}: disk intake failed, nothing more is appended (reading is paused; what was read meanwhile is dropped): ${error.message}`))
      settleDurable()
      consumers.wakeAll()
      wakeQuiet()
      producers.wakeAll()
    }

    const closeWrite = (segment: WalSegment.Segment) => {
      if (segment.writeFd === undefined) return
      const fd = segment.writeFd
      segment.writeFd = undefined
      fs.close(fd, () => undefined)
    }
    const closeRead = (segment: WalSegment.Segment) => {
      if (segment.readFd === undefined) return
      const fd = segment.readFd
      segment.readFd = undefined
      fs.close(fd, () => undefined)
    }
    /** Closes a sealed segment's write descriptor once everything written to it is durable. */
    const closeWriteIfDone = (segment: WalSegment.Segment) => {
      if (segment !== active && segment.durable === segment.size) closeWrite(segment)
    }

    /** The events of `group` into the memory queue. */
    const toReady = (group: Group) => {
      for (let i = 0; i < group.batches.length; i++) ready.push(group.batches[i]!, group.batchBytes[i]!)
      memEnd = group.endSeq
    }

    /** `groups` are durable: hand them to memory if it has room and nothing waits on disk before them. */
    const markDurable = (groups: ReadonlyArray<Group>) => {
      // what one sync made durable goes to memory together: at most the memory bound plus one sync's worth
      const room = !ready.isFull()
      for (const group of groups) {
        group.segment.durable = Math.max(group.segment.durable, group.offset + group.length)
        durableBytes += group.length
        durableSeq = group.endSeq
        if (cursor === undefined && memEnd === group.firstSeq && room) toReady(group)
        else if (cursor === undefined) cursor = { segment: group.segment, offset: group.offset }
        group.batches.length = 0
        group.batchBytes.length = 0
      }
      settleDurable()
      consumers.wakeAll()
      wakeProducers()
      wakeQuiet()
    }

    /** Syncs what was written (the segments written to, and the directory after a new segment), then marks it durable. */
    const kickSync = (): void => {
      if (syncing || unsynced.length === 0 || failed !== undefined) return
      syncing = true
      const groups = unsynced
      unsynced = []
      const targets: Array<{ readonly fd: number; readonly file: string }> = []
      for (const group of groups) {
        const fd = group.segment.writeFd
        if (fd !== undefined && !targets.some((t) => t.fd === fd)) targets.push({ fd, file: group.segment.file })
      }
      if (dirDirty) {
        dirDirty = false
        targets.push({ fd: dirFd, file: dir })
      }
      const step = (i: number): void => {
        if (i === targets.length) {
          syncing = false
          counts.syncs++
          markDurable(groups)
          for (const group of groups) closeWriteIfDone(group.segment)
          kickSync()
          return
        }
        const target = targets[i]!
        const done = (error: NodeJS.ErrnoException | null) => {
          if (error !== null) {
            syncing = false
            return fail(FsReason.sourceError("sync intake segment", target.file)(error))
          }
          step(i + 1)
        }
        if (target.fd === dirFd) fs.fsync(target.fd, done)
        else fs.fdatasync(target.fd, done)
      }
      step(0)
    }

    /** Writes the group being filled (one `write`), unless a write is in flight or the log failed. */
    const startWrite = (): void => {
      writeScheduled = undefined
      if (flying !== undefined || filling.count === 0 || failed !== undefined || released) return
      let segment = active
      if (segment === undefined || segment.size >= segmentBytes) {
        const previous = segment
        const fresh = WalSegment.found(dir, filling.firstSeq, 0)
        try {
          fresh.writeFd = fs.openSync(fresh.file, "wx", 0o644)
        } catch (error) {
          return fail(FsReason.sourceError("create intake segment", fresh.file)(error))
        }
        segments.push(fresh)
        active = fresh
        dirDirty = fsync
        if (previous !== undefined) closeWriteIfDone(previous)
        segment = fresh
      }
      const pieces = filling.finish()
      let length = 0
      for (const piece of pieces) length += piece.length
      const group: Group = {
        firstSeq: filling.firstSeq,
        endSeq: filling.firstSeq + filling.count,
        batches: fillingBatches,
        batchBytes: fillingBytes,
        segment,
        offset: segment.size,
        length
      }
      segment.size += length
      onDisk += length
      reservedBytes += length
      flying = group
      const written = filling
      filling = spare
      spare = written
      filling.begin(nextSeq)
      fillingBatches = []
      fillingBytes = []
      counts.writes++
      const fd = segment.writeFd!
      const done = (error: NodeJS.ErrnoException | null) => {
        flying = undefined
        if (error !== null) return fail(FsReason.sourceError("write intake segment", group.segment.file)(error))
        if (fsync) {
          unsynced.push(group)
          kickSync()
        } else {
          markDurable([group])
        }
        if (filling.count > 0) startWrite()
        wakeProducers()
        wakeQuiet()
      }
      fs.writev(fd, pieces, group.offset, (error, n) => {
        if (error !== null || n === length) return done(error)
        // a short write (rare): the rest, from where it stopped
        const rest = Buffer.concat(pieces).subarray(n)
        fs.write(fd, rest, 0, rest.length, group.offset + n, (again, m) =>
          done(again ?? (m === rest.length ? null : Object.assign(new Error(`short write: ${m} of ${rest.length} bytes`), { code: "EIO" }))))
      })
    }

    const scheduleWrite = () => {
      if (flying !== undefined || writeScheduled !== undefined) return
      if (closed) startWrite()
      else writeScheduled = setImmediate(startWrite)
    }

    /** `batch` numbered from `first` (event id and ack token): a copy, unless its producer numbered it so (see `claim`). */
    const numbered = (batch: ReadonlyArray<SourceEvent>, first: number): ReadonlyArray<SourceEvent> => {
      let own = true
      for (let i = 0; own && i < batch.length; i++) own = batch[i]!.ackToken === first + i && batch[i]!.eventId === first + i
      if (own) return batch
      return batch.map((e, i) => new SourceEvent({ eventId: first + i, srcKey, payload: e.payload, tags: e.tags, upsIp: e.upsIp, ackToken: first + i }))
    }

    const append = (batch: ReadonlyArray<SourceEvent>): number => {
      claimed = 0
      if (batch.length === 0) return nextSeq
      if (failed !== undefined || released) {
        counts.dropped += batch.length
        return nextSeq
      }
      const before = filling.payloadBytes
      filling.add(batch)
      fillingBatches.push(numbered(batch, nextSeq))
      fillingBytes.push(filling.payloadBytes - before)
      nextSeq += batch.length
      counts.appended += batch.length
      scheduleWrite()
      return nextSeq
    }

    // ---- reading back ----

    /** Events `from` to `to - 1` will never be handed out (damage): acks skip them. */
    const lose = (from: number, to: number, why: string) => {
      if (to <= from) return
      WalAcks.skip(acks, from, to)
      counts.lost += to - from
      log(Effect.logError(`${what}: lost events ${from} to ${to - 1} of the disk intake: ${why}`))
    }

    const caughtUp = () => {
      if (memEnd < durableSeq || cursor === undefined) return
      if (cursor.segment !== active) closeRead(cursor.segment)
      cursor = undefined
    }

    /** Reads the next records at the cursor into memory, then calls `done`. */
    const readStep = (done: () => void): void => {
      const at = cursor
      if (at === undefined || failed !== undefined || released) return done()
      const segment = at.segment
      if (at.offset >= segment.durable) {
        const next = segments[segments.indexOf(segment) + 1]
        if (next === undefined || segment === active) {
          // nothing readable where events should be: give up on them rather than wait forever
          lose(memEnd, durableSeq, `${segment.file} ends at ${segment.durable} bytes before them`)
          memEnd = durableSeq
          caughtUp()
          return done()
        }
        closeRead(segment)
        if (next.firstSeq > memEnd) {
          lose(memEnd, next.firstSeq, `${segment.file} holds no whole record of them (damaged, or cut short)`)
          memEnd = next.firstSeq
        }
        cursor = { segment: next, offset: 0 }
        caughtUp()
        return readStep(done)
      }
      let fd: number
      try {
        fd = segment.readFd ??= fs.openSync(segment.file, "r")
      } catch (error) {
        fail(FsReason.sourceError("open intake segment", segment.file)(error))
        return done()
      }
      const want = Math.min(segment.durable - at.offset, readBuffer.length)
      const buffer = readBuffer
      fs.read(fd, buffer, 0, want, at.offset, (error, n) => {
        if (released) return done() // closed meanwhile: the events stay in the log
        if (error !== null) {
          fail(FsReason.sourceError("read intake segment", segment.file)(error))
          return done()
        }
        const out: Array<SourceEvent> = []
        let bytes = 0
        const collect: WalRecord.EventSink = (seq, payload: RawData.RawData, tags: Tags.Tags, upsIp) => {
          out.push(new SourceEvent({ eventId: seq, srcKey, payload, tags, upsIp, ackToken: seq }))
          bytes += typeof payload === "string" ? payload.length : payload.byteLength
        }
        let used = 0
        let damaged: string | undefined
        while (used < n) {
          const found = WalRecord.read(buffer, used, n)
          if (found._tag === "Short") {
            if (used > 0) break
            if (found.need > buffer.length) {
              readBuffer = Buffer.allocUnsafe(found.need)
              return readStep(done)
            }
            // all that was asked for came, or the file ended: either way the record cannot be whole
            damaged = n === want ? `a record at ${at.offset} runs past the synced end` : `the file ends at ${at.offset + n}, before its synced end`
            break
          }
          if (found._tag === "Corrupt") {
            damaged = `${found.detail} at ${at.offset + used}`
            break
          }
          if (!WalRecord.decode(found, memEnd, collect)) {
            damaged = `malformed record at ${at.offset + used}`
            break
          }
          used += found.length
          memEnd = Math.max(memEnd, found.firstSeq + found.count)
        }
        at.offset += used
        if (out.length > 0) {
          counts.readBack += out.length
          ready.push(out, bytes)
        }
        if (damaged !== undefined) {
          // the rest of this segment cannot be framed: skip to its end (and past the events it held)
          at.offset = segment.durable
          if (segment === active) {
            lose(memEnd, durableSeq, `${segment.file}: ${damaged}`)
            memEnd = durableSeq
          } else {
            log(Effect.logError(`${what}: ${segment.file}: ${damaged}; skipping the rest of the segment`))
          }
        }
        caughtUp()
        done()
      })
    }

    /** Reads back once; resumes when the read is done (an interrupted caller leaves the read to finish and queue what it read). */
    const readBack: Effect.Effect<void> = Effect.async<void>((resume) => {
      reading = true
      readStep(() => {
        reading = false
        consumers.wakeAll()
        resume(Effect.void)
      })
    })

    /** Waits until something changes for a consumer: data, the end, a failure. */
    const waitForData: Effect.Effect<void> = Effect.async<void>((resume) => {
      const wake = () => resume(Effect.void)
      consumers.add(wake)
      return Effect.sync(() => consumers.remove(wake))
    })

    /** Only the waits are interruptible: once events leave the memory queue they are returned. */
    const take = (max: number): Effect.Effect<SourceBatch, SourceError> =>
      Effect.uninterruptibleMask((restore) => {
        const loop: Effect.Effect<SourceBatch, SourceError> = Effect.suspend(() => {
          const out = ready.poll(max)
          if (Option.isSome(out)) return Effect.succeed(out.value)
          if (failed !== undefined) return Effect.fail(failed)
          if (cursor !== undefined && !closed) return Effect.zipRight(restore(reading ? waitForData : readBack), loop)
          if (closed && quiet()) return Effect.fail(SourceError.eof(options.eof))
          return Effect.zipRight(restore(waitForData), loop)
        })
        return loop
      })

    // ---- acks ----

    const notAToken = (token: unknown): SourceError =>
      SourceError.supplierError(`${what}: not a disk intake ack token (an event number it handed out): ${String(token)}`)

    const isToken = (token: unknown): token is number =>
      typeof token === "number" && Number.isSafeInteger(token) && token >= 0 && token < handedOutSeq()

    /** Deletes the segments whose events are all acked (the one being written only once it is full). */
    const retire = () => {
      while (segments.length > 0) {
        const segment = segments[0]!
        const next = segments[1]
        if (next !== undefined ? next.firstSeq > acks.acked : acks.acked < nextSeq || (segment === active && segment.size < segmentBytes)) return
        if (segment === active) {
          if (flying !== undefined || filling.count > 0) return
          active = undefined
        }
        if (cursor?.segment === segment) cursor = next === undefined ? undefined : { segment: next, offset: 0 }
        closeWrite(segment)
        closeRead(segment)
        // in the background: an unlink waits for the journal, which the log's syncs keep busy
        fs.unlink(segment.file, (error) => {
          if (error !== null && error.code !== "ENOENT") {
            log(Effect.logWarning(`${what}: cannot remove acked segment ${segment.file}: ${FsReason.describe(error)}`))
          }
        })
        onDisk -= segment.size
        segments.shift()
      }
    }

    /** After acks moved `acked`: save the mark, delete what is acked, let paused producers go on. */
    const acknowledged: Effect.Effect<void, SourceError> = Effect.suspend(() =>
      Effect.tap(mark.save(acks.acked), () => {
        retire()
        wakeProducers()
      })
    )

    const ackBatch = (tokens: ReadonlyArray<AckToken>): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        let moved = false
        for (const token of tokens) {
          if (!isToken(token)) return Effect.fail(notAToken(token))
          moved = WalAcks.ack(acks, token) || moved
        }
        return moved ? acknowledged : Effect.void
      })

    const ackUpTo = (token: AckToken): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        if (!isToken(token)) return Effect.fail(notAToken(token))
        return WalAcks.ackUpTo(acks, token) ? acknowledged : Effect.void
      })

    // ---- end ----

    const close = () => {
      if (closed) return
      closed = true
      if (writeScheduled !== undefined) {
        clearImmediate(writeScheduled)
        writeScheduled = undefined
      }
      startWrite()
      consumers.wakeAll()
      producers.wakeAll()
    }

    /** Waits until nothing is being written or synced (or the log failed). */
    const awaitQuiet: Effect.Effect<void> = Effect.async<void>((resume) => {
      if (quiet()) return resume(Effect.void)
      const wake = () => resume(Effect.void)
      quietWaiters.add(wake)
      return Effect.sync(() => quietWaiters.remove(wake))
    })

    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        close()
        const settled = yield* Effect.timeoutOption(Effect.interruptible(awaitQuiet), closeWait)
        if (Option.isNone(settled)) yield* Effect.logWarning(`${what}: disk intake still writing ${Duration.format(closeWait)} after close`)
        released = true
        yield* Effect.catchAll(Effect.zipRight(mark.save(acks.acked), mark.flush), (error) =>
          Effect.logWarning(`${what}: last ack mark not written: ${error.message}`))
        for (const segment of segments) {
          closeWrite(segment)
          closeRead(segment)
        }
        const failure = failed
        for (const waiter of durableWaiters) waiter.resume(failure ?? SourceError.supplierError(`${what}: disk intake closed`))
        durableWaiters = []
      })
    )

    retire()
    if (recoveredEvents > 0) {
      yield* Effect.logInfo(`${what}: replaying ${recoveredEvents} un-acked events from the disk intake ${dir} (${segments.length} segments)`)
    }

    return {
      dir,
      maxEvents: options.queueEvents,
      maxBytes,
      size: () => nextSeq - handedOutSeq(),
      bytes: logBytes,
      isFull,
      isClosed: () => closed,
      push: (batch) => {
        append(batch)
        if (!isFull()) return true
        counts.fullReports++
        return false
      },
      whenRoom: (resume) => {
        if (!isFull() || closed) resume()
        else producers.add(resume)
      },
      poll: (max) => ready.poll(max),
      take,
      close,
      nextSeq: () => nextSeq,
      claim: () => nextSeq + claimed++,
      atBound,
      failure: () => failed,
      append,
      awaitDurable: (seq) =>
        Effect.async<void, SourceError>((resume) => {
          if (seq <= durableSeq) return resume(Effect.void)
          if (failed !== undefined) return resume(Effect.fail(failed))
          const waiter = {
            seq,
            resume: (failure: SourceError | undefined) => resume(failure === undefined ? Effect.void : Effect.fail(failure))
          }
          durableWaiters.push(waiter)
          return Effect.sync(() => {
            durableWaiters = durableWaiters.filter((w) => w !== waiter)
          })
        }),
      ack: (token) => ackBatch([token]),
      ackBatch,
      ackUpTo,
      stats: () => ({
        segments: segments.length,
        logBytes: logBytes(),
        nextSeq,
        durableSeq,
        ackedSeq: acks.acked,
        handedOutSeq: handedOutSeq(),
        recovered: recoveredEvents,
        cutBytes,
        ...counts
      })
    }
  })
