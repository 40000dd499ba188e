/**
 * `SourceRunner`: runs one source of a pipeline. A generation of the source is what its factory built:
 * each `DataSource` is pulled (`DataSource.toPull`, steered by the source's control plane) and each
 * batch is counted, registered with the DataSource's `AckPolicy` and routed (`Router`); the acceptor
 * (when the factory built one) serves beside them until Stop, and its sources then drain what it accepted. A generation that
 * fails with a retryable error is closed and a new one is built after the next delay of the `rebuild`
 * schedule, unless a Stop came; a failure that is not retryable is reported in the `RunState`, and the
 * other sources go on.
 *
 * @since 0.1.0
 */
import { Cause, Deferred, Duration, Effect, ExecutionStrategy, Exit, Option, Schedule, Scope } from "effect"
import type { ConfigError } from "../errors/config.js"
import type { SourceError } from "../errors/source.js"
import type * as ControlPlane from "../source/control.js"
import * as DataSource from "../source/data-source.js"
import { applyPreproc, batchBytes, type SourceEvent } from "../source/event.js"
import type * as SourceFactory from "../source/factory.js"
import * as AckPolicy from "./ack-policy.js"
import * as Metrics from "./metrics.js"
import type * as ProcessingStage from "./processing-stage.js"
import type * as RateLimiter from "./rate-limiter.js"
import type { SourceStats } from "./report.js"
import * as Router from "./router.js"
import * as RunState from "./run-state.js"

/** A source of the pipeline: its name, control plane, counters, and how to build a generation of it. */
export interface SourceNode {
  readonly name: string
  readonly plane: ControlPlane.ControlPlane
  readonly stats: SourceStats
  /** Its processors, as a stage (none: its events go to the router as they are read). */
  readonly stage?: ProcessingStage.ProcessingStage | undefined
  /** Whether a generation of it runs (false while it waits to be rebuilt, or once it failed for good). */
  up: boolean
  /** Builds a generation of the source in the current Scope. */
  readonly build: Effect.Effect<SourceFactory.SourceSvcIns, SourceError | ConfigError, Scope.Scope>
}

/** A built generation: what the factory built, and the Scope that holds it. */
export interface Generation {
  readonly svc: SourceFactory.SourceSvcIns
  readonly scope: Scope.CloseableScope
}

/**
 * The routes of each infra group that takes events from the sources (fixed, or tables a reload updates;
 * `default` is used with fixed `routes` only: a `RouteTable` has its own `fallback`).
 */
export interface InfraRoutes {
  readonly default: ReadonlyArray<Router.Route>
  readonly miss: ReadonlyArray<Router.Route> | Router.RouteTable
  readonly residue: ReadonlyArray<Router.Route> | Router.RouteTable
  readonly error: ReadonlyArray<Router.Route> | Router.RouteTable
}

/** What a runner shares with the rest of the run. */
export interface RunnerContext {
  readonly state: RunState.RunState
  /** Where batches go: fixed routes, or the table a reload updates. */
  readonly routes: ReadonlyArray<Router.Route> | Router.RouteTable
  /** The waits between a failed generation and the next (`Backoff.sourceRebuild`). */
  readonly rebuild: Schedule.Schedule<Duration.Duration>
  /** The Scope of the source (the engine's, or its own): generations are forked from it, and the ack policies live in it. */
  readonly scope: Scope.Scope
  /** Where the ack policy of each DataSource pulled is added (the stop phases wait for them). */
  readonly acks: Array<AckPolicy.AckPolicy>
  /**
   * Completed when this source is to stop: the run's Stop, or a reload that stops this source alone
   * (default: the run's `stopRequested`). Its control plane is told as well.
   */
  readonly stopping?: Deferred.Deferred<void> | undefined
  /**
   * The routes of the infra groups: `default` takes what no route selects; `miss`, `residue` and `error`
   * what the processing stage sets aside (see `ProcessingStage.Outlets`). Absent: none.
   */
  readonly infra?: InfraRoutes | undefined
  /** The read rate of all sources together (`readRateLimitRps`); absent: unlimited. */
  readonly readLimiter?: RateLimiter.RateLimiter | undefined
}

/** The Stop request `ctx` answers (see `RunnerContext.stopping`). */
const stoppingOf = (ctx: RunnerContext): Deferred.Deferred<void> => ctx.stopping ?? ctx.state.stopRequested

/** `true` when some event of `batch` has a pre-processing hook. */
const hasPreproc = (batch: ReadonlyArray<SourceEvent>): boolean => {
  for (const e of batch) if (e.preproc !== undefined) return true
  return false
}

/**
 * Pulls `source` until it ends: each batch is counted, registered for acks and routed. The hot path:
 * one synchronous step per batch, and an Effect only when an offer must wait for room.
 */
const pump = (
  node: SourceNode,
  source: DataSource.DataSource,
  drainOnStop: boolean,
  scope: Scope.Scope,
  ctx: RunnerContext
): Effect.Effect<void, SourceError> =>
  Effect.gen(function*() {
    const { state } = ctx
    const { name, stats } = node
    const labels = yield* Metrics.currentLabels
    const clock = yield* Effect.clock
    const acks = yield* Scope.extend(AckPolicy.make(source, { name, stats, onComplete: (n) => void (state.completed += n) }), ctx.scope)
    ctx.acks.push(acks)
    const unrouted = (n: number) => void (state.unrouted += n)
    const router = Router.make(ctx.routes, name, clock, unrouted, ctx.infra?.default)
    // what the processing stage sets aside goes to the infra group of its kind (what it does not select is unrouted)
    const outlet = (routes: ReadonlyArray<Router.Route> | Router.RouteTable | undefined) =>
      routes === undefined ? undefined : Router.make(routes, name, clock, unrouted)
    const outlets = { miss: outlet(ctx.infra?.miss), residue: outlet(ctx.infra?.residue), error: outlet(ctx.infra?.error) }
    const pull = yield* Scope.extend(DataSource.toPull(source, { control: node.plane, drainOnStop }), scope)
    // a Stop published before the pull listened was not heard by it: nothing is pulled after a Stop
    if (yield* Deferred.isDone(stoppingOf(ctx))) return
    const stage = node.stage
    const limiter = ctx.readLimiter
    const route = (batch: ReadonlyArray<SourceEvent>): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        const events = hasPreproc(batch) ? batch.map(applyPreproc) : batch
        const bytes = batchBytes(events)
        stats.events += events.length
        stats.bytes += bytes
        Metrics.unsafeSourceIn(labels, name, events.length, bytes)
        if (stage === undefined) return router.offer(events, bytes, acks.register(events))
        // the batch is acked as read (its tokens), once every sink took what the processors made of it
        const complete = acks.register(events)
        // the processors' events are routed part by part as they are made; offered once the batch is done
        const pass = router.begin()
        return Effect.flatMap(stage.each(events, pass.add), (out) => {
          const made = pass.added()
          const mainBytes = made === events.length || events.length === 0 ? bytes : Math.round(bytes * made / events.length)
          if (out.miss.length === 0 && out.residue.length === 0 && out.error.length === 0) return pass.offer(mainBytes, complete)
          // the batch completes once the business groups and each infra group took their parts
          const sides: Array<readonly [Router.Router, ReadonlyArray<SourceEvent>]> = []
          if (out.miss.length > 0 && outlets.miss !== undefined) sides.push([outlets.miss, out.miss])
          if (out.residue.length > 0 && outlets.residue !== undefined) sides.push([outlets.residue, out.residue])
          if (out.error.length > 0 && outlets.error !== undefined) sides.push([outlets.error, out.error])
          let parts = 1 + sides.length
          const done = () => {
            parts -= 1
            if (parts === 0) complete()
          }
          return Effect.zipRight(
            pass.offer(mainBytes, done),
            Effect.forEach(sides, ([side, evs]) => side.offer(evs, batchBytes(evs), done), { discard: true })
          )
        })
      })
    // the read rate limit holds a batch (and so the next pull) until its events are within it
    const onBatch = limiter === undefined ? route : (batch: ReadonlyArray<SourceEvent>) => Effect.zipRight(limiter.take(batch.length), route(batch))
    const loop: Effect.Effect<void, SourceError> = Effect.flatMap(pull, (next) =>
      Option.isNone(next) ? Effect.void : Effect.zipRight(onBatch(next.value), loop))
    return yield* loop
  })

/** Runs one generation until every DataSource of it ended; its acceptor serves until Stop. */
const runGeneration = (node: SourceNode, generation: Generation, ctx: RunnerContext): Effect.Effect<void, SourceError> =>
  Effect.gen(function*() {
    const { scope, svc } = generation
    if (Option.isSome(svc.acceptor)) {
      const acceptor = svc.acceptor.value
      const ctrl = yield* Scope.extend(node.plane.subscribe, scope)
      yield* Effect.forkIn(
        Scope.extend(acceptor.acceptor.acceptConnection(ctrl), scope).pipe(
          Effect.catchAll((e) => Effect.logError(`acceptor ${acceptor.name}: ${e.message}`))
        ),
        scope
      )
    }
    // a source fed by an acceptor drains what it accepted: the acceptor ends it on Stop
    const drainOnStop = Option.isSome(svc.acceptor)
    yield* Effect.forEach(svc.sources, (handle) => pump(node, handle.source, drainOnStop, scope, ctx), {
      concurrency: "unbounded",
      discard: true
    })
  })

/**
 * Runs `node` from its `first` generation (built when the engine was) until it ends, fails for good,
 * or a Stop came while it waited to be rebuilt. Never fails: a failure is reported in the `RunState`.
 */
export const run = (node: SourceNode, first: Generation, ctx: RunnerContext): Effect.Effect<void> =>
  Effect.gen(function*() {
    const { state } = ctx
    const stopping = stoppingOf(ctx)
    const waits = yield* Schedule.driver(ctx.rebuild)
    let next: Generation | undefined = first
    while (true) {
      // a Stop asked for before this generation started: it does not start (nor does its acceptor)
      if (yield* Deferred.isDone(stopping)) return
      const scope: Scope.CloseableScope = next?.scope ?? (yield* Scope.fork(ctx.scope, ExecutionStrategy.sequential))
      const built: Generation | undefined = next
      next = undefined
      const exit = yield* Effect.exit(
        built !== undefined
          ? runGeneration(node, built, ctx)
          : Effect.flatMap(Scope.extend(node.build, scope), (svc) => {
            node.up = true
            return runGeneration(node, { svc, scope }, ctx)
          })
      )
      if (Exit.isSuccess(exit)) return
      node.up = false
      const failure = Cause.failureOption(exit.cause)
      const message = Option.match(failure, { onNone: () => Cause.pretty(exit.cause), onSome: (e) => e.message })
      yield* Metrics.error("source", node.name, Option.match(failure, { onNone: () => 520, onSome: (e) => e.code }))
      const retryable = Option.match(failure, { onNone: () => false, onSome: (e) => e.retryable })
      if (!retryable || (yield* Deferred.isDone(stopping))) {
        node.stats.error = message
        yield* RunState.failed(state, `source ${node.name}: ${message}`)
        return yield* Effect.logError(`source ${node.name} failed: ${message}`)
      }
      node.stats.restarts += 1
      yield* Effect.logWarning(`source ${node.name}: ${message}; rebuilding it`)
      yield* Scope.close(scope, Exit.void)
      // the wait ends early on Stop: no generation is built after a Stop
      const waited = yield* Effect.raceFirst(
        Effect.option(waits.next(undefined)),
        Effect.as(Deferred.await(stopping), Option.none())
      )
      if (yield* Deferred.isDone(stopping)) return
      yield* Effect.logDebug(`source ${node.name}: rebuilding after ${Option.match(waited, { onNone: () => "no wait", onSome: Duration.format })}`)
    }
  })
