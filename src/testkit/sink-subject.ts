/**
 * The sink under test: what `sinkConformance` is told about it (`SinkConformanceOptions`), and how a
 * check prepares a case (`prepare`: spec, work root, reader, ways to break the target), builds the
 * sink (`build`) and reads back what it wrote (`readNew`).
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

/**
 * One way to make the sink's real target fail underneath it while it is open: fill its disk, replace
 * its directory by a file, reset its connections and stop listening, delete its stream. `run` runs in
 * the case's Scope (release what it did there: the case ends right after).
 */
export interface BreakTarget {
  /** How the target is broken, for failure messages: `"disk full"`, `"peer reset"`. */
  readonly name: string
  /** Breaks the target of the sink built at `place`. */
  readonly run: (place: SinkPlace) => Effect.Effect<void, unknown, Scope.Scope>
}

/** What a per-case setup yields: the spec, and optionally a build context, a reader and ways to break the target. */
export interface SinkSetup {
  readonly spec: SinkFactory.ResolvedSinkSpec
  /** Default: the options' `ctx`, else a fresh temp work root per case. */
  readonly ctx?: SinkFactory.SinkBuildCtx | undefined
  /** Default: the options' `read`. */
  readonly read?: Read | undefined
  /** Default: the options' `breakTarget`. */
  readonly breakTarget?: ReadonlyArray<BreakTarget> | undefined
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
  /**
   * Ways to make the real target fail underneath the open sink; after each, a write must fail with a
   * coded error (`targetFailureIsFailure`). Required: `[]` declares a target that cannot fail (memory).
   */
  readonly breakTarget?: ReadonlyArray<BreakTarget> | undefined
  /**
   * `"immediate"` (default): a write that reported success is readable at once; the cases read back
   * right after it, with no grace delay. `"eventual"`: the protocol acknowledges nothing (a TCP
   * stream: a write is done when the kernel took it), so reads retry until `timeout`.
   */
  readonly delivery?: "immediate" | "eventual" | undefined
  /** How many payloads the large batch of `largeBatchKeepsOrder` holds (default 5000). */
  readonly largeBatch?: number | undefined
  /** `"exact"` (default): bytes come back as written; `"lossy"`: the sink stores text, bytes come back as their lossy UTF-8 decoding. */
  readonly bytes?: "exact" | "lossy" | undefined
  /** What `read` returns for a record the sink wrote (default: `DataRecord.toJsonText`). */
  readonly encodeRecord?: ((record: DataRecord.DataRecord) => RawData.RawData) | undefined
  /** The text payloads the cases write (default: 8 distinct lines, some non-ASCII; no newlines). */
  readonly payloads?: ReadonlyArray<string> | undefined
  /** Specs that `validateSpec` or `build` must refuse with a coded error. */
  readonly invalid?: ReadonlyArray<InvalidSpec<SinkFactory.ResolvedSinkSpec>> | undefined
}

/** A prepared case: where the sink is built, how to read it back and how to break its target. */
export interface Fixture extends SinkPlace {
  readonly read: Effect.Effect<ReadonlyArray<RawData.RawData>, ConformanceFailure.ConformanceFailure>
  /** `undefined` when neither the options nor the setup said. */
  readonly breakTarget: ReadonlyArray<BreakTarget> | undefined
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
      read: Effect.mapError(read(place), (e) => ConformanceFailure.make(check, `reading back what the sink wrote failed: ${describeCause(e)}`)),
      breakTarget: setup.breakTarget ?? options.breakTarget
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
 * What was written since `from`. An `"immediate"` sink is read once, at once; an `"eventual"` one until
 * at least `count` new payloads are there (the output arrives late, over a socket) or `timeout`
 * passed. `count` 0 (nothing should arrive) reads after `idle`, so that a late write can show.
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
    if (options.delivery !== "eventual") return (yield* fixture.read).slice(from)
    const deadline = Date.now() + Duration.toMillis(bounds.timeout)
    while (true) {
      const all = yield* fixture.read
      if (all.length - from >= count || Date.now() >= deadline) return all.slice(from)
      yield* Clock.sleep(Duration.millis(10))
    }
  })
