/**
 * The `keep` processor: keeps only the listed fields of the record (`fields = ["ts", "host", "http.status"]`),
 * in the record's order. A dotted path keeps its object with only the listed keys in it, placed after the
 * top-level fields. The list is the processor's known field list, so filters downstream can be checked.
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import { ProcessorError } from "../errors/processor.js"
import type * as DataRecord from "../model/record.js"
import * as FieldPath from "./field-path.js"
import * as ProcessorKind from "./processor-kind.js"
import * as RecordStep from "./record-step.js"

/** `keep` params: `fields`, the names (or dotted paths) to keep. */
export const Params = Schema.Struct({
  fields: Schema.Array(Schema.String).pipe(Schema.minItems(1, { message: () => "empty list: name at least one field" }))
})

/** Decoded `keep` params. */
export type Params = typeof Params.Type

/** The step: top-level fields whose name is listed, then the dotted paths whose top-level key is not listed whole. */
const keepOf = (paths: ReadonlyArray<FieldPath.FieldPath>) => {
  const names: ReadonlySet<string> = new Set(paths.map((p) => p.text))
  const nested = paths.filter((p) => !FieldPath.isTopLevel(p) && !names.has(p.keys[0]!))
  return (record: DataRecord.DataRecord): DataRecord.DataRecord | ProcessorError => {
    const fields = record.fields
    let kept = 0
    for (const f of fields) if (names.has(f.name)) kept++
    let out: DataRecord.DataRecord = record
    if (kept < fields.length) {
      const top: Array<DataRecord.DataField> = []
      for (const f of fields) if (names.has(f.name)) top.push(f)
      out = { fields: top }
    }
    for (const p of nested) {
      if (FieldPath.hasName(record, p.text)) continue
      const value = FieldPath.get(record, p)
      if (value === undefined) continue
      const next = FieldPath.set(out, p, value)
      if (next instanceof ProcessorError) return next
      out = next
    }
    return out
  }
}

/** The `keep` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "keep",
  description: "keeps only the listed record fields: fields = [\"a\", \"b.c\"]",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.map(FieldPath.parseList(params.fields, `${where}.fields`), (paths) => ({
      step: RecordStep.make("keep", keepOf(paths)),
      fields: paths.map((p) => p.text)
    }))
})
