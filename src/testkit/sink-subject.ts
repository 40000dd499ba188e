/**
 * The sink under test: what `sinkConformance` is told about it (`SinkConformanceOptions`), and how a
 * check prepares a case (`prepare`: spec, work root, reader), builds the sink (`build`) and reads back
 * what it wrote (`readNew`).
 *
 * @since 0.1.0
 */
import { Duration, Effect, type Scope } from "effect"
import { describeCause } from "../errors/describe.js"
import type * as DataRecord from "../model/record.js"
import type * as RawData from "../model/raw.js"
import * as SinkFactory from "../sink/factory.js"
import type { AsyncSink } from "../sink/sink.js"
import type { Bounds } from "./clock.js"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"
import type { InvalidSpec } from "./invalid-spec.js"
import { withTempWorkRoot } from "./work-root.js"

/** Where a sink was built: what a reader needs to find its output. */
export interface SinkPlace {
  readonly spec: SinkFactory.ResolvedSinkSpec
  readonly ctx: SinkFactory.SinkBuildCtx
}

/** Reads back everything the sink built at `place` has written so far, in order, as text or bytes. */
export type Read = (place: SinkPlace) => Effect.Effect<ReadonlyArray<RawData.RawData>, unknown>

/** What a per-case setup yields: the spec, and optionally a build context and a reader. */
export interface SinkSetup {
  readonly spec: SinkFactory.ResolvedSinkSpec
  /** Default: the options' `ctx`, else a fresh temp work root per case. */
  readonly ctx?: SinkFactory.SinkBuildCtx | undefined
  /** Default: the options' `read`. */
  readonly read?: Read | undefined
}

/** What `sinkConformance` and the sink checks are told about the sink under test. */
export interface SinkConformanceOptions extends Bounds {
  readonly factory: SinkFactory.SinkFactory
  /** The spec to build, or a scoped setup run per case (start a server, pick a path) yielding it. */
  readonly spec: SinkFactory.ResolvedSinkSpec | Effect.Effect<SinkSetup, unknown, Scope.Scope>
  /** The build context (default: a fresh temp work root per case, removed afterwards). */
  readonly ctx?: SinkFactory.SinkBuildCtx | undefined
  /** Reads back what was written (required here or in the setup). Output shared between builds is fine: cases compare what is new. */
  readonly read?: Read | undefined
  /** `"exact"` (default): bytes come back as written; `"lossy"`: the sink stores text, bytes come back as their lossy UTF-8 decoding. */
  readonly bytes?: "exact" | "lossy" | undefined
  /** What `read` returns for a record the sink wrote (default: `DataRecord.toJsonText`). */
  readonly encodeRecord?: ((record: DataRecord.DataRecord) => RawData.RawData) | undefined
  /** The text payloads the cases write (default: 8 distinct lines, some non-ASCII; no newlines). */
  readonly payloads?: ReadonlyArray<string> | undefined
  /** Specs that `validateSpec` or `build` must refuse with a coded error. */
  readonly invalid?: ReadonlyArray<InvalidSpec<SinkFactory.ResolvedSinkSpec>> | undefined
}

/** A prepared case: where the sink is built and how to read it back. */
export interface Fixture extends SinkPlace {
  readonly read: Effect.Effect<ReadonlyArray<RawData.RawData>, ConformanceFailure.ConformanceFailure>
}

/** The default payloads: distinct, some non-ASCII, none with a newline. */
export const defaultPayloads: ReadonlyArray<string> = [
  "alpha",
  "beta 2",
  "gamma=3 \"quoted\"",
  "δέλτα ünïcödé",
  "epsilon\twith tab",
  "zeta 😀",
  "eta {\"json\":true}",
  "theta"
]

const isSetup = (u: SinkConformanceOptions["spec"]): u is Effect.Effect<SinkSetup, unknown, Scope.Scope> => Effect.isEffect(u)

/** Runs the setup (when there is one), picks the build context and the reader. */
export const prepare = (check: string, options: SinkConformanceOptions): Effect.Effect<Fixture, ConformanceFailure.ConformanceFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const setup: SinkSetup = isSetup(options.spec)
      ? yield* Effect.mapError(options.spec, (e) => ConformanceFailure.make(check, `the setup failed: ${describeCause(e)}`))
      : { spec: options.spec }
    const ctx = setup.ctx ?? options.ctx ?? SinkFactory.buildCtx({ workRoot: yield* withTempWorkRoot })
    const read = setup.read ?? options.read
    if (read === undefined) return yield* ConformanceFailure.make(check, "no `read` was given (in the options or the setup): the cases cannot see what the sink wrote")
    const place = { spec: setup.spec, ctx }
    return {
      ...place,
      read: Effect.mapError(read(place), (e) => ConformanceFailure.make(check, `reading back what the sink wrote failed: ${describeCause(e)}`))
    }
  })

/** Builds the sink in the current Scope (validating the spec first) within `timeout`. */
export const build = (
  check: string,
  options: SinkConformanceOptions,
  fixture: Fixture
): Effect.Effect<AsyncSink, ConformanceFailure.ConformanceFailure, Scope.Scope> =>
  Effect.map(
    Clock.step(
      Effect.zipRight(options.factory.validateSpec(fixture.spec), options.factory.build(fixture.spec, fixture.ctx)),
      Clock.resolveBounds(options).timeout,
      check,
      "the build"
    ),
    (handle) => handle.sink
  )

/** How many payloads the output holds now: where a case's new output starts. */
export const mark = (fixture: Fixture): Effect.Effect<number, ConformanceFailure.ConformanceFailure> =>
  Effect.map(fixture.read, (all) => all.length)

/**
 * What was written since `from`: reads until at least `count` new payloads are there (the output may
 * arrive late, over a socket) or `timeout` passed, then returns them; `count` 0 reads after `idle`.
 */
export const readNew = (
  options: SinkConformanceOptions,
  fixture: Fixture,
  from: number,
  count: number
): Effect.Effect<ReadonlyArray<RawData.RawData>, ConformanceFailure.ConformanceFailure> =>
  Effect.gen(function*() {
    const bounds = Clock.resolveBounds(options)
    if (count === 0) yield* Clock.sleep(bounds.idle)
    const deadline = Date.now() + Duration.toMillis(bounds.timeout)
    while (true) {
      const all = yield* fixture.read
      if (all.length - from >= count || Date.now() >= deadline) return all.slice(from)
      yield* Clock.sleep(Duration.millis(10))
    }
  })
