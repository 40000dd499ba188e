/**
 * `Checkpoint`: where a `mysql` source stands — the key of the last row acked in order, with the table
 * and key column it belongs to — kept in `<workRoot>/checkpoints/mysql-<name>.json` as one padded JSON
 * record overwritten in place by a single `pwrite` (a `StateFile`, as the `file` source's checkpoint is).
 *
 * @since 0.2.0
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Schema, type Scope } from "effect"
import { SourceError } from "../../errors/source.js"
import * as FsReason from "../file/fs-reason.js"
import * as StateFile from "../file/state-file.js"

/** A checkpoint: rows of `table` with `key` up to `after` (the key's text) were acked. */
export const Checkpoint = Schema.Struct({ table: Schema.String, key: Schema.String, after: Schema.String })

/** A decoded checkpoint. */
export type Checkpoint = typeof Checkpoint.Type

const decode = Schema.decodeUnknownEither(Schema.parseJson(Checkpoint))

/** Record sizes are multiples of this (one write within a disk sector for ordinary keys). */
const RECORD = 256

/** The checkpoint file of the source `name`: `<workRoot>/checkpoints/mysql-<name>.json`, unsafe characters as `_` plus a hash. */
export const location = (workRoot: string, name: string): string => {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_")
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
  return path.join(workRoot, "checkpoints", `mysql-${safe === name ? safe : `${safe}-${(h >>> 0).toString(16)}`}.json`)
}

/** An open checkpoint: what it held, `save` to overwrite it, `sync` to make it durable; the Scope closes it. */
export interface Store {
  readonly file: string
  /** The checkpoint found when it was opened (`undefined`: none yet). */
  readonly loaded: Checkpoint | undefined
  /** Overwrites it (one synchronous write); nothing once the Scope closed it. */
  readonly save: (checkpoint: Checkpoint) => Effect.Effect<void, SourceError>
  /** Makes the last save durable. */
  readonly sync: Effect.Effect<void, SourceError>
}

/**
 * Opens (creating it and its directory) the checkpoint at `file` in the current Scope. A file that is
 * not a checkpoint fails with `SourceSupplierError` (500) naming it.
 */
export const open = (file: string): Effect.Effect<Store, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({
      try: () => fs.mkdir(path.dirname(file), { recursive: true }),
      catch: FsReason.sourceError("create directory for checkpoint", path.dirname(file))
    })
    const state = yield* StateFile.open(file, { what: "checkpoint", unit: RECORD })
    const text = state.held.trim()
    let loaded: Checkpoint | undefined = undefined
    if (text !== "") {
      const decoded = decode(text)
      if (decoded._tag === "Left") {
        return yield* Effect.fail(SourceError.supplierError(`${file} is not a mysql checkpoint (remove it to read the table from the start): ${decoded.left.message.split("\n")[0] ?? ""}`))
      }
      loaded = decoded.right
    }
    return {
      file,
      loaded,
      save: (checkpoint) => Effect.suspend(() => (state.isClosed() ? Effect.void : state.write(JSON.stringify(checkpoint)))),
      sync: state.sync
    }
  })
