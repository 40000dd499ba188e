/**
 * `JsonBytes`: a record's compact JSON (`DataRecord.toJsonText`) written as UTF-8 straight into a
 * `ByteBuilder`, the same bytes `Buffer.from(toJsonText(record))` holds, without the string: names come
 * from the shared `"name":` cache, ASCII texts that need no escape are copied as they are, numbers are
 * written digit by digit, and anything else (an escape, an object, a big `Digit`) goes through the text
 * `toJsonText` would have made of it.
 *
 * @since 0.3.0
 */
import { type ByteBuilder, putInteger, putText } from "./byte-builder.js"
import * as DataRecord from "../model/record.js"

/** Texts longer than this are checked by one regular expression, not character by character. */
const longText = 40

/** What JSON escapes, or `JSON.stringify` writes otherwise than as it is: `"`, `\`, controls, any surrogate. */
const needsCare = /["\\\u0000-\u001f\ud800-\udfff]/

/** The largest integer a JavaScript number holds exactly. */
const safeMax = BigInt(Number.MAX_SAFE_INTEGER)

/** Writes `text` as a JSON string (`JSON.stringify(text)`'s bytes). */
export const stringInto = (text: string, out: ByteBuilder): void => {
  const n = text.length
  if (n > longText) {
    if (needsCare.test(text)) return out.text(JSON.stringify(text))
    out.ensure(n * 3 + 2)
    const buf = out.buf
    buf[out.length] = 0x22
    const end = putText(buf, out.length + 1, text)
    buf[end] = 0x22
    out.length = end + 1
    return
  }
  out.ensure(n + 2)
  const buf = out.buf
  let off = out.length
  buf[off++] = 0x22
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k)
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) return out.text(JSON.stringify(text))
    buf[off++] = c
  }
  buf[off++] = 0x22
  out.length = off
}

/** Writes `n` as `String(n)` does: a non-negative safe integer digit by digit, without the string. */
export const numberInto = (n: number, out: ByteBuilder): void => {
  if (n < 0 || !Number.isSafeInteger(n)) return out.text(String(n))
  out.ensure(16)
  out.length = putInteger(out.buf, out.length, n)
}

/** Writes `value` as `DataRecord.valueJson` does. */
export const valueInto = (value: DataRecord.Value, out: ByteBuilder): void => {
  switch (value._tag) {
    case "Chars":
    case "Time":
    case "IpAddr":
      return stringInto(value.value, out)
    case "Digit": {
      const n = value.value
      return n <= safeMax && n >= -safeMax ? numberInto(Number(n), out) : out.text(n.toString())
    }
    case "Float": {
      const n = value.value
      if (!Number.isInteger(n)) {
        // a finite float that is no integer prints with a `.` or an exponent already, as `floatText` keeps it
        return Number.isFinite(n) ? out.text(String(n)) : out.text("null")
      }
      return n >= 0 && n < 1000 ? (numberInto(n, out), out.text(".0")) : out.text(DataRecord.floatText(n))
    }
    case "Bool":
      return out.text(value.value ? "true" : "false")
    case "Null":
      return out.text("null")
    default:
      return out.text(DataRecord.valueJson(value))
  }
}

/**
 * The field names of the last record written and, for each, the bytes that come before its value
 * (`{"name":` for the first, `,"name":` after): records of one stream have the same names in the same
 * order, so a record costs one comparison per field (the names are mostly the same strings), not a lookup.
 */
let shapeNames: ReadonlyArray<string> = []
let shapeHeads: ReadonlyArray<Uint8Array> = []

/** The heads of `fields`' names, learnt when they are not the last record's. */
const headsOf = (fields: ReadonlyArray<DataRecord.DataField>): ReadonlyArray<Uint8Array> => {
  if (fields.length === shapeNames.length) {
    let same = true
    for (let i = 0; i < fields.length && same; i++) same = fields[i]!.name === shapeNames[i]
    if (same) return shapeHeads
  }
  shapeNames = fields.map((f) => f.name)
  shapeHeads = shapeNames.map((name, i) => Buffer.from(`${i === 0 ? "{" : ","}${DataRecord.nameJson(name)}`, "utf8"))
  return shapeHeads
}

/** Writes `record` as `DataRecord.toJsonText` does (a `fromPlain` record by one `JSON.stringify`, as there). */
export const recordInto = (record: DataRecord.DataRecord, out: ByteBuilder): void => {
  const plain = DataRecord.plainOf(record)
  if (plain !== undefined) return out.text(JSON.stringify(plain))
  const fields = record.fields
  if (fields.length === 0) return out.text("{}")
  const heads = headsOf(fields)
  for (let i = 0; i < fields.length; i++) {
    out.bytes(heads[i]!)
    valueInto(fields[i]!.value, out)
  }
  out.byte(0x7d)
}
