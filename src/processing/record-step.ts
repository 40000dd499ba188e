/**
 * `RecordStep`: the step of a processor that works on the event's record (`set`, `rename`, `tag`, ...).
 * An event without a record fails with "no record: put a parser before <kind>"; a step that returns its
 * record unchanged gives the event back as it came.
 *
 * @since 0.2.0
 */
import { ProcessorError, processorError } from "../errors/processor.js"
import type * as DataRecord from "../model/record.js"
import * as SourceEvent from "../source/event.js"
import type * as Processor from "./processor.js"

/** The error for an event that reached `kind` without a record. */
export const noRecord = (kind: string): ProcessorError => processorError(`no record: put a parser before ${kind}`)

/** A step that maps the event's record with `f` (the same record: the same event); no record fails. */
export const make = (
  kind: string,
  f: (record: DataRecord.DataRecord) => DataRecord.DataRecord | ProcessorError
): Processor.SyncStep =>
(event) => {
  const record = event.record
  if (record === undefined) return noRecord(kind)
  const out = f(record)
  return out === record ? event : out instanceof ProcessorError ? out : SourceEvent.update(event, { record: out })
}
