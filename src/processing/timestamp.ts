/**
 * The `timestamp` processor: reads a record field written in a time `format` into a `Time` value (UTC
 * ISO-8601, `2024-11-28T11:00:00.000Z`, see `TimeFormat`), in place or into `target`. The field may hold
 * text, or for the `unix` and `unix_ms` formats also a number. A missing field, another kind of value, or
 * text that is not a time in the format is a `ProcessorError`; a format that cannot be used is a
 * `ConfigError` at `params.format`.
 *
 * @since 0.2.0
 */
import { Effect, Either, Option, Schema } from "effect"
import { ConfigError } from "../errors/config.js"
import { type ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as FieldPath from "./field-path.js"
import * as ProcessorKind from "./processor-kind.js"
import * as RecordStep from "./record-step.js"
import * as TimeFormat from "./time-format.js"

/** `timestamp` params: `field` to read, its `format`, and `target` (default: `field` itself). */
export const Params = Schema.Struct({
  field: Schema.NonEmptyString,
  format: Schema.NonEmptyString,
  target: Schema.optional(Schema.NonEmptyString)
})

/** Decoded `timestamp` params. */
export type Params = typeof Params.Type

/** The `timestamp` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "timestamp",
  description: "reads a field in a time format (strftime-like, rfc3339, rfc3164, unix, unix_ms) into a Time",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.gen(function*() {
      const { format } = params
      const parse = yield* Either.mapLeft(TimeFormat.compile(format), (detail) =>
        new ConfigError({
          detail,
          path: `${where}.format`,
          expected: "rfc3339, rfc3164, unix, unix_ms, or a strftime-like pattern such as %d/%b/%Y:%H:%M:%S %z"
        }))
      const source = yield* FieldPath.parse(params.field, `${where}.field`)
      const target = params.target === undefined ? source : yield* FieldPath.parse(params.target, `${where}.target`)
      const numeric = format === "unix" || format === "unix_ms"
      const read = (record: DataRecord.DataRecord): DataRecord.DataRecord | ProcessorError => {
        const value = FieldPath.get(record, source)
        if (value === undefined) return processorError(`timestamp: no field "${source.text}"`)
        let text: string
        if (value._tag === "Chars" || value._tag === "Time") text = value.value
        else if (numeric && (value._tag === "Digit" || value._tag === "Float")) text = String(value.value)
        else return processorError(`timestamp: field "${source.text}" holds ${DataRecord.kindOf(value)}, not ${numeric ? "text or a number" : "text"}`)
        const iso = parse(text)
        if (iso === undefined) {
          return processorError(`timestamp: field "${source.text}": ${JSON.stringify(text)} is not a time in format ${JSON.stringify(format)}`)
        }
        return FieldPath.set(record, target, Option.getOrThrow(DataRecord.time(iso)))
      }
      return { step: RecordStep.make("timestamp", read) }
    })
})
