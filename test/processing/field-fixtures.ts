/**
 * Helpers for the field-operation processor tests: build a kind from params, run its step on an event
 * with a record, read what came out.
 */
import { Effect, Either } from "effect"
import type * as ParamMap from "../../src/config/param.js"
import type { ConfigError } from "../../src/errors/config.js"
import { ProcessorError } from "../../src/errors/processor.js"
import * as DataRecord from "../../src/model/record.js"
import * as Tags from "../../src/model/tags.js"
import type * as Processor from "../../src/processing/processor.js"
import type * as ProcessorKind from "../../src/processing/processor-kind.js"
import * as SourceEvent from "../../src/source/event.js"

/** Builds a processor of `kind` as the project's first processor would be (`processors[0]`). */
export const build = (kind: ProcessorKind.ProcessorKind, params: ParamMap.ParamMap): Either.Either<Processor.Processor, ConfigError> =>
  Effect.runSync(Effect.either(kind.build({ name: `my_${kind.kind}`, onError: "rescue", params, where: "processors[0]" }, { workRoot: "/nonexistent" })))

/** The synchronous step of a processor that must build. */
export const step = (kind: ProcessorKind.ProcessorKind, params: ParamMap.ParamMap): Processor.SyncStep => {
  const p = Either.getOrThrow(build(kind, params))
  if (p._tag !== "Sync") throw new Error(`${kind.kind} is not synchronous`)
  return p.step
}

/** The params error of a processor that must not build. */
export const buildError = (kind: ProcessorKind.ProcessorKind, params: ParamMap.ParamMap): ConfigError =>
  Either.getOrThrow(Either.flip(build(kind, params)))

/** An event whose record is made of `fields` (JSON values), with `tags`. */
export const event = (fields: { readonly [k: string]: unknown } | undefined, tags: { readonly [k: string]: string } = {}): SourceEvent.SourceEvent =>
  SourceEvent.make({
    eventId: 7,
    srcKey: "src",
    payload: "the payload",
    tags: Tags.make(tags),
    ackToken: "token-7",
    record: fields === undefined ? undefined : Either.getOrThrow(DataRecord.fromJson(fields))
  })

/** The one event an outcome holds (a failure or anything else throws). */
export const single = (outcome: Processor.Outcome | ProcessorError): SourceEvent.SourceEvent => {
  if (outcome instanceof ProcessorError) throw new Error(outcome.message)
  if (!(outcome instanceof SourceEvent.SourceEvent)) throw new Error("expected one event")
  return outcome
}

/** The JSON text of the record of the one event an outcome holds. */
export const json = (outcome: Processor.Outcome | ProcessorError): string => {
  const record = single(outcome).record
  if (record === undefined) throw new Error("the event has no record")
  return DataRecord.toJsonText(record)
}

/** The `ProcessorError` an outcome must be. */
export const failure = (outcome: Processor.Outcome | ProcessorError): ProcessorError => {
  if (!(outcome instanceof ProcessorError)) throw new Error("expected a ProcessorError")
  return outcome
}
