/**
 * The shape every coded error shares: a tag, a reason name, a code, a detail and a cause.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { codedMessage } from "./describe.js"

/** The fixed part of a coded error: `code`, `reason`, `retryable`. */
export interface CodedFacet<Reason extends string = string, Code extends number = number> {
  /** The numeric code of this error (see the error tables). */
  readonly code: Code
  /** The reason's name in the Rust crate (`NotData`, `Sink`, `Uvs`, ...). */
  readonly reason: Reason
  /** Whether the engine may retry the operation that failed. */
  readonly retryable: boolean
}

/** What every error of this package carries: `_tag`, `code`, `reason`, `detail`, `retryable`. */
export interface Coded extends CodedFacet {
  readonly _tag: string
  /** What went wrong, for people. */
  readonly detail?: string | undefined
}

/** The fields of a plain coded error: an optional detail and an optional cause. */
export const codedFields = {
  detail: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}

/**
 * Gives an error class a fixed `code`, `reason`, `retryable` and a `"[code Reason] detail"` message.
 * Pair it with an interface merge: `export interface SourceEof extends CodedFacet<"EOF", 101> {}`.
 */
export const defineCoded = (
  cls: { readonly prototype: object },
  reason: string,
  code: number,
  retryable: boolean
): void => {
  Object.defineProperties(cls.prototype, {
    code: { get: () => code, enumerable: false, configurable: true },
    reason: { get: () => reason, enumerable: false, configurable: true },
    retryable: { get: () => retryable, enumerable: false, configurable: true },
    message: {
      get(this: { readonly detail?: string | undefined }) {
        return codedMessage(code, reason, this.detail)
      },
      enumerable: false,
      configurable: true
    }
  })
}

/** `true` when `u` is one of this package's coded errors. */
export const isCoded = (u: unknown): u is Coded =>
  typeof u === "object" && u !== null && "_tag" in u && typeof (u as { code?: unknown }).code === "number" &&
  typeof (u as { reason?: unknown }).reason === "string"
