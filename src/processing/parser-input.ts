/**
 * `ParserInput`: where a parser (`json`, `kv`, `csv`, `regex`, `syslog`) reads its text and puts the
 * fields it made. It reads the payload (bytes as UTF-8), or with `field` the text of a record field (a
 * top-level name or a dotted path); its fields become the event's record, or, when the event has one
 * already, are added to it (a field of the same name is replaced in place, others are added last).
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import type { ConfigError } from "../errors/config.js"
import { ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as RawData from "../model/raw.js"
import * as SourceEvent from "../source/event.js"
import * as FieldPath from "./field-path.js"
import type * as Processor from "./processor.js"

/** The `field` param of a parser: the record field to read instead of the payload. */
export const FieldParam = Schema.optional(Schema.NonEmptyString)

/** Where a parser reads: the payload (`undefined`) or a record field. */
export type Input = FieldPath.FieldPath | undefined

/** The input for a parser's `field` param (`where` is its params path): the payload when it is not given. */
export const fromParam = (field: string | undefined, where: string): Effect.Effect<Input, ConfigError> =>
  field === undefined ? Effect.succeed(undefined) : FieldPath.parse(field, `${where}.field`)

/**
 * The text `kind` reads from `event`: its payload, or the text of the field `input` (`Chars`, `Time` or
 * `IpAddr`). A missing record or field, or a field that holds no text, is a `ProcessorError`.
 */
export const text = (event: SourceEvent.SourceEvent, input: Input, kind: string): string | ProcessorError => {
  if (input === undefined) return RawData.text(event.payload)
  const record = event.record
  if (record === undefined) return processorError(`${kind}: no record to read field "${input.text}" from: put a parser before ${kind}`)
  const value = FieldPath.get(record, input)
  if (value === undefined) return processorError(`${kind}: no field "${input.text}"`)
  switch (value._tag) {
    case "Chars":
    case "Time":
    case "IpAddr":
      return value.value
    default:
      return processorError(`${kind}: field "${input.text}" holds ${DataRecord.kindOf(value)}, not text`)
  }
}

/**
 * `event` with the record `fields` (names unique among them): its record when it has none, else added to
 * its record, a field of the same name replaced where it is and the others added last.
 */
export const attach = (event: SourceEvent.SourceEvent, fields: Array<DataRecord.DataField>): SourceEvent.SourceEvent => {
  const record = event.record
  if (record === undefined || record.fields.length === 0) return SourceEvent.update(event, { record: { fields } })
  const out = record.fields.slice()
  const start = out.length
  for (const field of fields) {
    let at = -1
    for (let i = 0; i < start; i++) {
      if (out[i]!.name === field.name) {
        at = i
        break
      }
    }
    if (at < 0) out.push(field)
    else out[at] = field
  }
  return SourceEvent.update(event, { record: { fields: out } })
}

/**
 * The step of the parser `kind`: reads the text of `input` (see `text`), makes fields of it with `read`,
 * and `attach`es them to the event; a `ProcessorError` from either is the step's. `read` may make a whole
 * record (`DataRecord.fromPlain`): it is the event's record when the event has none, else its fields are
 * attached.
 */
export const step = (
  kind: string,
  input: Input,
  read: (text: string) => Array<DataRecord.DataField> | DataRecord.DataRecord | ProcessorError
): Processor.SyncStep =>
(event) => {
  const source = text(event, input, kind)
  if (typeof source !== "string") return source
  const made = read(source)
  if (Array.isArray(made)) return attach(event, made)
  if (made instanceof ProcessorError) return made
  const record = event.record
  return record === undefined || record.fields.length === 0 ? SourceEvent.update(event, { record: made }) : attach(event, made.fields.slice())
}
