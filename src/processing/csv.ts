/**
 * The `csv` processor: reads one CSV line (the payload, or the text of a record field) into the fields
 * named by `columns`, typed by `types` (`chars` by default). Quoting follows RFC 4180: a value in `quote`s
 * may hold the delimiter, line breaks and doubled quotes (`""` is one `"`); a line break outside quotes is
 * an error, one final line break is ignored. An empty value of a typed (not `chars`) column is `Null`.
 * With `strict` (the default) a line with fewer or more values than columns is a `ProcessorError`;
 * without it, missing columns are `Null` and extra values are dropped.
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import { ConfigError } from "../errors/config.js"
import { ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as ParserInput from "./parser-input.js"
import * as ProcessorKind from "./processor-kind.js"
import * as ValueParse from "./value-parse.js"

/** One character, not a line break. */
const Char = Schema.String.pipe(
  Schema.filter((s) => s.length === 1 && s !== "\n" && s !== "\r", { description: "one character, not a line break" })
)

/**
 * `csv` params: `columns` (the field names, in order), `delimiter` (default `,`), `quote` (default `"`),
 * `types` (column names to types), `strict` (default true), `field`.
 */
export const Params = Schema.Struct({
  field: ParserInput.FieldParam,
  columns: Schema.Array(Schema.NonEmptyString).pipe(Schema.minItems(1)),
  delimiter: Schema.optionalWith(Char, { default: () => "," }),
  quote: Schema.optionalWith(Char, { default: () => "\"" }),
  types: Schema.optionalWith(ValueParse.TypesTable, { default: () => ({}) }),
  strict: Schema.optionalWith(Schema.Boolean, { default: () => true })
})

/** Decoded `csv` params. */
export type Params = typeof Params.Type

/** How one line is read: the columns with their types, the delimiter, the quote, and `strict`. */
interface Layout {
  readonly columns: ReadonlyArray<string>
  readonly typed: ReadonlyArray<ValueParse.Typed>
  readonly delimiter: string
  readonly quote: string
  readonly strict: boolean
}

/** The value of `raw` in column `col`, or an error naming the column. */
const valueOf = (layout: Layout, col: number, raw: string): DataRecord.Value | ProcessorError => {
  const { parse, type } = layout.typed[col]!
  if (type === "chars") return DataRecord.chars(raw)
  if (raw.length === 0) return DataRecord.nil
  return parse(raw) ?? processorError(`csv: column "${layout.columns[col]!}": ${JSON.stringify(raw)} is not ${type}`)
}

/** The fields of one CSV line, or why it cannot give them. */
const read = (layout: Layout, text: string): Array<DataRecord.DataField> | ProcessorError => {
  const { columns, delimiter, quote, strict } = layout
  let end = text.length
  if (text.charCodeAt(end - 1) === 0x0a) end -= text.charCodeAt(end - 2) === 0x0d ? 2 : 1
  const out: Array<DataRecord.DataField> = []
  let i = 0
  let count = 0
  for (;;) {
    let raw: string
    if (text[i] === quote && i < end) {
      raw = ""
      let from = i + 1
      for (;;) {
        const q = text.indexOf(quote, from)
        if (q < 0 || q >= end) return processorError(`csv: unterminated quote at offset ${i} (value ${count + 1})`)
        if (text[q + 1] === quote && q + 1 < end) {
          raw += text.slice(from, q + 1)
          from = q + 2
          continue
        }
        raw += text.slice(from, q)
        i = q + 1
        break
      }
      if (i < end && text[i] !== delimiter) {
        return processorError(`csv: unexpected text at offset ${i} after the quoted value ${count + 1} (expected ${JSON.stringify(delimiter)})`)
      }
    } else {
      let next = text.indexOf(delimiter, i)
      if (next < 0 || next > end) next = end
      raw = text.slice(i, next)
      const brk = raw.search(/[\r\n]/)
      if (brk >= 0) return processorError(`csv: line break outside quotes at offset ${i + brk}`)
      i = next
    }
    if (count < columns.length) {
      const value = valueOf(layout, count, raw)
      if (value instanceof ProcessorError) return value
      out.push(DataRecord.field(columns[count]!, value))
    } else if (strict) {
      return processorError(`csv: more than ${columns.length} values (columns: ${columns.join(", ")})`)
    }
    count++
    if (i >= end) break
    i++
  }
  if (count < columns.length) {
    if (strict) return processorError(`csv: ${count} values for ${columns.length} columns (${columns.join(", ")})`)
    for (let c = count; c < columns.length; c++) out.push(DataRecord.field(columns[c]!, DataRecord.nil))
  }
  return out
}

/** The `csv` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "csv",
  description: "parses one CSV line (the payload or a field) into the named, typed columns",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.gen(function*() {
      const { columns, delimiter, quote } = params
      const twice = columns.findIndex((c, i) => columns.indexOf(c) !== i)
      if (twice >= 0) {
        return yield* new ConfigError({ detail: `column "${columns[twice]!}" is named twice`, path: `${where}.columns[${twice}]` })
      }
      if (delimiter === quote) {
        return yield* new ConfigError({ detail: `quote ${JSON.stringify(quote)} is also the delimiter`, path: `${where}.quote` })
      }
      const typed = yield* ValueParse.typed(columns, params.types, where, "columns")
      const input = yield* ParserInput.fromParam(params.field, where)
      const layout: Layout = { columns, typed, delimiter, quote, strict: params.strict }
      return { fields: columns, step: ParserInput.step("csv", input, (text) => read(layout, text)) }
    })
})
