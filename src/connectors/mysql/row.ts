/**
 * `Row`: a row the `mysql` source read, as a `DataRecord` — one field per column, its value by the
 * column's data type: integers `Digit` (exact; an unsigned `BIGINT` beyond 2^63 - 1 as its text),
 * floats `Float`, `DECIMAL` its exact text, `DATETIME` / `TIMESTAMP` a UTC `Time` (`...Z`), `DATE` a
 * `Time` of the day, bytes their base64 text, `JSON` (MySQL) its value, `NULL` `Null`, anything else text.
 *
 * @since 0.2.0
 */
import { Either, Option } from "effect"
import * as DataRecord from "../../model/record.js"

/** Turns one column's value (as `mysql2` gives it with big numbers and dates as text) into a `Value`. */
export type Decode = (u: unknown) => DataRecord.Value

const integerTypes = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"])
const floatTypes = new Set(["float", "double", "real"])

/** A value whose column type is not known precisely: text, a number, bytes as base64. */
const plain: Decode = (u) => {
  if (u === null || u === undefined) return DataRecord.nil
  if (typeof u === "string") return DataRecord.chars(u)
  if (typeof u === "number") return Number.isInteger(u) ? Option.getOrElse(DataRecord.digit(u), () => DataRecord.float(u)) : DataRecord.float(u)
  if (typeof u === "bigint") return Option.getOrElse(DataRecord.digit(u), () => DataRecord.chars(u.toString()))
  if (typeof u === "boolean") return DataRecord.bool(u)
  if (Buffer.isBuffer(u)) return DataRecord.chars(u.toString("base64"))
  return DataRecord.chars(String(u))
}

const integer: Decode = (u) => {
  if (typeof u === "string") return Option.getOrElse(DataRecord.parseDigit(u), () => DataRecord.chars(u))
  return plain(u)
}

const float: Decode = (u) => (typeof u === "number" ? DataRecord.float(u) : typeof u === "string" ? DataRecord.float(Number(u)) : plain(u))

/** `2024-01-02 03:04:05.123456` (UTC, the session's zone) as `2024-01-02T03:04:05.123456Z`. */
const utcTime: Decode = (u) => {
  if (typeof u !== "string") return plain(u)
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(u) ? `${u.replace(" ", "T")}Z` : u
  return Option.getOrElse(DataRecord.time(iso), () => DataRecord.chars(u))
}

const day: Decode = (u) => (typeof u === "string" ? Option.getOrElse(DataRecord.time(u), () => DataRecord.chars(u)) : plain(u))

/** MySQL's `JSON` comes parsed; MariaDB's is text. */
const json: Decode = (u) => {
  if (u === null || u === undefined || typeof u === "string") return plain(u)
  return Either.match(DataRecord.fromJson({ v: u }), {
    onLeft: () => DataRecord.chars(JSON.stringify(u)),
    onRight: (record) => record.fields[0]!.value
  })
}

/** How to decode a column of data type `type` (`information_schema.COLUMNS.DATA_TYPE`). */
export const decoder = (type: string): Decode => {
  const t = type.toLowerCase()
  if (integerTypes.has(t)) return integer
  if (floatTypes.has(t)) return float
  if (t === "datetime" || t === "timestamp") return utcTime
  if (t === "date") return day
  if (t === "json") return json
  return plain
}

/** The record of `row` over `columns`, each decoded by its `decode`. */
export const toRecord = (row: { readonly [column: string]: unknown }, columns: ReadonlyArray<string>, decode: ReadonlyArray<Decode>): DataRecord.DataRecord => {
  const fields = new Array<DataRecord.DataField>(columns.length)
  for (let i = 0; i < columns.length; i++) fields[i] = DataRecord.field(columns[i]!, decode[i]!(row[columns[i]!]))
  return DataRecord.make(fields)
}
