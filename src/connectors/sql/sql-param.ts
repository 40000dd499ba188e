/**
 * `SqlParam`: a record's `Value` (or a raw payload) as the parameter a SQL client sends for one column,
 * shared by the `mysql` and `postgres` sinks. How a value is written depends on the kind of its column
 * (`binary`, `timestamp` without a zone, or anything else) and on what the database takes (`Style`).
 *
 * @since 0.2.0
 */
import * as DataRecord from "../../model/record.js"
import type * as RawData from "../../model/raw.js"

/** A parameter as both clients take it: `null`, a boolean, a number, a 64-bit integer, text or bytes. */
export type SqlParam = null | boolean | number | bigint | string | Buffer

/**
 * How a column takes values: `binary` (BLOB, VARBINARY, BYTEA: text goes in as its UTF-8 bytes),
 * `timestamp` (a date or time without a zone: a `Time` goes in as UTC text), `text` (everything else).
 */
export type ColumnKind = "binary" | "timestamp" | "text"

/** What a database takes where the two differ. */
export interface Style {
  /** A `Digit`: MySQL takes the bigint as written digits, PostgreSQL its decimal text. */
  readonly digit: (n: bigint) => SqlParam
  /** A float that is NaN or infinite, or `undefined` when the database cannot store one. */
  readonly nonFinite: (n: number) => SqlParam | undefined
}

/** A value the database cannot store, and why. */
export interface Refused {
  readonly why: string
}

/**
 * The JSON text of a value, as `DataRecord.toJsonText` writes it: an object is written as the record of
 * its entries, anything else as the record `{"": value}` without its key. (Fields are plain literals: one
 * made by `DataRecord.field` per entry cost as much again.)
 */
export const jsonOf = (value: DataRecord.Value): string => {
  if (value._tag === "Obj") {
    const fields = new Array<DataRecord.DataField>(value.value.size)
    let i = 0
    for (const [name, v] of value.value) fields[i++] = { name, meta: "", value: v }
    return DataRecord.toJsonText({ fields })
  }
  return DataRecord.toJsonText({ fields: [{ name: "", meta: "", value }] }).slice(4, -1)
}

/** `2024-01-02T03:04:05.123456+08:00`: date, time, fraction and zone (`Z`, `+08:00`, `+0800`, `+08`). */
const isoTime = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

const two = (n: number): string => String(n).padStart(2, "0")

/**
 * ISO-8601 text as a zone-less timestamp in UTC, `YYYY-MM-DD HH:MM:SS[.ffffff]` (the fraction kept as
 * written, not rounded through a `Date`): a time with a zone is moved to UTC, one without is taken as
 * UTC already. Text that is not an ISO date-time is passed on for the database to judge.
 */
export const utcText = (text: string): string => {
  // what `Date.toISOString` writes, the common case: no parse needed
  if (text.length === 24 && text[23] === "Z" && text[10] === "T" && text[19] === ".") return `${text.slice(0, 10)} ${text.slice(11, 23)}`
  const m = isoTime.exec(text)
  if (m === null) return text
  const [, y, mo, d, h, mi, s, fraction = "", zone = "Z"] = m
  const digits = zone.toUpperCase() === "Z" ? "" : zone.slice(1).replace(":", "")
  const offsetMinutes = digits === "" ? 0 : (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0")) * (zone[0] === "-" ? -1 : 1)
  if (offsetMinutes === 0) return `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction}`
  const at = new Date(0)
  at.setUTCFullYear(Number(y), Number(mo) - 1, Number(d))
  at.setUTCHours(Number(h), Number(mi) - offsetMinutes, Number(s), 0)
  const year = String(at.getUTCFullYear()).padStart(4, "0")
  return `${year}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}${fraction}`
}

/** Text for a column of `kind`: bytes for a binary column, else the text. */
const textParam = (text: string, kind: ColumnKind): SqlParam => (kind === "binary" ? Buffer.from(text, "utf8") : text)

/**
 * A value as the parameter for a column of `kind`: `Null` is `null`, `Bool` a boolean, `Chars` and
 * `IpAddr` text, `Digit` exact (`style.digit`), `Float` a number (NaN and infinities as `style` says),
 * `Time` its text (in UTC without a zone for a `timestamp` column), `Obj` and `Array` their JSON text.
 * A binary column gets text as its UTF-8 bytes.
 */
export const fromValue = (value: DataRecord.Value, kind: ColumnKind, style: Style): SqlParam | Refused => {
  switch (value._tag) {
    case "Null":
      return null
    case "Bool":
      return value.value
    case "Chars":
    case "IpAddr":
      return textParam(value.value, kind)
    case "Digit":
      return kind === "binary" ? Buffer.from(value.value.toString(), "utf8") : style.digit(value.value)
    case "Float": {
      if (Number.isFinite(value.value)) return kind === "binary" ? Buffer.from(String(value.value), "utf8") : value.value
      const special = style.nonFinite(value.value)
      return special === undefined ? { why: `${value.value} cannot be stored` } : special
    }
    case "Time":
      return kind === "timestamp" ? utcText(value.value) : textParam(value.value, kind)
    case "Obj":
    case "Array":
      return textParam(jsonOf(value), kind)
  }
}

/** A raw payload as the parameter for a column of `kind`: bytes stay bytes, text is text (its UTF-8 bytes for a binary column). */
export const fromPayload = (payload: RawData.RawData, kind: ColumnKind): SqlParam =>
  typeof payload === "string" ? textParam(payload, kind) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)

/** `true` when `u` is a `Refused` rather than a parameter. */
export const isRefused = (u: SqlParam | Refused): u is Refused =>
  typeof u === "object" && u !== null && !Buffer.isBuffer(u)
