/**
 * `Columns`: the `columns` param of the SQL sinks — which table column takes which record field — and
 * the rows of SQL parameters that records or raw payloads make through it. Two field names are
 * WarpParse's pseudo-fields: `payload` (a record's field of that name, else the record as JSON text;
 * for an event without a record, its payload) and `wp_event_id` (a record's field of that name, else
 * `NULL`).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import * as DataRecord from "../../model/record.js"
import type * as RawData from "../../model/raw.js"
import * as SqlParam from "./sql-param.js"

/** A table or column name: 1 to 64 characters, no NUL, no leading or trailing blank (it is quoted in SQL). */
export const Identifier = Schema.String.pipe(
  Schema.pattern(/^(?!\s)[^\u0000]{1,64}(?<!\s)$/)
).annotations({ description: "a name of 1 to 64 characters without NUL or surrounding blanks" })

/** A record field name: non-empty. */
export const FieldName = Schema.NonEmptyString.annotations({ description: "a record field name" })

/** The pseudo-field holding the event's payload (a record's JSON text when the record has no `payload` field). */
export const payloadField = "payload"

/** The pseudo-field holding the event id (a record's `wp_event_id` field; `NULL` without one). */
export const eventIdField = "wp_event_id"

/**
 * `columns`: a list of names (each column takes the record field of the same name), or a table of
 * `column = "field"`. Column names must be distinct; at least one.
 */
export const Columns = Schema.Union(
  Schema.NonEmptyArray(Identifier).pipe(
    Schema.filter((names) => new Set(names).size === names.length || `duplicate column ${JSON.stringify(names.find((n, i) => names.indexOf(n) !== i))}`)
  ),
  Schema.Record({ key: Identifier, value: FieldName }).pipe(
    Schema.filter((table) => Object.keys(table).length > 0 || "at least one column")
  )
).annotations({ description: "a list of column names, or a table of column = \"field\"" })

/** Decoded `columns`. */
export type Columns = typeof Columns.Type

/** One column and the field it takes. */
export interface Column {
  readonly column: string
  readonly field: string
}

/** The columns of `columns`, in order (a table's keys in their order). */
export const mapping = (columns: Columns): ReadonlyArray<Column> =>
  Array.isArray(columns)
    ? (columns as ReadonlyArray<string>).map((column) => ({ column, field: column }))
    : Object.entries(columns as Readonly<Record<string, string>>).map(([column, field]) => ({ column, field }))

/** The value of the first field named `name` of `record`, or `undefined`. */
const fieldOf = (record: DataRecord.DataRecord, name: string): DataRecord.Value | undefined => {
  for (const f of record.fields) if (f.name === name) return f.value
  return undefined
}

/** Why a record cannot be written. */
export interface Refusal {
  readonly _tag: "Refused"
  readonly detail: string
}

/** `true` for a row, `false` for a refusal. */
export const isRow = (u: ReadonlyArray<SqlParam.SqlParam> | Refusal): u is ReadonlyArray<SqlParam.SqlParam> => Array.isArray(u)

/** Rows of parameters, or why one item cannot be written (which item, column and field). */
export type Encoded =
  | { readonly _tag: "Rows"; readonly rows: ReadonlyArray<ReadonlyArray<SqlParam.SqlParam>> }
  | { readonly _tag: "Refused"; readonly detail: string }

/** Turns records and payloads into rows for the columns of one table. */
export interface RowEncoder {
  /** The column names, in the order of each row. */
  readonly columns: ReadonlyArray<string>
  /** `true` when some column takes the `payload` pseudo-field (so an event without a record can be written). */
  readonly takesPayload: boolean
  /** Why events without a record cannot be written, when no column takes `payload`. */
  readonly noPayload: string
  /** One record's row, or why it cannot be written (as `records` says it, for record #0). */
  readonly record: (record: DataRecord.DataRecord) => ReadonlyArray<SqlParam.SqlParam> | Refusal
  /** One row per record, in order (`from`: the number of the first, for messages). */
  readonly records: (records: ReadonlyArray<DataRecord.DataRecord>, from?: number) => Encoded
  /** One row per payload, in order: the payload in the `payload` columns, `NULL` in the others. */
  readonly payloads: (payloads: ReadonlyArray<RawData.RawData>) => Encoded
}

/**
 * The encoder of `columns` for a table whose columns are of `kinds` (each column of `columns` has one),
 * for a database of `style`. A field a record lacks is `NULL`, except the pseudo-field `payload`.
 */
export const encoder = (columns: ReadonlyArray<Column>, kinds: ReadonlyArray<SqlParam.ColumnKind>, style: SqlParam.Style): RowEncoder => {
  const n = columns.length
  const fields = columns.map((c) => c.field)
  const takesPayload = fields.includes(payloadField)
  const noPayload = `an event without a record has only its payload, and no column takes the field "payload" (columns: ${columns.map((c) => c.column).join(", ")})`
  /** The row of record number `at` (for messages), or why it cannot be written. */
  const rowOf = (record: DataRecord.DataRecord, at: number): ReadonlyArray<SqlParam.SqlParam> | Refusal => {
    const row = new Array<SqlParam.SqlParam>(n)
    for (let c = 0; c < n; c++) {
      const field = fields[c]!
      const value = fieldOf(record, field)
      if (value === undefined) {
        row[c] = field === payloadField ? SqlParam.fromPayload(DataRecord.toJsonText(record), kinds[c]!) : null
        continue
      }
      const param = SqlParam.fromValue(value, kinds[c]!, style)
      if (SqlParam.isRefused(param)) {
        return { _tag: "Refused", detail: `record #${at}: column ${JSON.stringify(columns[c]!.column)} (field ${JSON.stringify(field)}): ${param.why}` }
      }
      row[c] = param
    }
    return row
  }
  return {
    columns: columns.map((c) => c.column),
    takesPayload,
    noPayload,
    record: (record) => rowOf(record, 0),
    records: (records, from = 0) => {
      const rows = new Array<ReadonlyArray<SqlParam.SqlParam>>(records.length)
      for (let r = 0; r < records.length; r++) {
        const row = rowOf(records[r]!, from + r)
        if (!isRow(row)) return row
        rows[r] = row
      }
      return { _tag: "Rows", rows }
    },
    payloads: (payloads) => {
      if (!takesPayload) return { _tag: "Refused", detail: noPayload }
      const rows = new Array<ReadonlyArray<SqlParam.SqlParam>>(payloads.length)
      for (let r = 0; r < payloads.length; r++) {
        const row = new Array<SqlParam.SqlParam>(n)
        for (let c = 0; c < n; c++) row[c] = fields[c] === payloadField ? SqlParam.fromPayload(payloads[r]!, kinds[c]!) : null
        rows[r] = row
      }
      return { _tag: "Rows", rows }
    }
  }
}
