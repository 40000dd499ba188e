/**
 * `AckMark`: where the disk intake's acks stand — the sequence number of the first event not acked
 * yet — kept in `<dir>/acked.json` as one padded JSON record overwritten in place by a single `pwrite`
 * (a `StateFile`, as the `file` source's checkpoint is): a killed process leaves the old record or the
 * new one. A mark that lags (not yet flushed when the machine died) only replays events again, never
 * skips one.
 *
 * @since 0.1.0
 */
import * as path from "node:path"
import { Effect, Schema, type Scope } from "effect"
import type { SourceError } from "../../errors/source.js"
import * as StateFile from "../file/state-file.js"

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

/** Opens (creating it) the mark in `dir` in the current Scope, reading what it holds. */
export const open = (dir: string): Effect.Effect<AckMark, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const state = yield* StateFile.open(path.join(dir, "acked.json"), { what: "intake ack mark", unit: RECORD })
    const { file } = state
    const text = state.held.trim()
    const decoded = text === "" ? undefined : decode(text)
    const loaded: Loaded = decoded === undefined
      ? { _tag: "Missing" }
      : decoded._tag === "Right"
      ? { _tag: "Found", acked: decoded.right.acked }
      : { _tag: "Corrupt", detail: `${file} is not an ack mark: ${decoded.left.message.split("\n")[0] ?? ""}` }
    let last = loaded._tag === "Found" ? loaded.acked : -1
    return {
      file,
      loaded,
      save: (acked) =>
        Effect.suspend(() => {
          if (acked <= last || state.isClosed()) return Effect.void
          return Effect.map(state.write(`{"acked":${acked}}`), () => {
            last = acked
          })
        }),
      flush: state.sync
    }
  })
