/**
 * Helpers for the parser processor tests (json, kv, csv, regex, syslog, timestamp, cast), on top of the
 * field-operation helpers: events that carry a payload, and the record an outcome holds as field triples.
 */
import { Either } from "effect"
import type { ProcessorError } from "../../src/errors/processor.js"
import * as DataRecord from "../../src/model/record.js"
import type * as RawData from "../../src/model/raw.js"
import type * as Processor from "../../src/processing/processor.js"
import * as SourceEvent from "../../src/source/event.js"
import { single } from "./field-fixtures.js"

export { build, buildError, failure, json, single, step } from "./field-fixtures.js"

/** An event carrying `payload`, and the record made of `fields` (JSON values) when given. */
export const payloadEvent = (payload: RawData.RawData, fields?: { readonly [k: string]: unknown }): SourceEvent.SourceEvent =>
  SourceEvent.make({
    eventId: 11,
    srcKey: "src",
    payload,
    ackToken: "token-11",
    record: fields === undefined ? undefined : Either.getOrThrow(DataRecord.fromJson(fields))
  })

/** The record of the one event an outcome holds, as `[name, meta, value]` triples (`Digit`s as bigints). */
export const triples = (outcome: Processor.Outcome | ProcessorError): ReadonlyArray<readonly [string, string, unknown]> => {
  const record = single(outcome).record
  if (record === undefined) throw new Error("the event has no record")
  return record.fields.map((f) => [f.name, f.meta, "value" in f.value ? f.value.value : null] as const)
}

/** The value of the field `name` in the record of the one event an outcome holds. */
export const valueOf = (outcome: Processor.Outcome | ProcessorError, name: string): DataRecord.Value | undefined => {
  const record = single(outcome).record
  return record === undefined ? undefined : record.fields.find((f) => f.name === name)?.value
}
