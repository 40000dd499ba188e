/**
 * `Tail`: the reading of one file of a multi-file `file` source — the single-file source's reader
 * (a framer, a read-ahead, an ack ledger) for one file known by its fingerprint. It reads from a handle
 * it may lose (the file was truncated: its content is gone from that inode) and take again on another
 * file with the same fingerprint (the copy a copy-truncate made); a rename keeps the handle. Events go to
 * its `Sink` with the tail and the event's number in it (the source makes the `FileToken`).
 *
 * @since 0.1.0
 */
import type * as fs from "node:fs/promises"
import { Effect } from "effect"
import type { SourceError } from "../../errors/source.js"
import type * as RawData from "../../model/raw.js"
import * as Tags from "../../model/tags.js"
import * as AckLedger from "./ack-ledger.js"
import type { Framer } from "./framer.js"
import * as FsReason from "./fs-reason.js"
import type { GzipReader } from "./gzip-reader.js"
import { Multiline } from "./multiline.js"
import type * as MultilineRules from "./multiline.js"
import { ReadAhead } from "./read-ahead.js"

/** The ack token of an event of a multi-file source: its tail, its number there, and its number in the source. */
export class FileToken {
  constructor(
    /** The tail that read the event. */
    readonly tail: Tail,
    /** The event's number in that tail (its `AckLedger` number). */
    readonly n: number,
    /** The event's number in the source (its `eventId`): the order events were handed out in. */
    readonly seq: number
  ) {}
}

/** Where a tail's complete events go: the payload, its tags, its bytes, the tail and the event's number there. */
export type Sink = (payload: RawData.RawData, tags: Tags.Tags, bytes: number, tail: Tail, n: number) => void

/** What a tail reads from: a plain file's handle, or a `.gz` file's decompressed stream. */
export type Input =
  | { readonly _tag: "Plain"; readonly handle: fs.FileHandle }
  | { readonly _tag: "Gzip"; readonly reader: GzipReader }

/** What a tail needs besides its file: its framer, multiline rules (none: a line is an event), tags and sink. */
export interface Setup {
  readonly framer: Framer
  readonly multiline: MultilineRules.Rules | undefined
  readonly tags: Tags.Tags
  readonly sink: Sink
}

/** The reading of one file. */
export class Tail {
  /** The path it was last seen at. */
  path: string
  /** The file it reads now (device and inode), and its input; none while detached. */
  dev: number
  ino: number
  input: Input | undefined
  /** The end of the last event emitted (where a reading would go on without duplicates). */
  emittedEnd: number
  /** Every event ending at or before `ledger.committed` was acked. */
  ledger: AckLedger.AckLedger
  /** Read to the end and done with (a `.gz` file, no `follow`, or the file is gone): released once acked. */
  finished = false
  /** No matched path names the file now: read it to its end, then finish. */
  orphan = false
  /** Its file was closed to free a slot (`max_open_files`) while it had nothing more to read: opened again when it grows. */
  parked = false
  /** The size the last scan saw. */
  seenSize = 0
  private nextNumber = 0
  private readonly ahead = new ReadAhead()
  private readonly multiline: Multiline | undefined
  private pathTags: Tags.Tags
  private cutTags: Tags.Tags
  private readonly emitLine: (payload: RawData.RawData, start: number, end: number, truncated: boolean, bytes: number) => void

  constructor(
    /** The fingerprint of its content: what it is known by. */
    readonly fingerprint: string,
    path: string,
    dev: number,
    ino: number,
    input: Input,
    offset: number,
    private readonly setup: Setup
  ) {
    this.path = path
    this.dev = dev
    this.ino = ino
    this.input = input
    this.emittedEnd = offset
    this.ledger = AckLedger.make(offset, 0)
    this.pathTags = Tags.set(setup.tags, "file", path)
    this.cutTags = Tags.set(this.pathTags, "truncated", "true")
    const toEvent = (payload: RawData.RawData, _start: number, end: number, truncated: boolean, bytes: number): void => {
      const n = this.nextNumber++
      AckLedger.record(this.ledger, end)
      this.emittedEnd = end
      setup.sink(payload, truncated ? this.cutTags : this.pathTags, bytes, this, n)
    }
    this.multiline = setup.multiline === undefined ? undefined : new Multiline(setup.multiline, toEvent)
    this.emitLine = this.multiline === undefined ? toEvent : this.multiline.line
    setup.framer.reset(offset)
  }

  /** `true` when it is a `.gz` file (read once to its end, never followed). */
  get gzip(): boolean {
    return this.input?._tag === "Gzip"
  }

  /** The offset of the next byte to read. */
  get position(): number {
    return this.setup.framer.position
  }

  /** Renames it (`path`): its events are tagged with the new path from now on. */
  movedTo(path: string): void {
    if (path === this.path) return
    this.path = path
    this.pathTags = Tags.set(this.setup.tags, "file", path)
    this.cutTags = Tags.set(this.pathTags, "truncated", "true")
  }

  /** Reads one chunk at the read position and frames it (`now`: the Clock's milliseconds); the bytes read, 0 at the end. */
  readChunk(now: number): Effect.Effect<number, SourceError> {
    const input = this.input
    if (input === undefined) return Effect.succeed(0)
    const framer = this.setup.framer
    const { buffer, readAt, readLength } = framer
    const position = framer.position
    return Effect.tryPromise({
      try: () =>
        input._tag === "Plain"
          ? this.ahead.read(input.handle, buffer, readAt, readLength, position)
          : input.reader.read(buffer, readAt, readLength, position),
      catch: FsReason.sourceError("read", this.path)
    }).pipe(Effect.map((n) => {
      if (n > 0) {
        if (this.multiline !== undefined) this.multiline.now = now
        framer.feed(n, this.emitLine)
      }
      return n
    }))
  }

  /** At the end of the file: emits the last line without `\n` and a pending multiline event. */
  flushAll(): void {
    this.setup.framer.flush(this.emitLine)
    this.multiline?.flush()
  }

  /** Emits a pending multiline event when no line came for its timeout by `now`. */
  flushIfStale(now: number): void {
    this.multiline?.flushIfStale(now)
  }

  /** Starts again at `offset` (a seek, or reading from 0 after a truncation): acks of events read before are ignored. */
  restart(offset: number, midLine = false): void {
    this.ledger = AckLedger.make(offset, this.nextNumber)
    this.emittedEnd = offset
    this.setup.framer.reset(offset, midLine)
    this.multiline?.reset()
    this.finished = false
  }

  /**
   * Records the ack of its event `n`: `true` when its checkpoint moved, `false` when not (acked twice, read
   * before a restart, or acked ahead of a gap), `undefined` when it read no event `n`.
   */
  ackOf(n: number): boolean | undefined {
    return AckLedger.ack(this.ledger, n)
  }

  /** Records the ack of its event `n` and of every one before it: as `ackOf`. */
  ackUpToOf(n: number): boolean | undefined {
    return AckLedger.ackUpTo(this.ledger, n)
  }

  /** `true` when every event it emitted was acked. */
  get settled(): boolean {
    return AckLedger.pending(this.ledger) === 0
  }

  /** Closes its input (it stays known by its fingerprint and position). */
  detach(): Effect.Effect<void> {
    const input = this.input
    this.input = undefined
    if (input === undefined) return Effect.void
    if (input._tag === "Gzip") return Effect.sync(() => input.reader.close())
    return Effect.promise(() => input.handle.close().catch(() => undefined))
  }

  /** Takes `input` (the file `dev`/`ino` at `path`, with its fingerprint) and reads on from where it was. */
  attach(input: Input, path: string, dev: number, ino: number): void {
    this.input = input
    this.dev = dev
    this.ino = ino
    this.orphan = false
    this.movedTo(path)
  }
}
