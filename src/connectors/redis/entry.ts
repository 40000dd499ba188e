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

/** One `[id, [field, value, ...] | null]` pair of a reply. */
const parseEntry = (u: unknown): Either.Either<Entry, string> => {
  if (!Array.isArray(u) || u.length !== 2) return Either.left("an entry is not an [id, fields] pair")
  const id = text(u[0])
  if (id === undefined || !isEntryId(id)) return Either.left(`an entry id is not <ms>-<seq>: ${String(u[0])}`)
  const raw: unknown = u[1]
  if (raw === null) return Either.right({ id, fields: undefined })
  if (!Array.isArray(raw) || raw.length % 2 !== 0 || !raw.every(Buffer.isBuffer)) {
    return Either.left(`entry ${id} has no field/value list`)
  }
  const fields: Array<readonly [Buffer, Buffer]> = []
  for (let i = 0; i < raw.length; i += 2) fields.push([raw[i] as Buffer, raw[i + 1] as Buffer])
  return Either.right({ id, fields })
}

/** A list of entries. */
const parseEntries = (u: unknown): Either.Either<ReadonlyArray<Entry>, string> =>
  Array.isArray(u) ? Either.all(u.map(parseEntry)) : Either.left("the entry list is not an array")

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
 * The payload of `entry`: the value of `field` (text when it is valid UTF-8, else the bytes); an entry
 * without `field` yields the JSON object of all its fields (decoded lossily), so nothing is dropped.
 */
export const payload = (entry: Entry, field: string): RawData.RawData => {
  const fields = entry.fields ?? []
  const hit = fields.find(([name]) => name.toString("utf8") === field)
  if (hit !== undefined) return RawData.fromBytesPreferText(new Uint8Array(hit[1]))
  return JSON.stringify(Object.fromEntries(fields.map(([name, value]) => [name.toString("utf8"), value.toString("utf8")])))
}
