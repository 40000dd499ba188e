/**
 * One `JSONEachRow` line per record or payload: the JSON object ClickHouse maps onto the table's
 * columns by key. A record's fields become keys (the first field of a name wins; a `Null` field is left
 * out, so its column gets what the server fills a missing key with: `NULL` for a `Nullable` column, the
 * type's default for others on 18.16, the column's DEFAULT on servers that have
 * `input_format_defaults_for_omitted_fields`; a `null` would fail a non-Nullable column on 18.16); `Digit`s are written as exact
 * integer text (no 2^53 rounding), floats as JSON numbers (`"nan"`, `"inf"`, `"-inf"` for the others,
 * which ClickHouse reads into Float columns), `Chars`, `Time` (its ISO 8601 text as it is) and `IpAddr`
 * as strings, `Bool` as `true`/`false` (read into UInt8 / Bool columns), `Array` as a JSON array (an
 * `Array(T)` column) and `Obj` as the string of its JSON text (a `String` column). Raw payloads become
 * `{ "<payload column>": "<payload>" }`, bytes written into the JSON string as they are (ClickHouse
 * keeps a String's bytes), only `"`, `\` and control bytes escaped.
 *
 * @since 0.2.0
 */
import * as DataRecord from "../../model/record.js"
import type { ByteBuilder } from "../../sink/byte-builder.js"
import * as JsonBytes from "../../sink/json-bytes.js"
import { columnOf, fieldOf } from "./params.js"

/** The JSON text of a float: a JSON number when finite, else the quoted name ClickHouse reads (`"nan"`, `"inf"`, `"-inf"`). */
const floatText = (n: number): string =>
  Number.isFinite(n) ? String(n) : Number.isNaN(n) ? "\"nan\"" : n > 0 ? "\"inf\"" : "\"-inf\""

/** The JSON text of `value` as a column value (see the module doc): as `DataRecord.valueJson` but for floats, objects and arrays' items. */
export const valueText = (value: DataRecord.Value): string => {
  switch (value._tag) {
    case "Float":
      return floatText(value.value)
    case "Obj":
      return JSON.stringify(DataRecord.valueJson(value))
    case "Array":
      return `[${value.value.map(valueText).join(",")}]`
    default:
      return DataRecord.valueJson(value)
  }
}

/** Writes `value` as `valueText` does, straight into bytes. */
export const valueInto = (value: DataRecord.Value, out: ByteBuilder): void => {
  switch (value._tag) {
    case "Float": {
      const n = value.value
      return Number.isFinite(n) ? JsonBytes.numberInto(n, out) : out.text(floatText(n))
    }
    case "Obj":
    case "Array":
      return out.text(valueText(value))
    default:
      return JsonBytes.valueInto(value, out)
  }
}

/** Above this many fields, names already written are looked up in a Set rather than by a scan of the fields before. */
const scanLimit = 32

/**
 * A writer of record rows: one key per field name (the first such field), `Null` fields left out. A
 * name's JSON key (`"name":`) comes from `DataRecord.nameJson`'s cache, quoted once, not per row.
 */
export const recordWriter = (): (record: DataRecord.DataRecord) => string => {
  return (record) => {
    const fields = record.fields
    const n = fields.length
    const seen = n > scanLimit ? new Set<string>() : undefined
    const parts: Array<string> = []
    for (let i = 0; i < n; i++) {
      const field = fields[i]!
      if (seen !== undefined) {
        if (seen.has(field.name)) continue
        seen.add(field.name)
      } else {
        let repeated = false
        for (let j = 0; j < i && !repeated; j++) repeated = fields[j]!.name === field.name
        if (repeated) continue
      }
      if (field.value._tag !== "Null") parts.push(DataRecord.nameJson(field.name) + valueText(field.value))
    }
    return `{${parts.join(",")}}`
  }
}

/**
 * A writer of record rows straight into bytes: what `recordWriter` writes, as UTF-8. The names of the
 * last record's fields are kept with each one's key (`"name":`, as bytes) and whether it is the first of
 * its name: records of one stream have the same names in the same order, so a record costs one
 * comparison per field.
 */
export const recordInto = (): (record: DataRecord.DataRecord, out: ByteBuilder) => void => {
  let names: ReadonlyArray<string> = []
  let keys: ReadonlyArray<Uint8Array> = []
  let first: ReadonlyArray<boolean> = []
  const learn = (fields: ReadonlyArray<DataRecord.DataField>): void => {
    if (fields.length === names.length) {
      let i = 0
      while (i < fields.length && fields[i]!.name === names[i]) i++
      if (i === fields.length) return
    }
    names = fields.map((f) => f.name)
    keys = names.map((name) => Buffer.from(DataRecord.nameJson(name), "utf8"))
    const seen = new Set<string>()
    first = names.map((name) => {
      if (seen.has(name)) return false
      seen.add(name)
      return true
    })
  }
  return (record, out) => {
    const fields = record.fields
    learn(fields)
    out.byte(0x7b)
    let wrote = false
    for (let i = 0; i < fields.length; i++) {
      const value = fields[i]!.value
      if (!first[i] || value._tag === "Null") continue
      if (wrote) out.byte(0x2c)
      wrote = true
      out.bytes(keys[i]!)
      valueInto(value, out)
    }
    out.byte(0x7d)
  }
}

/** A column of an explicit mapping: its JSON key (`"column":`, quoted once) and the field it is taken from. */
interface Mapped {
  readonly key: string
  readonly field: string
}

/**
 * The row writer of an explicit `columns` list (`column` or `column=field`): each column from the first
 * field of its name, in the list's order; a missing or `Null` field leaves the column out (its default).
 */
export const mappedRow = (columns: ReadonlyArray<string>): (record: DataRecord.DataRecord) => string => {
  const mapped: ReadonlyArray<Mapped> = columns.map((entry) => ({ key: `${JSON.stringify(columnOf(entry))}:`, field: fieldOf(entry) }))
  return (record) => {
    const fields = record.fields
    const parts: Array<string> = []
    for (const { field, key } of mapped) {
      let i = 0
      while (i < fields.length && fields[i]!.name !== field) i++
      const value = fields[i]?.value
      if (value !== undefined && value._tag !== "Null") parts.push(key + valueText(value))
    }
    return `{${parts.join(",")}}`
  }
}

/** The row writer of an explicit `columns` list straight into bytes: what `mappedRow` writes, as UTF-8. */
export const mappedInto = (columns: ReadonlyArray<string>): (record: DataRecord.DataRecord, out: ByteBuilder) => void => {
  const mapped = columns.map((entry) => ({ key: Buffer.from(`${JSON.stringify(columnOf(entry))}:`, "utf8"), field: fieldOf(entry) }))
  return (record, out) => {
    const fields = record.fields
    out.byte(0x7b)
    let wrote = false
    for (const { field, key } of mapped) {
      let i = 0
      while (i < fields.length && fields[i]!.name !== field) i++
      const value = fields[i]?.value
      if (value === undefined || value._tag === "Null") continue
      if (wrote) out.byte(0x2c)
      wrote = true
      out.bytes(key)
      valueInto(value, out)
    }
    out.byte(0x7d)
  }
}

/** The row of a text payload: `{ "<column>": "<text>" }`. */
export const textRow = (column: string): (text: string) => string => {
  const prefix = `{${JSON.stringify(column)}:`
  return (text) => `${prefix}${JSON.stringify(text)}}`
}

const hex = "0123456789abcdef"

/** The short escapes JSON has for control bytes. */
const shortEscapes: ReadonlyMap<number, number> = new Map([[0x08, 0x62], [0x09, 0x74], [0x0a, 0x6e], [0x0c, 0x66], [0x0d, 0x72]])

/**
 * The row of a bytes payload: `{ "<column>": "<bytes>" }`, the bytes as they are inside the JSON string
 * (ClickHouse stores a String's bytes, valid UTF-8 or not), except `"`, `\` and control bytes, escaped.
 */
export const bytesRow = (column: string): (bytes: Uint8Array) => Buffer => {
  const prefix = Buffer.from(`{${JSON.stringify(column)}:"`, "utf8")
  return (bytes) => {
    // worst case: every byte a \u00XX escape
    const out = Buffer.allocUnsafe(prefix.length + bytes.length * 6 + 2)
    let at = prefix.copy(out, 0)
    for (const b of bytes) {
      if (b === 0x22 || b === 0x5c) {
        out[at++] = 0x5c
        out[at++] = b
      } else if (b < 0x20) {
        const short = shortEscapes.get(b)
        out[at++] = 0x5c
        if (short !== undefined) out[at++] = short
        else at += out.write(`u00${hex[b >> 4]}${hex[b & 15]}`, at, "latin1")
      } else {
        out[at++] = b
      }
    }
    out[at++] = 0x22
    out[at++] = 0x7d
    return out.subarray(0, at)
  }
}
