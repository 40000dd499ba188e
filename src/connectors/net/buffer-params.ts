/**
 * `BufferParams`: the params the listener sources (`tcp`, `syslog`, `http`) share to choose where
 * what they received waits for the pipeline — in memory (the default) or in a disk-backed intake
 * (`buffer = "disk"`) under the work root, bounded by `buffer_max_bytes`, synced per group of appends
 * unless `buffer_fsync = false` — and where that intake lives.
 *
 * @since 0.1.0
 */
import * as path from "node:path"
import { Schema } from "effect"

/** `memory`: a bounded in-memory queue, lost on a crash; `disk`: a write-ahead log replayed after a restart. */
export const BufferKind = Schema.Literal("memory", "disk").annotations({ description: `"memory" or "disk"` })

/** At least 1 MiB: the bound must hold a few segments of the log. */
export const MaxBytes = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1048576)).annotations({
  description: "an integer >= 1048576 (1 MiB)"
})

/**
 * The buffer params, to spread into a source's params Struct: `buffer` (`"memory"` by default),
 * `buffer_max_bytes` (256 MiB: the log's bound on disk; when it is reached the senders are paused, or a
 * UDP datagram dropped, or an HTTP request refused with `503`) and `buffer_fsync` (`true`: each group
 * of appends is `fdatasync`ed before its events count as received; `false`: written to the OS, which
 * survives a crash of the process but not of the machine).
 */
export const fields = {
  buffer: Schema.optionalWith(BufferKind, { default: () => "memory" as const }),
  buffer_max_bytes: Schema.optionalWith(MaxBytes, { default: () => 268435456 }),
  buffer_fsync: Schema.optionalWith(Schema.Boolean, { default: () => true })
}

/** Decoded buffer params. */
export interface BufferParams {
  readonly buffer: "memory" | "disk"
  readonly buffer_max_bytes: number
  readonly buffer_fsync: boolean
}

/** An 8-hex-digit FNV-1a hash, so that names differing only in unsafe characters get different directories. */
const hash = (text: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, "0")
}

/** The directory of the disk intake of the source `name`: `<workRoot>/intake/<name>`, unsafe characters as `_` (plus a hash then). */
export const location = (workRoot: string, name: string): string => {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_")
  const unique = safe === name && safe !== "." && safe !== ".." ? safe : `${safe}-${hash(name)}`
  return path.join(workRoot, "intake", unique)
}
