/**
 * The `remove` processor: removes fields from the record (`fields = ["password", "http.headers.cookie"]`).
 * A field that is not there is skipped.
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import type * as DataRecord from "../model/record.js"
import * as FieldPath from "./field-path.js"
import * as ProcessorKind from "./processor-kind.js"
import * as RecordStep from "./record-step.js"

/** `remove` params: `fields`, the names (or dotted paths) to remove. */
export const Params = Schema.Struct({
  fields: Schema.Array(Schema.String).pipe(Schema.minItems(1, { message: () => "empty list: name at least one field" }))
})

/** Decoded `remove` params. */
export type Params = typeof Params.Type

/** Top-level names only: one pass; the same record when none of them is there. */
const removeTopLevel = (paths: ReadonlyArray<FieldPath.FieldPath>) => {
  const names: ReadonlySet<string> = new Set(paths.map((p) => p.text))
  return (record: DataRecord.DataRecord): DataRecord.DataRecord => {
    const fields = record.fields
    let first = 0
    while (first < fields.length && !names.has(fields[first]!.name)) first++
    if (first === fields.length) return record
    const kept = fields.slice(0, first)
    for (let i = first + 1; i < fields.length; i++) if (!names.has(fields[i]!.name)) kept.push(fields[i]!)
    return { fields: kept }
  }
}

/** Dotted paths too, one after the other. */
const removePaths = (paths: ReadonlyArray<FieldPath.FieldPath>) => (record: DataRecord.DataRecord): DataRecord.DataRecord => {
  let out = record
  for (const p of paths) out = FieldPath.remove(out, p)
  return out
}

/** The `remove` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "remove",
  description: "removes record fields: fields = [\"a\", \"b.c\"]",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.map(FieldPath.parseList(params.fields, `${where}.fields`), (paths) => ({
      step: RecordStep.make("remove", paths.every(FieldPath.isTopLevel) ? removeTopLevel(paths) : removePaths(paths))
    }))
})
