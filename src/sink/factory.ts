/**
 * Building sinks: `SinkBuildCtx`, `ResolvedSinkSpec`, `SinkHandle` and `SinkFactory`.
 *
 * @since 0.1.0
 */
import { Effect, Option, type Schema, type Scope } from "effect"
import * as ParamMap from "../config/param.js"
import type { ConfigError } from "../errors/config.js"
import type { SinkError } from "../errors/sink.js"
import type { AsyncSink } from "./sink.js"

/** Where and how a sink instance runs: work root, replica index/count, rate limit hint. */
export interface SinkBuildCtx {
  /** A sandbox directory for this instance. */
  readonly workRoot: string
  /** Zero-based index of this replica, in `[0, replicaCnt)`. */
  readonly replicaIdx: number
  /** How many replicas the group runs; at least 1. */
  readonly replicaCnt: number
  /** Records per second the upstream suggests; 0 means unlimited. */
  readonly rateLimitRps: number
}

const whole = (n: number | undefined, fallback: number): number =>
  n === undefined || !Number.isFinite(n) ? fallback : Math.floor(n)

/**
 * A build context. `replicaCnt` clamps to at least 1, `replicaIdx` into `[0, replicaCnt)`,
 * `rateLimitRps` to at least 0 (0 = unlimited).
 */
export const buildCtx = (options: {
  readonly workRoot: string
  readonly replicaIdx?: number | undefined
  readonly replicaCnt?: number | undefined
  readonly rateLimitRps?: number | undefined
}): SinkBuildCtx => {
  const replicaCnt = Math.max(1, whole(options.replicaCnt, 1))
  const replicaIdx = Math.min(replicaCnt - 1, Math.max(0, whole(options.replicaIdx, 0)))
  const rateLimitRps = Math.max(0, whole(options.rateLimitRps, 0))
  return { workRoot: options.workRoot, replicaIdx, replicaCnt, rateLimitRps }
}

/** `true` when the context asks for no rate limit (`rateLimitRps` is 0). */
export const isUnlimited = (ctx: SinkBuildCtx): boolean => ctx.rateLimitRps === 0

/** A sink as the project resolved it (`SinkSpec`). */
export interface ResolvedSinkSpec {
  /** The sink group's name. */
  readonly group: string
  /** The sink's name within its group. */
  readonly name: string
  readonly kind: string
  readonly connectorId: string
  readonly params: ParamMap.ParamMap
  /** An optional filter; its semantics are the caller's. */
  readonly filter: Option.Option<string>
}

/** A built sink. */
export interface SinkHandle {
  readonly sink: AsyncSink
}

/** `SinkHandle::new(sink)`. */
export const handle = (sink: AsyncSink): SinkHandle => ({ sink })

/** Builds sinks of one kind. */
export interface SinkFactory {
  /** The registry name of the kind. */
  readonly kind: string
  /** Light validation before anything is built; defaults to success. */
  readonly validateSpec: (spec: ResolvedSinkSpec) => Effect.Effect<void, ConfigError>
  /** The Schema of its params, when it has one: `wpc` checks a definition's keys and masks its secrets by it. */
  readonly params?: Schema.Schema.Any | undefined
  /** Builds the sink; it is stopped when the Scope closes. */
  readonly build: (spec: ResolvedSinkSpec, ctx: SinkBuildCtx) => Effect.Effect<SinkHandle, SinkError | ConfigError, Scope.Scope>
}

/**
 * A `SinkFactory` whose `build` stops the sink when the build Scope closes (a failing stop is
 * logged, not raised, so the other finalizers still run). `validateSpec` defaults to success.
 */
export const make = (options: {
  readonly kind: string
  readonly validateSpec?: ((spec: ResolvedSinkSpec) => Effect.Effect<void, ConfigError>) | undefined
  readonly params?: Schema.Schema.Any | undefined
  readonly build: (spec: ResolvedSinkSpec, ctx: SinkBuildCtx) => Effect.Effect<SinkHandle, SinkError | ConfigError, Scope.Scope>
}): SinkFactory => ({
  kind: options.kind,
  validateSpec: options.validateSpec ?? (() => Effect.void),
  params: options.params,
  build: (spec, ctx) =>
    Effect.tap(options.build(spec, ctx), (h) =>
      Effect.addFinalizer(() =>
        h.sink.stop.pipe(
          Effect.catchAll((e) => Effect.logWarning(`sink ${spec.group}/${spec.name} failed to stop: ${e.message}`))
        )
      ))
})

/**
 * A `SinkFactory` whose params are checked by `params` (a Schema) in both `validateSpec` and
 * `build`: a wrong param is a `ConfigError` naming it (`params.port`); `build` gets them decoded.
 */
export const withParams = <P, I>(options: {
  readonly kind: string
  readonly params: Schema.Schema<P, I>
  readonly build: (params: P, spec: ResolvedSinkSpec, ctx: SinkBuildCtx) => Effect.Effect<SinkHandle, SinkError | ConfigError, Scope.Scope>
}): SinkFactory =>
  make({
    kind: options.kind,
    params: options.params,
    validateSpec: (spec) => Effect.asVoid(ParamMap.decodeParams(options.params, spec.params)),
    build: (spec, ctx) => Effect.flatMap(ParamMap.decodeParams(options.params, spec.params), (params) => options.build(params, spec, ctx))
  })
