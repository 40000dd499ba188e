/**
 * Source-side errors (`SourceReason`): tagged classes with codes, and their helpers.
 *
 * @since 0.1.0
 */
import { type Effect, Schema } from "effect"
import { type CodedFacet, codedFields, defineCoded, detailAndCause, isOneOf, oweAs } from "./coded.js"
import { defineUvs, uvsConstructors, uvsFields, type UvsFacet } from "./uvs.js"

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
export class SourceUvs extends Schema.TaggedError<SourceUvs>()("SourceUvs", uvsFields) {}
/** SourceUvs carries reason `Uvs`; its code and `retryable` are its unified reason's. */
export interface SourceUvs extends UvsFacet {}
defineUvs(SourceUvs)

/** The classes of `SourceError`, the one list its Schema and guard are made from. */
const sourceErrors = [SourceNotData, SourceEof, SourceDisconnect, SourceSupplierError, SourceOther, SourceUvs] as const

/** The Schema of `SourceError`, for encoding errors (e.g. into a rescue file). */
const SourceErrorSchema = Schema.Union(...sourceErrors)

/** Every error a source may fail with. */
export type SourceError = typeof SourceErrorSchema.Type

/** Wraps every failure of `self` as a `SourceSupplierError` whose detail is `"context: <cause>"`. */
export const oweSource: (context: string) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, SourceSupplierError, R> =
  oweAs((fields) => new SourceSupplierError(fields))

/** Constructors and guards for `SourceError`, named as the Rust crate's helpers. */
export const SourceError = {
  /** The Schema of the union. */
  schema: SourceErrorSchema,
  /** `true` when `u` is a source error (of every kind). */
  is: isOneOf(sourceErrors),
  /** `NotData` (100). */
  notData: (detail?: string): SourceNotData => new SourceNotData(detailAndCause(detail)),
  /** `EOF` (101). */
  eof: (detail?: string): SourceEof => new SourceEof(detailAndCause(detail)),
  /** `Disconnect` (503), retryable. */
  disconnect: (detail: string, cause?: unknown): SourceDisconnect => new SourceDisconnect(detailAndCause(detail, cause)),
  /** `SupplierError` (500). */
  supplierError: (detail: string, cause?: unknown): SourceSupplierError => new SourceSupplierError(detailAndCause(detail, cause)),
  /** `Other` (520). */
  other: (detail: string, cause?: unknown): SourceOther => new SourceOther(detailAndCause(detail, cause)),
  /** `Uvs` with a unified reason (`uvs`), or a `NetworkError` one (`network`, retryable). */
  ...uvsConstructors((fields) => new SourceUvs(fields)),
  /** The failure of `ack` on a source without the ack capability. */
  ackUnsupported: (identifier?: string): SourceSupplierError =>
    new SourceSupplierError({ detail: identifier === undefined ? "ack unsupported" : `ack unsupported by ${identifier}` }),
  /** The failure of `seek` on a source without the seek capability. */
  seekUnsupported: (identifier?: string): SourceSupplierError =>
    new SourceSupplierError({ detail: identifier === undefined ? "seek unsupported" : `seek unsupported by ${identifier}` }),
  /** `owe_source`: every failure becomes a `SourceSupplierError` with detail `"context: <cause>"`. */
  owe: oweSource
} as const
