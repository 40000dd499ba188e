/**
 * Source-side errors (`SourceReason`): tagged classes with codes, and their helpers.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { type CodedFacet, codedFields, defineCoded } from "./coded.js"
import { codedMessage, describeCause } from "./describe.js"
import { UnifiedReason } from "./unified.js"

/** No data yet (100): normal, the caller polls again. */
export class SourceNotData extends Schema.TaggedError<SourceNotData>()("SourceNotData", codedFields) {}
/** SourceNotData carries reason `NotData` and code 100. */
export interface SourceNotData extends CodedFacet<"NotData", 100> {}
defineCoded(SourceNotData, "NotData", 100, false)

/** End of data (101): normal, the stream ends. */
export class SourceEof extends Schema.TaggedError<SourceEof>()("SourceEof", codedFields) {}
/** SourceEof carries reason `EOF` and code 101. */
export interface SourceEof extends CodedFacet<"EOF", 101> {}
defineCoded(SourceEof, "EOF", 101, false)

/** The connection to the upstream was lost (503): retryable. */
export class SourceDisconnect extends Schema.TaggedError<SourceDisconnect>()("SourceDisconnect", codedFields) {}
/** SourceDisconnect carries reason `Disconnect` and code 503. */
export interface SourceDisconnect extends CodedFacet<"Disconnect", 503> {}
defineCoded(SourceDisconnect, "Disconnect", 503, true)

/** The upstream supplier failed (500), also "ack unsupported" and "seek unsupported". */
export class SourceSupplierError extends Schema.TaggedError<SourceSupplierError>()("SourceSupplierError", codedFields) {}
/** SourceSupplierError carries reason `SupplierError` and code 500. */
export interface SourceSupplierError extends CodedFacet<"SupplierError", 500> {}
defineCoded(SourceSupplierError, "SupplierError", 500, false)

/** An unclassified source failure (520). */
export class SourceOther extends Schema.TaggedError<SourceOther>()("SourceOther", codedFields) {}
/** SourceOther carries reason `Other` and code 520. */
export interface SourceOther extends CodedFacet<"Other", 520> {}
defineCoded(SourceOther, "Other", 520, false)

/** A source failure with a unified reason; its code is the reason's code. */
export class SourceUvs extends Schema.TaggedError<SourceUvs>()("SourceUvs", {
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

/** Every error a source may fail with. */
export type SourceError =
  | SourceNotData
  | SourceEof
  | SourceDisconnect
  | SourceSupplierError
  | SourceOther
  | SourceUvs

/** The Schema of `SourceError`, for encoding errors (e.g. into a rescue file). */
const SourceErrorSchema = Schema.Union(
  SourceNotData,
  SourceEof,
  SourceDisconnect,
  SourceSupplierError,
  SourceOther,
  SourceUvs
)

const sourceTags: ReadonlySet<string> = new Set([
  "SourceNotData",
  "SourceEof",
  "SourceDisconnect",
  "SourceSupplierError",
  "SourceOther",
  "SourceUvs"
])

/** Wraps every failure of `self` as a `SourceSupplierError` whose detail is `"context: <cause>"`. */
export const oweSource = (context: string) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, SourceSupplierError, R> =>
  Effect.mapError(self, (cause) => new SourceSupplierError({ detail: `${context}: ${describeCause(cause)}`, cause }))

/** Constructors and guards for `SourceError`, named as the Rust crate's helpers. */
export const SourceError = {
  /** The Schema of the union. */
  schema: SourceErrorSchema,
  /** `true` when `u` is a source error (of every kind). */
  is: (u: unknown): u is SourceError =>
    typeof u === "object" && u !== null && sourceTags.has((u as { _tag?: unknown })._tag as string),
  /** `NotData` (100). */
  notData: (detail?: string): SourceNotData => new SourceNotData(detail === undefined ? {} : { detail }),
  /** `EOF` (101). */
  eof: (detail?: string): SourceEof => new SourceEof(detail === undefined ? {} : { detail }),
  /** `Disconnect` (503), retryable. */
  disconnect: (detail: string, cause?: unknown): SourceDisconnect =>
    new SourceDisconnect(cause === undefined ? { detail } : { detail, cause }),
  /** `SupplierError` (500). */
  supplierError: (detail: string, cause?: unknown): SourceSupplierError =>
    new SourceSupplierError(cause === undefined ? { detail } : { detail, cause }),
  /** `Other` (520). */
  other: (detail: string, cause?: unknown): SourceOther => new SourceOther(cause === undefined ? { detail } : { detail, cause }),
  /** `Uvs` with the given unified reason. */
  uvs: (uvs: UnifiedReason, detail?: string): SourceUvs => new SourceUvs(detail === undefined ? { uvs } : { uvs, detail }),
  /** The failure of `ack` on a source without the ack capability. */
  ackUnsupported: (identifier?: string): SourceSupplierError =>
    new SourceSupplierError({ detail: identifier === undefined ? "ack unsupported" : `ack unsupported by ${identifier}` }),
  /** The failure of `seek` on a source without the seek capability. */
  seekUnsupported: (identifier?: string): SourceSupplierError =>
    new SourceSupplierError({ detail: identifier === undefined ? "seek unsupported" : `seek unsupported by ${identifier}` }),
  /** `owe_source`: every failure becomes a `SourceSupplierError` with detail `"context: <cause>"`. */
  owe: oweSource
} as const
