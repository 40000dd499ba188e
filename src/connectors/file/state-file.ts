/**
 * `StateFile`: a file holding one small record of state — text padded with spaces to whole units and
 * ending in a newline — overwritten in place by one synchronous `pwrite` at offset 0, never shorter than
 * the file already is: a killed process leaves the old record or the new one, never a mix, and the write
 * costs microseconds (a temporary file renamed over the old one costs about 150 µs on ext4). The `file`
 * source's `Checkpoint` and the disk intake's `AckMark` are kept so.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import { Effect, type Scope } from "effect"
import { SourceError } from "../../errors/source.js"
import * as FsReason from "./fs-reason.js"

/** An open state file; the Scope closes it. */
export interface StateFile {
  /** Where it lives. */
  readonly file: string
  /** What it held when it was opened (`""` when it was new). */
  readonly held: string
  /** Whether its Scope has closed it. */
  readonly isClosed: () => boolean
  /**
   * Overwrites the record with `text`, padded to whole units and to at least the file's length (so the
   * one write covers every byte of the old record); fails once the Scope closed it.
   */
  readonly write: (text: string) => Effect.Effect<void, SourceError>
  /** Makes the last write durable (`fdatasync`, off the event loop); nothing once the Scope closed it. */
  readonly sync: Effect.Effect<void, SourceError>
}

/**
 * Opens (creating it, keeping what it holds) the state file `file` in the current Scope, reading what it
 * holds. Records are whole multiples of `unit` bytes (a record within one disk sector is written in one
 * piece); `what` names it in errors: `"write checkpoint <file>: ENOSPC ..."`.
 */
export const open = (file: string, options: { readonly what: string; readonly unit: number }): Effect.Effect<StateFile, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const { unit, what } = options
    let closed = false
    let syncing = 0
    const fd = yield* Effect.acquireRelease(
      Effect.try({
        try: () => fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644),
        catch: FsReason.sourceError(`open ${what}`, file)
      }),
      (fd) =>
        Effect.sync(() => {
          closed = true
          // a sync still running closes it when it ends: the descriptor must not be reused under it
          if (syncing === 0) fs.closeSync(fd)
        })
    )
    const old = yield* Effect.try({ try: () => fs.readFileSync(fd), catch: FsReason.sourceError(`read ${what}`, file) })
    /** The length of the file: every record is written at least this long. */
    let length = Math.ceil(old.length / unit) * unit
    let record = Buffer.alloc(length)
    const write = (text: string): Effect.Effect<void, SourceError> =>
      Effect.suspend(() =>
        closed ? Effect.fail(SourceError.supplierError(`${what} ${file} is closed`)) : Effect.try({
          try: () => {
            length = Math.max(length, Math.ceil((Buffer.byteLength(text, "utf8") + 1) / unit) * unit)
            if (record.length < length) record = Buffer.alloc(length)
            record.fill(0x20, 0, length)
            record.write(text, 0, "utf8")
            record[length - 1] = 0x0a
            fs.writeSync(fd, record, 0, length, 0)
          },
          catch: FsReason.sourceError(`write ${what}`, file)
        })
      )
    const sync = Effect.suspend(() =>
      closed ? Effect.void : Effect.async<void, SourceError>((resume) => {
        syncing++
        fs.fdatasync(fd, (error) => {
          syncing--
          // closed before resuming: the descriptor is gone once the sync returns (a failed close leaves nothing to do)
          if (closed && syncing === 0) {
            try {
              fs.closeSync(fd)
            } catch {
              // nothing holds the descriptor any more either way
            }
          }
          resume(error === null ? Effect.void : Effect.fail(FsReason.sourceError(`sync ${what}`, file)(error)))
        })
      })
    )
    return { file, held: old.toString("utf8"), isClosed: () => closed, write, sync }
  })
