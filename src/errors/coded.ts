/**
 * The shape every coded error shares: a tag, a reason name, a code, a detail and a cause.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { codedMessage, describeCause } from "./describe.js"

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

/** How the instances of an error class compute their `code`, `retryable` and `message` (`reason` is fixed). */
export interface Facet<Self> {
  readonly reason: string
  readonly code: (self: Self) => number
  readonly retryable: (self: Self) => boolean
  readonly message: (self: Self) => string
}

/** Gives an error class the getters `code`, `reason`, `retryable` and `message` that `facet` computes. */
export const defineFacet = <Self>(cls: { readonly prototype: object }, facet: Facet<Self>): void => {
  const getter = <A>(get: (self: Self) => A) => ({
    get(this: Self) {
      return get(this)
    },
    enumerable: false,
    configurable: true
  })
  Object.defineProperties(cls.prototype, {
    code: getter(facet.code),
    reason: getter(() => facet.reason),
    retryable: getter(facet.retryable),
    message: getter(facet.message)
  })
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
): void =>
  defineFacet<{ readonly detail?: string | undefined }>(cls, {
    reason,
    code: () => code,
    retryable: () => retryable,
    message: (self) => codedMessage(code, reason, self.detail)
  })

/** The fields of a coded error: `detail` and `cause`, each only when given. */
export const detailAndCause = (
  detail?: string,
  cause?: unknown
): { readonly detail?: string; readonly cause?: unknown } => ({
  ...(detail === undefined ? {} : { detail }),
  ...(cause === undefined ? {} : { cause })
})

/** `owe` of one side: every failure of `self` becomes `make({ detail: "context: <cause>", cause })`. */
export const oweAs = <E>(make: (fields: { readonly detail: string; readonly cause: unknown }) => E) =>
(context: string) =>
<A, E1, R>(self: Effect.Effect<A, E1, R>): Effect.Effect<A, E, R> =>
  Effect.mapError(self, (cause) => make({ detail: `${context}: ${describeCause(cause)}`, cause }))

/** A guard for the errors of `classes` (by their `_tag`): `true` when `u` is an instance of one of them. */
export const isOneOf = <C extends { readonly _tag: string; readonly prototype: object }>(classes: ReadonlyArray<C>) => {
  const tags: ReadonlySet<string> = new Set(classes.map((c) => c._tag))
  return (u: unknown): u is C["prototype"] =>
    typeof u === "object" && u !== null && tags.has((u as { readonly _tag?: unknown })._tag as string)
}

/** `true` when `u` is one of this package's coded errors. */
export const isCoded = (u: unknown): u is Coded =>
  typeof u === "object" && u !== null && "_tag" in u && typeof (u as { code?: unknown }).code === "number" &&
  typeof (u as { reason?: unknown }).reason === "string"
