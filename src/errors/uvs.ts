/**
 * The `Uvs` error of either side (`SourceUvs`, `SinkUvs`): a unified reason that gives the error its
 * code and whether it is retryable, defined once for both.
 *
 * @since 0.1.0
 */
import { type CodedFacet, codedFields, defineFacet, detailAndCause } from "./coded.js"
import { codedMessage } from "./describe.js"
import { UnifiedReason } from "./unified.js"

/** The fields of a `Uvs` error: its unified reason, an optional detail and an optional cause. */
export const uvsFields = { uvs: UnifiedReason, ...codedFields }

/** What a `Uvs` error computes: `code` and `retryable` are its reason's, `reason` is `"Uvs"`. */
export interface UvsFacet extends CodedFacet<"Uvs"> {}

/** What a `Uvs` error holds, as its getters read it. */
interface UvsSelf {
  readonly uvs: UnifiedReason
  readonly detail?: string | undefined
}

/**
 * Gives a `Uvs` error class its `code` and `retryable` (its reason's), reason `"Uvs"` and the message
 * `"[202 Uvs] NetworkError: down: detail"`. Pair it with `export interface SinkUvs extends UvsFacet {}`.
 */
export const defineUvs = (cls: { readonly prototype: object }): void =>
  defineFacet<UvsSelf>(cls, {
    reason: "Uvs",
    code: (self) => self.uvs.code,
    retryable: (self) => self.uvs.retryable,
    message: (self) =>
      codedMessage(self.uvs.code, "Uvs", self.detail === undefined ? self.uvs.toString() : `${self.uvs}: ${self.detail}`)
  })

/** The fields a side's `Uvs` constructor takes. */
export interface UvsInput {
  readonly uvs: UnifiedReason
  readonly detail?: string
  readonly cause?: unknown
}

/** The helpers that build a side's `Uvs` error with `make`. */
export const uvsConstructors = <E>(make: (fields: UvsInput) => E) => ({
  /** `Uvs` with the given unified reason, an optional detail and an optional cause. */
  uvs: (uvs: UnifiedReason, detail?: string, cause?: unknown): E => make({ uvs, ...detailAndCause(detail, cause) }),
  /** `Uvs` with a `NetworkError` reason (202, retryable): the connection failed or was lost. */
  network: (detail: string, cause?: unknown): E => make({ uvs: UnifiedReason.network(detail), ...detailAndCause(undefined, cause) })
})
