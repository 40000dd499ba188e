/**
 * Sink-side errors (`SinkReason`): tagged classes with codes, and their helpers.
 *
 * @since 0.1.0
 */
import { type Effect, Schema } from "effect"
import { type CodedFacet, codedFields, defineCoded, detailAndCause, isOneOf, oweAs } from "./coded.js"
import { defineUvs, uvsConstructors, uvsFields, type UvsFacet } from "./uvs.js"

/** The sink is unavailable (500): the general sink failure, retryable. */
export class SinkUnavailable extends Schema.TaggedError<SinkUnavailable>()("SinkUnavailable", codedFields) {}
/** SinkUnavailable carries reason `Sink` and code 500. */
export interface SinkUnavailable extends CodedFacet<"Sink", 500> {}
defineCoded(SinkUnavailable, "Sink", 500, true)

/** A mock/test error (599). */
export class SinkMock extends Schema.TaggedError<SinkMock>()("SinkMock", codedFields) {}
/** SinkMock carries reason `Mock` and code 599. */
export interface SinkMock extends CodedFacet<"Mock", 599> {}
defineCoded(SinkMock, "Mock", 599, false)

/** A storage control error (510). */
export class SinkStgCtrl extends Schema.TaggedError<SinkStgCtrl>()("SinkStgCtrl", codedFields) {}
/** SinkStgCtrl carries reason `StgCtrl` and code 510. */
export interface SinkStgCtrl extends CodedFacet<"StgCtrl", 510> {}
defineCoded(SinkStgCtrl, "StgCtrl", 510, false)

/** A sink failure with a unified reason; its code is the reason's code. */
export class SinkUvs extends Schema.TaggedError<SinkUvs>()("SinkUvs", uvsFields) {}
/** SinkUvs carries reason `Uvs`; its code and `retryable` are its unified reason's. */
export interface SinkUvs extends UvsFacet {}
defineUvs(SinkUvs)

/** The classes of `SinkError`, the one list its Schema and guard are made from. */
const sinkErrors = [SinkUnavailable, SinkMock, SinkStgCtrl, SinkUvs] as const

/** The Schema of `SinkError`, for encoding errors. */
const SinkErrorSchema = Schema.Union(...sinkErrors)

/** Every error a sink may fail with. */
export type SinkError = typeof SinkErrorSchema.Type

/** `owe_sink`: wraps every failure of `self` as a `SinkUnavailable` whose detail is `"context: <cause>"`. */
export const oweSink: (context: string) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, SinkUnavailable, R> =
  oweAs((fields) => new SinkUnavailable(fields))

/** Constructors and guards for `SinkError`, named as the Rust crate's helpers. */
export const SinkError = {
  /** The Schema of the union. */
  schema: SinkErrorSchema,
  /** `true` when `u` is a sink error (of every kind). */
  is: isOneOf(sinkErrors),
  /** `SinkReason::Sink(detail)` (500). */
  sink: (detail: string, cause?: unknown): SinkUnavailable => new SinkUnavailable(detailAndCause(detail, cause)),
  /** A failed send (500) with detail `"send error: <summary>"`. */
  sendError: (summary: string, cause?: unknown): SinkUnavailable => new SinkUnavailable(detailAndCause(`send error: ${summary}`, cause)),
  /** `Mock` (599). */
  mock: (detail?: string): SinkMock => new SinkMock(detailAndCause(detail)),
  /** `StgCtrl` (510). */
  stgCtrl: (detail: string, cause?: unknown): SinkStgCtrl => new SinkStgCtrl(detailAndCause(detail, cause)),
  /** `Uvs` with a unified reason (`uvs`), or a `NetworkError` one (`network`, retryable). */
  ...uvsConstructors((fields) => new SinkUvs(fields)),
  /** The failure of a write after `stop`. */
  stopped: (identifier?: string): SinkUnavailable =>
    new SinkUnavailable({ detail: identifier === undefined ? "sink stopped" : `sink stopped: ${identifier}` }),
  /** `owe_sink`: every failure becomes a `SinkUnavailable` with detail `"context: <cause>"`. */
  owe: oweSink
} as const
