/**
 * The `cast` processor: converts record fields to types (`fields = { status = "int", took = "float" }`),
 * as `ValueParse.convert` says: text is read as the type, a number or boolean through its text (`Digit` 1
 * is `1`: `float` 1.0, `bool` true; `Float` 3.0 is `3`: `int` 3). A field already of the type, or `Null`, is
 * kept; a field the record does not have is skipped. A value that cannot be converted is a
 * `ProcessorError` naming the field and the value.
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import { formatPath } from "../config/param.js"
import type { ConfigError } from "../errors/config.js"
import { ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as FieldPath from "./field-path.js"
import * as ProcessorKind from "./processor-kind.js"
import * as RecordStep from "./record-step.js"
import * as ValueParse from "./value-parse.js"

/** `cast` params: `fields`, field names (or dotted paths) to types. */
export const Params = Schema.Struct({
  fields: ValueParse.TypesTable.pipe(
    Schema.filter((t) => Object.keys(t).length > 0, { description: "a table of at least one field name to a type" })
  )
})

/** Decoded `cast` params. */
export type Params = typeof Params.Type

/** One field to convert. */
interface Target {
  readonly path: FieldPath.FieldPath
  readonly type: ValueParse.ValueType
}

/** The targets of the `fields` table, or the `ConfigError` of a bad field path. */
const targets = (fields: Params["fields"], where: string): Effect.Effect<ReadonlyArray<Target>, ConfigError> =>
  Effect.forEach(Object.keys(fields), (name) =>
    Effect.map(FieldPath.parse(name, formatPath(`${where}.fields`, [name])), (path) => ({ path, type: fields[name]! })))

/** The record with every target converted, or the error of the first that cannot be. */
const castAll = (targets: ReadonlyArray<Target>) => (record: DataRecord.DataRecord): DataRecord.DataRecord | ProcessorError => {
  let out = record
  for (const { path, type } of targets) {
    const value = FieldPath.get(out, path)
    if (value === undefined) continue
    const converted = ValueParse.convert(type, value)
    if (converted === undefined) {
      return processorError(`cast: field "${path.text}": ${JSON.stringify(DataRecord.text(value))} (${DataRecord.kindOf(value)}) is not ${type}`)
    }
    if (converted === value) continue
    const next = FieldPath.set(out, path, converted)
    if (next instanceof ProcessorError) return next
    out = next
  }
  return out
}

/** The `cast` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "cast",
  description: "converts record fields to int, float, bool, time, ip or chars",
  params: Params,
  make: (params, _ctx, where) => Effect.map(targets(params.fields, where), (ts) => ({ step: RecordStep.make("cast", castAll(ts)) }))
})
