/**
 * `FileSetCheckpoint`: where a multi-file `file` source stands — one entry per file (its fingerprint,
 * the path it was last seen at, device, inode, and the offset just after its last event acked in order)
 * — kept as a JSON record `{version: 2, seq, files: [...]}` written by one `pwrite`, like the single-file
 * `Checkpoint`, but in two `StateFile`s taken in turn (`<file>` for even `seq`, `<file>.alt` for odd):
 * a record of many files spans several memory pages, and a kill in the middle of its write can tear it;
 * the other file then holds the record before. `load` takes the valid record with the highest `seq`.
 * A single-file checkpoint (`{path, dev, ino, offset}`) is read as a set of one entry with no
 * fingerprint: it applies to the file at that path with that inode (the migration).
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

/** The record: version 2, its sequence number (which of the two files is newer), and the files' entries. */
export const Record = Schema.Struct({ version: Schema.Literal(2), seq: Schema.optional(Whole), files: Schema.Array(Entry) })

/** A decoded record. */
export type Record = typeof Record.Type

/**
 * What `load` found: nothing, the entries of record `seq` (`migrated` from a single-file checkpoint), or
 * files that hold neither (with why).
 */
export type Loaded =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Found"; readonly files: ReadonlyArray<Entry>; readonly migrated: boolean; readonly seq: number }
  | { readonly _tag: "Corrupt"; readonly detail: string }

/** The second file of the checkpoint `file`. */
export const alternate = (file: string): string => `${file}.alt`

const decodeRecord = Schema.decodeUnknownEither(Schema.parseJson(Record))
const decodeSingle = Schema.decodeUnknownEither(Schema.parseJson(Checkpoint.Checkpoint))

/** What one of the two files holds: a `Loaded`, or an I/O error. */
const loadOne = (file: string): Effect.Effect<Loaded, SourceError> =>
  Effect.tryPromise({ try: () => fs.readFile(file, "utf8"), catch: (cause) => cause }).pipe(
    Effect.map((text): Loaded => {
      if (text.trim() === "") return { _tag: "Missing" }
      const set = decodeRecord(text)
      if (Either.isRight(set)) return { _tag: "Found", files: set.right.files, migrated: false, seq: set.right.seq ?? 0 }
      const single = decodeSingle(text)
      if (Either.isRight(single)) return { _tag: "Found", files: [single.right], migrated: true, seq: 0 }
      return { _tag: "Corrupt", detail: `${file} is not a checkpoint: ${set.left.message.split("\n")[0] ?? ""}` }
    }),
    Effect.catchAll((cause) =>
      FsReason.errnoCode(cause) === "ENOENT"
        ? Effect.succeed<Loaded>({ _tag: "Missing" })
        : Effect.fail(FsReason.sourceError("read checkpoint", file)(cause))
    )
  )

/**
 * Reads the checkpoint at `file` (and its alternate): the valid record with the highest `seq`, or a
 * single-file checkpoint migrated; `Corrupt` when a file holds something else and neither holds a record.
 */
export const load = (file: string): Effect.Effect<Loaded, SourceError> =>
  Effect.map(Effect.all([loadOne(file), loadOne(alternate(file))]), ([a, b]): Loaded => {
    if (a._tag === "Found" && b._tag === "Found") return b.seq > a.seq ? b : a
    if (a._tag === "Found") return a
    if (b._tag === "Found") return b
    return a._tag === "Corrupt" ? a : b
  })

/** An open checkpoint (its two files): `save` writes the next record, `sync` makes it durable; the Scope closes it. */
export interface Store {
  /** Where the checkpoint lives (its first file). */
  readonly file: string
  /** Writes `files` as the next record (one write, into the file the last record is not in). */
  readonly save: (files: ReadonlyArray<Entry>) => Effect.Effect<void, SourceError>
  /** Makes the last record durable (`fdatasync`). */
  readonly sync: Effect.Effect<void, SourceError>
}

/**
 * Opens (creating them and their directory, keeping what they hold) the checkpoint at `file` and its
 * alternate in the current Scope; records go on from `seq` (the loaded one's).
 */
export const open = (file: string, seq: number): Effect.Effect<Store, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({
      try: () => fs.mkdir(path.dirname(file), { recursive: true }),
      catch: FsReason.sourceError("create directory for checkpoint", path.dirname(file))
    })
    const slots = [
      yield* StateFile.open(file, { what: "checkpoint", unit: 512 }),
      yield* StateFile.open(alternate(file), { what: "checkpoint", unit: 512 })
    ] as const
    let next = seq + 1
    const slotOf = (n: number) => (n % 2 === 0 ? slots[0] : slots[1])
    let last = slotOf(seq)
    return {
      file,
      save: (files) =>
        Effect.suspend(() => {
          const slot = slotOf(next)
          const record = JSON.stringify({ version: 2, seq: next, files })
          return Effect.tap(slot.write(record), () => {
            last = slot
            next++
          })
        }),
      sync: Effect.suspend(() => last.sync)
    }
  })
