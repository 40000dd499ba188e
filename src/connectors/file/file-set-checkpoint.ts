/**
 * `FileSetCheckpoint`: where a multi-file `file` source stands — one entry per file (its fingerprint,
 * the path it was last seen at, device, inode, and the offset just after its last event acked in order)
 * — kept as one JSON record `{version: 2, files: [...]}` in a `StateFile`, like the single-file
 * `Checkpoint`. A single-file checkpoint (`{path, dev, ino, offset}`) is read as a set of one entry
 * with no fingerprint: it applies to the file at that path with that inode (the migration).
 *
 * @since 0.1.0
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Either, Schema, type Scope } from "effect"
import type { SourceError } from "../../errors/source.js"
import * as Checkpoint from "./checkpoint.js"
import * as FsReason from "./fs-reason.js"
import * as StateFile from "./state-file.js"

const Whole = Schema.Int.pipe(Schema.greaterThanOrEqualTo(0))

/** One file's entry: its fingerprint (none for a migrated single-file checkpoint), path, device, inode and offset. */
export const Entry = Schema.Struct({
  fingerprint: Schema.optional(Schema.String),
  path: Schema.String,
  dev: Whole,
  ino: Whole,
  offset: Whole
})

/** A decoded entry. */
export type Entry = typeof Entry.Type

/** The record: version 2 and the files' entries. */
export const Record = Schema.Struct({ version: Schema.Literal(2), files: Schema.Array(Entry) })

/** A decoded record. */
export type Record = typeof Record.Type

/** What `load` found: nothing, the entries (`migrated` from a single-file checkpoint), or a file that is neither (with why). */
export type Loaded =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Found"; readonly files: ReadonlyArray<Entry>; readonly migrated: boolean }
  | { readonly _tag: "Corrupt"; readonly detail: string }

const decodeRecord = Schema.decodeUnknownEither(Schema.parseJson(Record))
const decodeSingle = Schema.decodeUnknownEither(Schema.parseJson(Checkpoint.Checkpoint))

/** Reads the checkpoint at `file`: a set, or a single-file checkpoint migrated to one; an I/O error is a `SourceError`. */
export const load = (file: string): Effect.Effect<Loaded, SourceError> =>
  Effect.tryPromise({ try: () => fs.readFile(file, "utf8"), catch: (cause) => cause }).pipe(
    Effect.map((text): Loaded => {
      if (text.trim() === "") return { _tag: "Missing" }
      const set = decodeRecord(text)
      if (Either.isRight(set)) return { _tag: "Found", files: set.right.files, migrated: false }
      const single = decodeSingle(text)
      if (Either.isRight(single)) return { _tag: "Found", files: [single.right], migrated: true }
      return { _tag: "Corrupt", detail: `${file} is not a checkpoint: ${set.left.message.split("\n")[0] ?? ""}` }
    }),
    Effect.catchAll((cause) =>
      FsReason.errnoCode(cause) === "ENOENT"
        ? Effect.succeed<Loaded>({ _tag: "Missing" })
        : Effect.fail(FsReason.sourceError("read checkpoint", file)(cause))
    )
  )

/** An open checkpoint file: `save` overwrites its record in place, `sync` makes it durable; the Scope closes it. */
export interface Store {
  /** Where the checkpoint lives. */
  readonly file: string
  /** Overwrites the record with `files` (one write at offset 0). */
  readonly save: (files: ReadonlyArray<Entry>) => Effect.Effect<void, SourceError>
  /** Makes the record durable (`fdatasync`). */
  readonly sync: Effect.Effect<void, SourceError>
}

/** Opens (creating it and its directory, keeping what it holds) the checkpoint at `file` in the current Scope. */
export const open = (file: string): Effect.Effect<Store, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({
      try: () => fs.mkdir(path.dirname(file), { recursive: true }),
      catch: FsReason.sourceError("create directory for checkpoint", path.dirname(file))
    })
    const state = yield* StateFile.open(file, { what: "checkpoint", unit: 512 })
    return { file, save: (files) => state.write(JSON.stringify({ version: 2, files })), sync: state.sync }
  })
