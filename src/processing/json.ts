/**
 * The `json` processor: reads a JSON object (the payload, or the text of a record field) into record
 * fields, one per key in order. Objects become `Obj`, arrays `Array`, strings `Chars`, `true`/`false`
 * `Bool`, `null` `Null`. A number whose value is an integer in the i64 range becomes a `Digit`, exactly
 * (`9007199254740993` stays `9007199254740993`); other numbers, and integers beyond i64, become `Float`.
 * Text that is not JSON, a top level that is not an object, or nesting deeper than 512 levels is a
 * `ProcessorError`.
 *
 * @since 0.2.0
 */
import { Effect, Option, Schema } from "effect"
import { type ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as ExactJson from "./exact-json.js"
import * as ParserInput from "./parser-input.js"
import * as ProcessorKind from "./processor-kind.js"

/** `json` params: `field`, the record field to read instead of the payload. */
export const Params = Schema.Struct({
  field: ParserInput.FieldParam
})

/** Decoded `json` params. */
export type Params = typeof Params.Type

const trueValue = DataRecord.bool(true)
const falseValue = DataRecord.bool(false)

/** A JSON number as a value: an integer in the i64 range is a `Digit`, anything else a `Float`. */
const numberValue = (n: number | bigint): DataRecord.Value => {
  if (typeof n === "number" && !Number.isInteger(n)) return DataRecord.float(n)
  return Option.getOrElse(DataRecord.digit(n), () => DataRecord.float(Number(n)))
}

/**
 * A value read by `ExactJson.parse` as a record value, found at `depth` (the top-level object is 0);
 * `undefined` when it nests arrays or objects `ExactJson.maxDepth` deep or deeper.
 */
const toValue = (u: unknown, depth: number): DataRecord.Value | undefined => {
  switch (typeof u) {
    case "string":
      return DataRecord.chars(u)
    case "number":
    case "bigint":
      return numberValue(u)
    case "boolean":
      return u ? trueValue : falseValue
    default: {
      if (u === null || typeof u !== "object") return DataRecord.nil
      if (depth >= ExactJson.maxDepth) return undefined
      if (Array.isArray(u)) {
        const items: Array<DataRecord.Value> = new Array(u.length)
        for (let i = 0; i < u.length; i++) {
          const item = toValue(u[i], depth + 1)
          if (item === undefined) return undefined
          items[i] = item
        }
        return DataRecord.array(items)
      }
      const o = u as { readonly [key: string]: unknown }
      const entries: Array<readonly [string, DataRecord.Value]> = []
      for (const key of Object.keys(o)) {
        const item = toValue(o[key], depth + 1)
        if (item === undefined) return undefined
        entries.push([key, item])
      }
      return DataRecord.obj(entries)
    }
  }
}

/** What a JSON top level that is not an object is, for the error. */
const describe = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "bigint" ? "a number" : `a ${typeof u}`

/** The characters a text needs to nest `ExactJson.maxDepth` deep: an opening and a closing bracket per level. */
const deepText = 2 * ExactJson.maxDepth

/** `true` when `text` has fewer than `ExactJson.maxDepth` opening brackets: what it holds cannot nest that deep. */
const shallow = (text: string): boolean => {
  if (text.length < deepText) return true
  let n = 0
  for (let i = text.indexOf("{"); i >= 0 && n < ExactJson.maxDepth; i = text.indexOf("{", i + 1)) n++
  for (let i = text.indexOf("["); i >= 0 && n < ExactJson.maxDepth; i = text.indexOf("[", i + 1)) n++
  return n < ExactJson.maxDepth
}

/**
 * The record of JSON `text`, or why it cannot give one. Text whose numbers `JSON.parse` reads exactly and
 * that cannot nest too deep becomes a record of the parsed object itself (`DataRecord.fromPlain`: fields
 * are made only when read, JSON out is one `JSON.stringify`); other text is read into fields at once.
 */
const read = (text: string): DataRecord.DataRecord | Array<DataRecord.DataField> | ProcessorError => {
  const safe = ExactJson.isSafe(text)
  const u = safe ? ExactJson.parseNative(text) : ExactJson.parse(text)
  if (ExactJson.isFailure(u)) return processorError(`json: ${u.reason === "syntax" ? "not JSON: " : ""}${u.detail}`)
  if (typeof u !== "object" || u === null || Array.isArray(u)) {
    return processorError(`json: the top level is ${describe(u)}, not an object`)
  }
  if (safe && shallow(text)) return DataRecord.fromPlain(u as { readonly [key: string]: DataRecord.PlainData })
  const o = u as { readonly [key: string]: unknown }
  const keys = Object.keys(o)
  const out: Array<DataRecord.DataField> = new Array(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const value = toValue(o[keys[i]!], 1)
    if (value === undefined) return processorError(`json: nested deeper than ${ExactJson.maxDepth} levels`)
    out[i] = DataRecord.field(keys[i]!, value)
  }
  return out
}

/** The `json` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "json",
  description: "parses a JSON object (the payload or a field) into record fields, 64-bit integers exact",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.map(ParserInput.fromParam(params.field, where), (input) => ({ step: ParserInput.step("json", input, read) }))
})
