/**
 * Sink-side errors (`SinkReason`): tagged classes with codes, and their helpers.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { type CodedFacet, codedFields, defineCoded } from "./coded.js"
import { codedMessage, describeCause } from "./describe.js"
import { UnifiedReason } from "./unified.js"

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
export class SinkUvs extends Schema.TaggedError<SinkUvs>()("SinkUvs", {
  uvs: UnifiedReason,
  ...codedFields
}) {
  /** The inner reason's code. */
  get code(): number {
    return this.uvs.code
  }
  /** Always `"Uvs"`. */
  get reason(): "Uvs" {
    return "Uvs"
  }
  /** Retryable when the inner reason is a network or timeout error. */
  get retryable(): boolean {
    return this.uvs.retryable
  }
  /** `"[202 Uvs] NetworkError: detail"`. */
  override get message(): string {
    return codedMessage(this.code, "Uvs", this.detail === undefined ? this.uvs.toString() : `${this.uvs}: ${this.detail}`)
  }
}

/** Every error a sink may fail with. */
export type SinkError = SinkUnavailable | SinkMock | SinkStgCtrl | SinkUvs

const SinkErrorSchema = Schema.Union(SinkUnavailable, SinkMock, SinkStgCtrl, SinkUvs)

const sinkTags: ReadonlySet<string> = new Set(["SinkUnavailable", "SinkMock", "SinkStgCtrl", "SinkUvs"])

/** `owe_sink`: wraps every failure of `self` as a `SinkUnavailable` whose detail is `"context: <cause>"`. */
export const oweSink = (context: string) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, SinkUnavailable, R> =>
  Effect.mapError(self, (cause) => new SinkUnavailable({ detail: `${context}: ${describeCause(cause)}`, cause }))

/** Constructors and guards for `SinkError`, named as the Rust crate's helpers. */
export const SinkError = {
  /** The Schema of the union. */
  schema: SinkErrorSchema,
  /** `true` when `u` is a sink error (of every kind). */
  is: (u: unknown): u is SinkError =>
    typeof u === "object" && u !== null && sinkTags.has((u as { _tag?: unknown })._tag as string),
  /** `SinkReason::Sink(detail)` (500). */
  sink: (detail: string, cause?: unknown): SinkUnavailable =>
    new SinkUnavailable(cause === undefined ? { detail } : { detail, cause }),
  /** A failed send (500) with detail `"send error: <summary>"`. */
  sendError: (summary: string, cause?: unknown): SinkUnavailable =>
    new SinkUnavailable(cause === undefined ? { detail: `send error: ${summary}` } : { detail: `send error: ${summary}`, cause }),
  /** `Mock` (599). */
  mock: (detail?: string): SinkMock => new SinkMock(detail === undefined ? {} : { detail }),
  /** `StgCtrl` (510). */
  stgCtrl: (detail: string, cause?: unknown): SinkStgCtrl => new SinkStgCtrl(cause === undefined ? { detail } : { detail, cause }),
  /** `Uvs` with the given unified reason. */
  uvs: (uvs: UnifiedReason, detail?: string, cause?: unknown): SinkUvs =>
    new SinkUvs({ uvs, ...(detail === undefined ? {} : { detail }), ...(cause === undefined ? {} : { cause }) }),
  /** The failure of a write after `stop`. */
  stopped: (identifier?: string): SinkUnavailable =>
    new SinkUnavailable({ detail: identifier === undefined ? "sink stopped" : `sink stopped: ${identifier}` }),
  /** `owe_sink`: every failure becomes a `SinkUnavailable` with detail `"context: <cause>"`. */
  owe: oweSink
} as const
