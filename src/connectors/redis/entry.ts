/**
 * Stream entries as the source reads them: parsed from the raw (Buffer) replies of `XREADGROUP`
 * and `XAUTOCLAIM`, their payload, and entry-id arithmetic for seeking.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import * as RawData from "../../model/raw.js"

/** One stream entry: its id and its field/value pairs (`undefined` when the entry was deleted while pending). */
export interface Entry {
  readonly id: string
  readonly fields: ReadonlyArray<readonly [Buffer, Buffer]> | undefined
}

/** What one `XAUTOCLAIM` returned: the cursor to continue from (`0-0` when done) and the claimed entries. */
export interface Claimed {
  readonly cursor: string
  readonly entries: ReadonlyArray<Entry>
}

/** A stream entry id `<ms>-<seq>`. */
const entryIdPattern = /^(\d+)-(\d+)$/

/** The largest sequence number of an entry id. */
const maxSeq = 18446744073709551615n

/** `true` when `u` is a complete entry id `<ms>-<seq>`. */
export const isEntryId = (u: unknown): u is string => typeof u === "string" && entryIdPattern.test(u)

/**
 * The id just before `id`: setting a group's last-delivered id to it makes `id` the next entry
 * delivered. `id` is `<ms>-<seq>` or `<ms>` (meaning `<ms>-0`); the result is `0` at the very start.
 */
export const before = (id: string): string => {
  const [ms, seq] = id.includes("-") ? id.split("-").map(BigInt) as [bigint, bigint] : [BigInt(id), 0n]
  if (seq > 0n) return `${ms}-${seq - 1n}`
  return ms > 0n ? `${ms - 1n}-${maxSeq}` : "0"
}

const text = (u: unknown): string | undefined => (Buffer.isBuffer(u) ? u.toString("latin1") : typeof u === "string" ? u : undefined)

/** One `[id, [field, value, ...] | null]` pair of a reply: the entry, or what is wrong with it. */
const parseEntry = (u: unknown): Entry | string => {
  if (!Array.isArray(u) || u.length !== 2) return "an entry is not an [id, fields] pair"
  const id = text(u[0])
  if (id === undefined || !isEntryId(id)) return `an entry id is not <ms>-<seq>: ${String(u[0])}`
  const raw: unknown = u[1]
  if (raw === null) return { id, fields: undefined }
  if (!Array.isArray(raw) || raw.length % 2 !== 0) return `entry ${id} has no field/value list`
  const fields: Array<readonly [Buffer, Buffer]> = []
  for (let i = 0; i < raw.length; i += 2) {
    const name: unknown = raw[i]
    const value: unknown = raw[i + 1]
    if (!Buffer.isBuffer(name) || !Buffer.isBuffer(value)) return `entry ${id} has no field/value list`
    fields.push([name, value])
  }
  return { id, fields }
}

/** A list of entries (one loop: this runs for every entry read). */
const parseEntries = (u: unknown): Either.Either<ReadonlyArray<Entry>, string> => {
  if (!Array.isArray(u)) return Either.left("the entry list is not an array")
  const entries: Array<Entry> = []
  for (const item of u) {
    const entry = parseEntry(item)
    if (typeof entry === "string") return Either.left(entry)
    entries.push(entry)
  }
  return Either.right(entries)
}

/** The entries of an `XREADGROUP` reply on one stream (`null`, a timed-out block, is none). */
export const fromReadGroup = (reply: unknown): Either.Either<ReadonlyArray<Entry>, string> => {
  if (reply === null) return Either.right([])
  if (!Array.isArray(reply) || reply.length !== 1 || !Array.isArray(reply[0]) || reply[0].length !== 2) {
    return Either.left("XREADGROUP reply is not [[stream, entries]]")
  }
  return parseEntries(reply[0][1])
}

/** The cursor and entries of an `XAUTOCLAIM` reply (entries deleted meanwhile are dropped from the list). */
export const fromAutoClaim = (reply: unknown): Either.Either<Claimed, string> => {
  if (!Array.isArray(reply) || reply.length < 2) return Either.left("XAUTOCLAIM reply is not [cursor, entries, ...]")
  const cursor = text(reply[0])
  if (cursor === undefined || !isEntryId(cursor)) return Either.left("XAUTOCLAIM cursor is not an entry id")
  // Redis < 7 lists a deleted entry as null
  const listed: unknown = reply[1]
  return Either.map(parseEntries(Array.isArray(listed) ? listed.filter((e) => e !== null) : listed), (entries) => ({ cursor, entries }))
}

/**
 * The payload of an entry, by its field `field`: the value of `field` (text when it is valid UTF-8, else
 * the bytes); an entry without `field` yields the JSON object of all its fields (decoded lossily), so
 * nothing is dropped. The field name is encoded once, not decoded per entry.
 */
export const payloadOf = (field: string): (entry: Entry) => RawData.RawData => {
  const name = Buffer.from(field, "utf8")
  return (entry) => {
    const fields = entry.fields ?? []
    for (const [key, value] of fields) {
      if (key.length === name.length && key.equals(name)) return RawData.fromBytesPreferText(new Uint8Array(value))
    }
    return JSON.stringify(Object.fromEntries(fields.map(([key, value]) => [key.toString("utf8"), value.toString("utf8")])))
  }
}
