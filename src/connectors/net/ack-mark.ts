/**
 * `AckMark`: where the disk intake's acks stand — the sequence number of the first event not acked
 * yet — kept in `<dir>/acked.json` as one padded JSON record overwritten in place by a single `pwrite`
 * (as the `file` source's checkpoint is): a killed process leaves the old record or the new one. A mark
 * that lags (not yet flushed when the machine died) only replays events again, never skips one.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Schema, type Scope } from "effect"
import type { SourceError } from "../../errors/source.js"
import * as FsReason from "../file/fs-reason.js"

const Mark = Schema.parseJson(Schema.Struct({ acked: Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)) }))
const decode = Schema.decodeUnknownEither(Mark)

/** The record's size: one write within a disk sector. */
const RECORD = 64

/** What `open` found: no mark yet, a mark, or a file that is not one (with why). */
export type Loaded =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Found"; readonly acked: number }
  | { readonly _tag: "Corrupt"; readonly detail: string }

/** An open mark: `save` overwrites it, `flush` makes it durable; the Scope closes it. */
export interface AckMark {
  /** Where it lives. */
  readonly file: string
  /** What was there when it was opened. */
  readonly loaded: Loaded
  /**
   * Overwrites the mark with `acked` when it is higher than before: one synchronous 64-byte `pwrite` to the
   * page cache (tens of microseconds, also while the log is being synced), so a killed process leaves the
   * mark of its last ack; nothing once the Scope closed.
   */
  readonly save: (acked: number) => Effect.Effect<void, SourceError>
  /** Makes the last `save` durable (`fdatasync`). */
  readonly flush: Effect.Effect<void, SourceError>
}

/** The record of `acked`: padded JSON ending in a newline. */
const encode = (acked: number, record: Buffer): void => {
  record.fill(" ")
  record.write(`{"acked":${acked}}`, 0, "utf8")
  record[RECORD - 1] = 0x0a
}

/** Opens (creating it) the mark in `dir` in the current Scope, reading what it holds. */
export const open = (dir: string): Effect.Effect<AckMark, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const file = path.join(dir, "acked.json")
    let closed = false
    const fd = yield* Effect.acquireRelease(
      Effect.try({
        try: () => fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644),
        catch: FsReason.sourceError("open intake ack mark", file)
      }),
      (fd) =>
        Effect.sync(() => {
          closed = true
          fs.closeSync(fd)
        })
    )
    const text = yield* Effect.try({
      try: () => {
        const buffer = Buffer.alloc(RECORD * 4)
        const n = fs.readSync(fd, buffer, 0, buffer.length, 0)
        return buffer.toString("utf8", 0, n)
      },
      catch: FsReason.sourceError("read intake ack mark", file)
    })
    const decoded = text.trim() === "" ? undefined : decode(text.trim())
    const loaded: Loaded = decoded === undefined
      ? { _tag: "Missing" }
      : decoded._tag === "Right"
      ? { _tag: "Found", acked: decoded.right.acked }
      : { _tag: "Corrupt", detail: `${file} is not an ack mark: ${decoded.left.message.split("\n")[0] ?? ""}` }
    const record = Buffer.alloc(RECORD, " ")
    let last = loaded._tag === "Found" ? loaded.acked : -1
    let sized = text.length === RECORD
    return {
      file,
      loaded,
      save: (acked) =>
        Effect.try({
          try: () => {
            if (acked <= last || closed) return
            encode(acked, record)
            fs.writeSync(fd, record, 0, RECORD, 0)
            if (!sized) {
              fs.ftruncateSync(fd, RECORD)
              sized = true
            }
            last = acked
          },
          catch: FsReason.sourceError("write intake ack mark", file)
        }),
      flush: Effect.suspend(() =>
        closed ? Effect.void : Effect.async<void, SourceError>((resume) => {
          fs.fdatasync(fd, (error) => resume(error === null ? Effect.void : Effect.fail(FsReason.sourceError("sync intake ack mark", file)(error))))
        })
      )
    }
  })
