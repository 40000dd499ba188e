/**
 * The source under test: what `sourceConformance` is told about it (`SourceConformanceOptions`),
 * and how a check prepares a case (`prepare`: spec, work root), builds the source (`build`), runs
 * what an engine runs around it (`serve`: the acceptor, the feed) and opens it (`open`).
 *
 * @since 0.1.0
 */
import { Cause, Effect, Exit, Fiber, Option, type Scope } from "effect"
import { describeCause } from "../errors/describe.js"
import type { SourceError } from "../errors/source.js"
import type * as RawData from "../model/raw.js"
import * as ControlPlane from "../source/control.js"
import type { SeekPosition } from "../source/control.js"
import * as DataSource from "../source/data-source.js"
import type { SourceBatch } from "../source/event.js"
import * as SourceFactory from "../source/factory.js"
import type { Bounds } from "./clock.js"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"
import type { InvalidSpec } from "./invalid-spec.js"
import { withTempWorkRoot } from "./work-root.js"

/** What a `feed` hook gets: the built service, the source under test, where it was built, and the payloads to deliver. */
export interface FeedInput {
  readonly svc: SourceFactory.SourceSvcIns
  readonly handle: SourceFactory.SourceHandle
  readonly spec: SourceFactory.ResolvedSourceSpec
  readonly ctx: SourceFactory.SourceBuildCtx
  readonly payloads: ReadonlyArray<RawData.RawData>
}

/**
 * Delivers the expected payloads to a built source's upstream (writes to its socket, posts to its
 * acceptor, publishes to its broker). It runs once per case, after the first build, beside the
 * acceptor (which may still be starting: retry while your server says it is not ready).
 */
export type Feed = (input: FeedInput) => Effect.Effect<void, unknown, Scope.Scope>

/** What a per-case setup yields: the spec, and optionally a build context, a feed and a close counter. */
export interface SourceSetup {
  readonly spec: SourceFactory.ResolvedSourceSpec
  /** Default: the options' `ctx`, else a fresh temp work root per case. */
  readonly ctx?: SourceFactory.SourceBuildCtx | undefined
  /** Default: the options' `feed`. */
  readonly feed?: Feed | undefined
  /** Default: the options' `closeCount`. */
  readonly closeCount?: Effect.Effect<number> | undefined
}

/** The events a source should yield, in order, and optionally its batch sizes. */
export interface SourceExpectation {
  readonly payloads: ReadonlyArray<RawData.RawData>
  /** The size of each batch, in order (default: boundaries are not checked). */
  readonly batches?: ReadonlyArray<number> | undefined
}

/** What `sourceConformance` and the source checks are told about the source under test. */
export interface SourceConformanceOptions extends Bounds {
  readonly factory: SourceFactory.SourceFactory
  /** The spec to build, or a scoped setup run per case (write a file, bind a server) yielding it. */
  readonly spec: SourceFactory.ResolvedSourceSpec | Effect.Effect<SourceSetup, unknown, Scope.Scope>
  /** The build context (default: a fresh temp work root per case, removed afterwards). */
  readonly ctx?: SourceFactory.SourceBuildCtx | undefined
  /** Delivers `expect.payloads` to an acceptor-based or upstream-fed source. */
  readonly feed?: Feed | undefined
  /** How many times the source's release logic has run so far; lets the lifecycle cases count exact runs. */
  readonly closeCount?: Effect.Effect<number> | undefined
  /** The events the source yields after the build (and the feed). */
  readonly expect: SourceExpectation
  /** Capabilities the connector claims; the built source's `caps` must agree. */
  readonly claims?: Partial<DataSource.SourceCaps> | undefined
  /**
   * Adds `payloads` to the source's upstream while the source runs (appends lines to its file,
   * publishes to its stream): the Seek(End) case appends after seeking and expects exactly those.
   */
  readonly append?: Feed | undefined
  /** What the Seek(End) case appends (default `["appended 1", "appended 2"]`). */
  readonly appended?: ReadonlyArray<RawData.RawData> | undefined
  /** Where the seek cases seek back to and what they must replay (default: `Start`, every payload). */
  readonly seekBack?: { readonly position: SeekPosition; readonly replay: ReadonlyArray<RawData.RawData> } | undefined
  /** Specs that `validateSpec` or `build` must refuse with a coded error. */
  readonly invalid?: ReadonlyArray<InvalidSpec<SourceFactory.ResolvedSourceSpec>> | undefined
  /** Which built source to test, by `metadata.name` (default: the first). */
  readonly sourceName?: string | undefined
  /** The poll schedule for empty batches (default: `DataSource.defaultPoll`). */
  readonly poll?: DataSource.StreamOptions["poll"]
}

/** A prepared case: where and how the source is built. */
export interface Fixture {
  readonly spec: SourceFactory.ResolvedSourceSpec
  readonly ctx: SourceFactory.SourceBuildCtx
  readonly feed: Feed | undefined
  readonly closeCount: Effect.Effect<number> | undefined
}

/** A built source, its service, and the control plane that steers it. */
export interface Built {
  readonly svc: SourceFactory.SourceSvcIns
  readonly handle: SourceFactory.SourceHandle
  readonly source: DataSource.DataSource
  readonly control: ControlPlane.ControlPlane
}

/** What runs beside a built source: its acceptor and the feed, as fibers. */
export interface Served {
  readonly acceptor: Option.Option<Fiber.RuntimeFiber<void, unknown>>
  readonly feeder: Option.Option<Fiber.RuntimeFiber<void, unknown>>
  /** `""`, or `" (feed failed: ...; acceptConnection failed: ...)"`: why events may be missing. */
  readonly problems: Effect.Effect<string>
}

const isSetup = (u: SourceConformanceOptions["spec"]): u is Effect.Effect<SourceSetup, unknown, Scope.Scope> =>
  Effect.isEffect(u)

/** Runs the setup (when there is one) and picks the build context: the setup's, the options', or a fresh temp work root. */
export const prepare = (check: string, options: SourceConformanceOptions): Effect.Effect<Fixture, ConformanceFailure.ConformanceFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const setup: SourceSetup = isSetup(options.spec)
      ? yield* Effect.mapError(options.spec, (e) => ConformanceFailure.make(check, `the setup failed: ${describeCause(e)}`))
      : { spec: options.spec }
    const ctx = setup.ctx ?? options.ctx ?? SourceFactory.buildCtx(yield* withTempWorkRoot)
    return { spec: setup.spec, ctx, feed: setup.feed ?? options.feed, closeCount: setup.closeCount ?? options.closeCount }
  })

/** The handle to test: the one named `sourceName`, or the first. */
const pick = (check: string, options: SourceConformanceOptions, svc: SourceFactory.SourceSvcIns) => {
  const names = svc.sources.map((h) => h.metadata.name)
  const found = options.sourceName === undefined
    ? svc.sources[0]
    : svc.sources.find((h) => h.metadata.name === options.sourceName)
  if (found !== undefined) return Effect.succeed(found)
  return Effect.fail(ConformanceFailure.make(
    check,
    options.sourceName === undefined
      ? "the factory built no source (SourceSvcIns.sources is empty)"
      : `the factory built no source named ${JSON.stringify(options.sourceName)}; it built ${JSON.stringify(names)}`
  ))
}

/** Builds the source in the current Scope (validating the spec first), with a fresh control plane. */
export const build = (
  check: string,
  options: SourceConformanceOptions,
  fixture: Fixture
): Effect.Effect<Built, ConformanceFailure.ConformanceFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const { timeout } = Clock.resolveBounds(options)
    const svc = yield* Clock.step(
      Effect.zipRight(options.factory.validateSpec(fixture.spec), options.factory.build(fixture.spec, fixture.ctx)),
      timeout,
      check,
      "the build"
    )
    const handle = yield* pick(check, options, svc)
    const control = yield* ControlPlane.make
    return { svc, handle, source: handle.source, control }
  })

/** What a finished fiber's failure says, if it failed (an interruption is not a failure). */
const failureOf = (label: string, fiber: Option.Option<Fiber.RuntimeFiber<void, unknown>>): Effect.Effect<Option.Option<string>> =>
  Option.match(fiber, {
    onNone: () => Effect.succeedNone,
    onSome: (f) =>
      Effect.map(Fiber.poll(f), (exit) =>
        Option.flatMap(exit, (e) =>
          Exit.isFailure(e) && !Cause.isInterruptedOnly(e.cause)
            ? Option.some(`${label} failed: ${describeCause(Cause.squash(e.cause))}`)
            : Option.none()))
  })

/**
 * Runs what an engine runs beside the source: its acceptor's `acceptConnection` (subscribed to the
 * control plane now, so it sees every control event published later) and, when `feed` is set, the
 * feed hook with the expected payloads. Both are fibers of the current Scope.
 */
export const serve = (
  options: SourceConformanceOptions,
  fixture: Fixture,
  built: Built,
  feed: boolean
): Effect.Effect<Served, never, Scope.Scope> =>
  Effect.gen(function*() {
    const handle = built.svc.acceptor
    const acceptor: Option.Option<Fiber.RuntimeFiber<void, unknown>> = Option.isSome(handle)
      ? Option.some(yield* Effect.flatMap(
        built.control.subscribe,
        (ctrl) => Effect.forkScoped(Effect.scoped(handle.value.acceptor.acceptConnection(ctrl)))
      ))
      : Option.none()
    const hook = fixture.feed
    const feeder = feed && hook !== undefined
      ? Option.some(yield* Effect.forkScoped(Effect.scoped(hook({
        svc: built.svc,
        handle: built.handle,
        spec: fixture.spec,
        ctx: fixture.ctx,
        payloads: options.expect.payloads
      }))))
      : Option.none()
    const problems = Effect.map(
      Effect.all([failureOf("the feed", feeder), failureOf("acceptConnection", acceptor)]),
      (found) => {
        const parts = found.flatMap((o) => (Option.isSome(o) ? [o.value] : []))
        return parts.length === 0 ? "" : ` (${parts.join("; ")})`
      }
    )
    return { acceptor, feeder, problems }
  })

/** A pull of the source under test (see `DataSource.toPull`). */
export type Pull = Effect.Effect<Option.Option<SourceBatch>, SourceError>

/** Opens the built source in the current Scope (`DataSource.toPull` with its control plane) and returns its pull. */
export const open = (
  check: string,
  options: SourceConformanceOptions,
  built: Built
): Effect.Effect<Pull, ConformanceFailure.ConformanceFailure, Scope.Scope> =>
  Effect.mapError(
    DataSource.toPull(built.source, { control: built.control, poll: options.poll }),
    (e) => ConformanceFailure.make(check, `starting the source failed: ${e.message}`)
  )
