/**
 * `Checkpoint`: where a `file` source stands — the file (path, device, inode) and the byte offset just
 * after the last event acked in order — kept as one JSON record under the build context's work root,
 * overwritten in place by a single write (see `open`).
 *
 * @since 0.1.0
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Schema, type Scope } from "effect"
import type { SourceError } from "../../errors/source.js"
import * as FsReason from "./fs-reason.js"
import * as StateFile from "./state-file.js"

const Whole = Schema.Int.pipe(Schema.greaterThanOrEqualTo(0))

/**
 * A checkpoint: the file `path`, its `dev` and `ino`, the `offset` to resume reading at, and the file's
 * `fingerprint` (see `Fingerprint`; absent in checkpoints written before it, or while the file had none).
 */
export const Checkpoint = Schema.Struct({
  path: Schema.String,
  dev: Whole,
  ino: Whole,
  offset: Whole,
  fingerprint: Schema.optional(Schema.String)
})

/** A decoded checkpoint. */
export type Checkpoint = typeof Checkpoint.Type

/** What `load` found: nothing, a checkpoint, or a file that is not a checkpoint (with why). */
export type Loaded =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Found"; readonly checkpoint: Checkpoint }
  | { readonly _tag: "Corrupt"; readonly detail: string }

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson(Checkpoint))

/** The checkpoint file of the source `name`: `<workRoot>/checkpoints/file-<name>.json`, unsafe characters as `_`. */
export const location = (workRoot: string, name: string): string => {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_")
  const unique = safe === name ? safe : `${safe}-${hash(name)}`
  return path.join(workRoot, "checkpoints", `file-${unique}.json`)
}

/** An 8-hex-digit FNV-1a hash, so that names differing only in unsafe characters get different files. */
const hash = (text: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, "0")
}

/** Reads the checkpoint at `file`; a missing or empty file is `Missing`, unreadable JSON `Corrupt`, an I/O error a `SourceError`. */
export const load = (file: string): Effect.Effect<Loaded, SourceError> =>
  Effect.tryPromise({ try: () => fs.readFile(file, "utf8"), catch: (cause) => cause }).pipe(
    Effect.map((text): Loaded => {
      if (text.trim() === "") return { _tag: "Missing" }
      const decoded = decodeJson(text)
      return decoded._tag === "Right"
        ? { _tag: "Found", checkpoint: decoded.right }
        : { _tag: "Corrupt", detail: `${file} is not a checkpoint: ${decoded.left.message.split("\n")[0] ?? ""}` }
    }),
    Effect.catchAll((cause) =>
      FsReason.errnoCode(cause) === "ENOENT"
        ? Effect.succeed<Loaded>({ _tag: "Missing" })
        : Effect.fail(FsReason.sourceError("read checkpoint", file)(cause))
    )
  )

/** An open checkpoint file: `save` overwrites its one record in place, `sync` makes it durable; the Scope closes it. */
export interface Store {
  /** Where the checkpoint lives. */
  readonly file: string
  /** Overwrites the record with `checkpoint` (one write at offset 0). */
  readonly save: (checkpoint: Checkpoint) => Effect.Effect<void, SourceError>
  /** Makes the record durable (`fdatasync`). */
  readonly sync: Effect.Effect<void, SourceError>
}

/** Record sizes are multiples of this, so a record within one disk sector is written in one piece. */
const RECORD = 256

/**
 * Opens (creating it and its directory, keeping what it holds) the checkpoint at `file` in the current Scope,
 * which closes it; after that, `save` fails and `sync` does nothing. Each `save` is one synchronous `pwrite` of
 * a padded JSON record at offset 0 (a `StateFile`): a killed process leaves either the old record or the new
 * one, and the write costs microseconds, so every ack can be saved.
 */
export const open = (file: string): Effect.Effect<Store, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({
      try: () => fs.mkdir(path.dirname(file), { recursive: true }),
      catch: FsReason.sourceError("create directory for checkpoint", path.dirname(file))
    })
    const state = yield* StateFile.open(file, { what: "checkpoint", unit: RECORD })
    return { file, save: (checkpoint) => state.write(JSON.stringify(checkpoint)), sync: state.sync }
  })
