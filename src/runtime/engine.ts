/**
 * `Engine`: runs a pipeline. `make` validates the options and the spec, builds every sink replica and
 * the first generation of every source, and assembles the parts, each in its own module with the run's
 * shared state (`RunState`) passed in: each source is pulled by a `SourceRunner`, which routes its
 * batches (`Router`) through bounded queues (`SinkQueue`: backpressure reaches the source) to the sink
 * replicas (through its `ProcessingStage` first, when it has processors); each replica's `SinkWorker` batches, writes, retries and rescues; each source's batches are
 * acked in order once every sink took them (`AckPolicy`); WarpParse's infra groups take what their role
 * says (what no group selected, what the processors set aside, the engine's counters: `Monitor`); and a Stop runs in phases with deadlines
 * (`StopPhases`), ending with a `RunReport`. Each sink group and each source lives in a Scope of its own:
 * `reload` stops and starts only the ones that changed (`ReloadPlan`), through the same phases.
 *
 * @since 0.1.0
 */
import { Clock, Deferred, Duration, Effect, Either, ExecutionStrategy, Exit, Fiber, Option, Schedule, Scope } from "effect"
import * as path from "node:path"
import { ConfigError } from "../errors/config.js"
import type { SinkError } from "../errors/sink.js"
import type { SourceError } from "../errors/source.js"
import { ConnectorRegistry } from "../registry/registry.js"
import * as SinkFactory from "../sink/factory.js"
import type { RecordEncoder } from "../sink/record-encoder.js"
import * as ControlPlane from "../source/control.js"
import type { SeekPosition } from "../source/control.js"
import * as SourceFactory from "../source/factory.js"
import type * as AckPolicy from "./ack-policy.js"
import * as Backoff from "./backoff.js"
import * as CircuitBreaker from "./circuit-breaker.js"
import * as EngineOptions from "./engine-options.js"
import * as Filter from "./filter.js"
import type * as Health from "./health.js"
import * as Monitor from "./monitor.js"
import type { GroupRole, PipelineGroup, PipelineSource, PipelineSpec } from "./pipeline.js"
import * as ProcessingStage from "./processing-stage.js"
import * as RateLimiter from "./rate-limiter.js"
import * as ReloadPlan from "./reload-plan.js"
import type { RunReport } from "./report.js"
import * as Rescue from "./rescue.js"
import * as Router from "./router.js"
import * as RunState from "./run-state.js"
import * as SinkQueue from "./sink-queue.js"
import * as SinkWorker from "./sink-worker.js"
import * as SourceRunner from "./source-runner.js"
import * as StopPhases from "./stop-phases.js"

/** A running pipeline's handle. */
export interface Engine {
  /** Runs until every source ended or a Stop completed; never fails: the report says how it ended. */
  readonly run: Effect.Effect<RunReport>
  /**
   * Asks for a phased Stop (idempotent). When it returns, every source has been told: each hands out at
   * most the batch it was reading, then ends.
   */
  readonly stop: Effect.Effect<void>
  /**
   * Takes the running pipeline to `spec` (same work root): stops and starts only the sources and sink
   * groups that changed (see `ReloadPlan`), each through the phased stop; the others run on untouched.
   * Waits for the run to start; fails, having changed nothing, when `spec` does not validate, a new sink
   * group cannot be built, or the run is stopping. A source that cannot be built is left out and told in the
   * outcome. Reloads run one at a time.
   */
  readonly reload: (spec: PipelineSpec) => Effect.Effect<ReloadPlan.ReloadOutcome, ConfigError | SinkError>
  /** Pauses (`true`) or resumes (`false`) every source; in effect when it returns. */
  readonly isolate: (isolate: boolean) => Effect.Effect<void>
  /** Seeks the source named `source` (its key); in effect when it returns. */
  readonly seek: (source: string, position: SeekPosition) => Effect.Effect<void, ConfigError>
  /** Counters so far. */
  readonly progress: Effect.Effect<Progress>
  /** Whether each source runs and how many breakers of each sink are open (for `GET /ready`). */
  readonly health: Effect.Effect<Health.Health>
}

/** Live counters of a run. */
export type Progress = RunState.Progress

/** A sink of the spec, checked: its group, name, combined filter, replicas, rate limit, factory and spec. */
interface CheckedSink {
  readonly group: string
  readonly role: GroupRole | undefined
  readonly name: string
  readonly filter: Filter.Filter
  readonly replicaCnt: number
  readonly rps: number
  readonly factory: SinkFactory.SinkFactory
  readonly spec: SinkFactory.ResolvedSinkSpec
}

/** A sink group of the spec, checked: its definition and its sinks. */
interface CheckedGroup {
  readonly group: PipelineGroup
  readonly sinks: ReadonlyArray<CheckedSink>
}

/** A source of the spec, checked: its definition and its factory. */
interface CheckedSource {
  readonly source: PipelineSource
  readonly factory: SourceFactory.SourceFactory
}

/** Checks the sinks of `group`: their kind is registered, their factory accepts them, their filters parse. */
const checkGroup = (group: PipelineGroup, registry: ConnectorRegistry) =>
  Effect.gen(function*() {
    const sinks: Array<CheckedSink> = []
    const groupFilter = Option.isSome(group.filter)
      ? yield* Filter.parse(group.filter.value, `sink_group[${group.name}].filter`)
      : Filter.always
    for (const s of group.sinks) {
      const factory = yield* registry.sinkFactory(s.spec.kind)
      yield* factory.validateSpec(s.spec)
      const sinkFilter = Option.isSome(s.spec.filter)
        ? yield* Filter.parse(s.spec.filter.value, `sink_group[${group.name}].sinks[${s.spec.name}].filter`)
        : Filter.always
      sinks.push({
        group: group.name,
        role: group.role,
        name: s.spec.name,
        filter: Filter.and(groupFilter, sinkFilter),
        replicaCnt: Math.max(1, Math.floor(s.replicaCnt)),
        rps: s.rateLimitRps,
        factory,
        spec: s.spec
      })
    }
    return { group, sinks } satisfies CheckedGroup
  })

/** Checks `source`: its kind is registered and its factory accepts it. */
const checkSource = (source: PipelineSource, registry: ConnectorRegistry) =>
  Effect.flatMap(registry.sourceFactory(source.spec.kind), (factory) =>
    Effect.as(factory.validateSpec(source.spec), { source, factory } satisfies CheckedSource))

/** A sink group as it runs: its definition, its routes and replicas, the Scope holding its sinks, its workers once started. */
interface LiveGroup {
  readonly group: PipelineGroup
  readonly routes: ReadonlyArray<Router.Route>
  readonly replicas: ReadonlyArray<SinkWorker.Replica>
  readonly scope: Scope.CloseableScope
  workers: Fiber.Fiber<unknown> | undefined
}

/** A source as it runs: its definition, node, first generation, Scope, ack policies, Stop request and fiber once started. */
interface LiveSource {
  readonly source: PipelineSource
  readonly node: SourceRunner.SourceNode
  readonly first: SourceRunner.Generation
  readonly scope: Scope.CloseableScope
  readonly acks: Array<AckPolicy.AckPolicy>
  readonly stopping: Deferred.Deferred<void>
  fiber: Fiber.Fiber<void> | undefined
}

/**
 * Validates `spec` and the options (the spec's `engine` options, then `engineOptions` over them), builds
 * its sinks and the first generation of its sources (from the registry in context) in the current Scope,
 * and returns the engine. Nothing runs until `run`.
 */
export const make = (
  spec: PipelineSpec,
  engineOptions: EngineOptions.EngineOptionsInput = {}
): Effect.Effect<Engine, ConfigError | SinkError | SourceError, ConnectorRegistry | Scope.Scope> =>
  Effect.gen(function*() {
    const options = yield* Either.match(EngineOptions.resolve(EngineOptions.merge(spec.engine ?? {}, engineOptions)), {
      onLeft: (e) => Effect.fail(e.under("engine")),
      onRight: Effect.succeed
    })
    const registry = yield* ConnectorRegistry
    const engineScope = yield* Effect.scope
    // the work root is resolved once: every relative path of the run is under it, whatever the working directory
    const workRoot = path.resolve(spec.workRoot)
    const { deadlines } = options

    // ---- validate everything before building anything
    const groups = yield* Effect.forEach(spec.groups, (g) => checkGroup(g, registry))
    const enabled = yield* Effect.forEach(spec.sources.filter((s) => s.enabled), (s) => checkSource(s, registry))
    const state = yield* RunState.make(
      enabled.map((s) => s.source.spec.name),
      groups.flatMap((g) => g.sinks),
      enabled.flatMap((s) => (s.source.processors ?? []).map((p) => ({ source: s.source.spec.name, name: p.name })))
    )

    const cooldown = Backoff.sinkCooldown(options)
    const rescue = Rescue.make(path.resolve(workRoot, options.rescueDir ?? "rescue"))
    const workerOptions: SinkWorker.WorkerOptions = {
      batchEvents: options.batchEvents,
      batchBytes: options.batchBytes,
      batchWait: options.batchWait,
      retries: Backoff.writeRetries(options),
      rescue
    }
    const rebuild = Backoff.sourceRebuild(options)
    /**
     * What every router offers to: the routes of the running business groups, in spec order, and of the
     * `default` groups (what none selects); the other infra groups' routes, by role (see `reroute`).
     */
    const table: Router.RouteTable = Router.fixed([])
    const infraTables = { miss: Router.fixed([]), residue: Router.fixed([]), error: Router.fixed([]), monitor: Router.fixed([]) }
    /**
     * Where the processing stages set events aside: whether a `miss`, `residue` or `error` group runs now
     * (the stages read it at every batch; `reroute` keeps it current across reloads).
     */
    const outlets: { -readonly [K in keyof ProcessingStage.Outlets]: ProcessingStage.Outlets[K] } = { miss: false, residue: false, error: false }
    /** The read rate of all sources together (`readRateLimitRps`). */
    const readLimiter = options.readRateLimitRps > 0 ? RateLimiter.make(options.readRateLimitRps) : undefined
    /** The running units; `version` counts reloads, `closing` is set once the run ends (no reload after). */
    const live = { groups: [] as Array<LiveGroup>, sources: [] as Array<LiveSource>, version: 0, closing: false }
    /** Completed once `run` started every unit. */
    const running = yield* Deferred.make<void>()
    /** Held by a reload, by the start, and by the run's end while it checks that no reload changed the sources. */
    const lock = yield* Effect.makeSemaphore(1)

    /** Builds every replica of the sinks of `checked` in a Scope of its own (closed when the build fails). */
    const buildGroup = (checked: CheckedGroup): Effect.Effect<LiveGroup, ConfigError | SinkError> =>
      Effect.flatMap(Scope.fork(engineScope, ExecutionStrategy.sequential), (scope) =>
        Effect.gen(function*() {
          const replicas: Array<SinkWorker.Replica> = []
          const routes: Array<Router.Route> = []
          for (const s of checked.sinks) {
            const limiter = RateLimiter.make(s.rps)
            const stats = RunState.sinkStats(state, s.group, s.name)
            const queues: Array<SinkQueue.SinkQueue> = []
            const encoders: Array<RecordEncoder | undefined> = []
            for (let idx = 0; idx < s.replicaCnt; idx++) {
              const ctx = SinkFactory.buildCtx({ workRoot, replicaIdx: idx, replicaCnt: s.replicaCnt, rateLimitRps: s.rps })
              const { sink } = yield* s.factory.build(s.spec, ctx)
              const queue = yield* SinkQueue.make({ events: options.queueEvents, bytes: options.queueBytes })
              const breaker = yield* CircuitBreaker.make(cooldown)
              replicas.push({ group: s.group, name: s.name, sink, queue, breaker, limiter, stats })
              queues.push(queue)
              encoders.push(sink.recordEncoder)
            }
            routes.push({ filter: s.filter, queues, encoders })
          }
          return { group: checked.group, routes, replicas, scope, workers: undefined } satisfies LiveGroup
        }).pipe(Scope.extend(scope), Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))))

    /** Builds the node and the first generation of `checked` in a Scope of its own (closed when the build fails). */
    const buildSource = (checked: CheckedSource): Effect.Effect<LiveSource, ConfigError | SourceError> =>
      Effect.flatMap(Scope.fork(engineScope, ExecutionStrategy.sequential), (scope) =>
        Effect.gen(function*() {
          const { factory, source } = checked
          const name = source.spec.name
          const processors = source.processors ?? []
          const node: SourceRunner.SourceNode = {
            name,
            plane: yield* ControlPlane.make,
            stats: RunState.sourceStats(state, name),
            stage: processors.length === 0 ? undefined : yield* ProcessingStage.make({
              source: name,
              processors,
              stats: RunState.processorStats(state, name, processors.map((p) => p.name)),
              rescue,
              outlets
            }),
            build: factory.build(source.spec, SourceFactory.buildCtx(workRoot)),
            up: false
          }
          // the first generation is built now, so bad params and busy ports fail early
          const generation = yield* Scope.fork(scope, ExecutionStrategy.sequential)
          const first: SourceRunner.Generation = { svc: yield* Scope.extend(node.build, generation), scope: generation }
          node.up = true
          return { source, node, first, scope, acks: [], stopping: yield* Deferred.make<void>(), fiber: undefined } satisfies LiveSource
        }).pipe(Scope.extend(scope), Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))))

    /** Asks for the Stop and tells every running source at once (the first time). */
    const stop: Effect.Effect<void> = Effect.flatMap(RunState.requestStop(state), (first) =>
      first ? Effect.forEach(live.sources, stopSource, { discard: true }) : Effect.void)

    /** Tells one source to stop: it hands out at most the batch it was reading, then ends. */
    const stopSource = (s: LiveSource): Effect.Effect<void> => Effect.zipRight(Deferred.succeed(s.stopping, undefined), s.node.plane.stop)

    /** Starts the workers of `g`'s replicas; a worker that fails (a rescue it could not write) stops the run. */
    const startGroup = (g: LiveGroup): Effect.Effect<void> =>
      Effect.map(
        Effect.forEach(g.replicas, (r) =>
          Effect.forkIn(
            SinkWorker.run(r, workerOptions).pipe(
              Effect.catchAll((e) => Effect.zipRight(RunState.failed(state, `sink ${r.group}/${r.name}: ${e.message}`), stop))
            ),
            engineScope
          )),
        (fibers) => void (g.workers = Fiber.all(fibers))
      )

    /** Starts `s` (already listed as running, so a Stop from now on reaches it; one asked for before is passed on). */
    const startSource = (s: LiveSource): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (yield* RunState.isStopping(state)) yield* Deferred.succeed(s.stopping, undefined)
        const ctx: SourceRunner.RunnerContext = {
          state,
          routes: table,
          rebuild,
          scope: s.scope,
          acks: s.acks,
          stopping: s.stopping,
          infra: { default: [], miss: infraTables.miss, residue: infraTables.residue, error: infraTables.error },
          readLimiter
        }
        s.fiber = yield* Effect.forkIn(SourceRunner.run(s.node, s.first, ctx), engineScope)
      })

    /** The routes of the running groups of `role` (`undefined`: the business groups). */
    const routesOf = (role: GroupRole | undefined): ReadonlyArray<Router.Route> =>
      live.groups.flatMap((g) => (g.group.role === role ? g.routes : []))

    /**
     * Points every router at the routes of the groups running now: an infra group takes what its role says,
     * not what the sources send to every group.
     */
    const reroute = (): void => {
      table.current = routesOf(undefined)
      table.fallback = routesOf("default")
      for (const role of ["miss", "residue", "error", "monitor"] as const) infraTables[role].current = routesOf(role)
      outlets.miss = infraTables.miss.current.length > 0
      outlets.residue = infraTables.residue.current.length > 0
      outlets.error = infraTables.error.current.length > 0
    }

    /** The fibers of `sources`, as one. */
    const fibersOf = (sources: ReadonlyArray<LiveSource>): Fiber.Fiber<unknown> =>
      Fiber.all(sources.flatMap((s) => (s.fiber === undefined ? [] : [s.fiber])))

    /**
     * The phased stop of some sources while the rest of the run goes on: they are told, their fibers end
     * (interrupted past `stopSources`), everything they read is written and acked (within `drain` + `acks`),
     * then their Scopes close (within `close` each).
     */
    const stopSources = (sources: ReadonlyArray<LiveSource>): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (sources.length === 0) return
        yield* Effect.forEach(sources, stopSource, { discard: true })
        const fibers = fibersOf(sources)
        yield* StopPhases.phase("stopSources", deadlines.stopSources, Effect.asVoid(Fiber.await(fibers)), Effect.asVoid(Fiber.interrupt(fibers)))
        const settled = Effect.forEach(sources.flatMap((s) => s.acks), (a) => a.settled, { discard: true })
        yield* StopPhases.phase("acks", Duration.sum(deadlines.drain, deadlines.acks), settled, Effect.void)
        yield* Effect.forEach(sources, (s) => StopPhases.close(s.scope, deadlines.close), { discard: true })
      })

    /** The phased stop of some sink groups no route leads to any more: their queues end, the workers write what is left, their Scopes close. */
    const stopGroups = (retired: ReadonlyArray<LiveGroup>): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (retired.length === 0) return
        yield* Effect.forEach(retired.flatMap((g) => g.replicas), (r) => r.queue.end, { discard: true })
        const workers = Fiber.all(retired.flatMap((g) => (g.workers === undefined ? [] : [g.workers])))
        yield* StopPhases.phase("drain", deadlines.drain, Effect.asVoid(Fiber.await(workers)), Effect.asVoid(Fiber.interrupt(workers)))
        yield* Effect.forEach(retired, (g) => StopPhases.close(g.scope, deadlines.close), { discard: true })
      })

    // ---- build sink groups (all replicas), then sources
    live.groups = yield* Effect.forEach(groups, buildGroup)
    live.sources = yield* Effect.forEach(enabled, buildSource)
    reroute()

    const reload = (next: PipelineSpec): Effect.Effect<ReloadPlan.ReloadOutcome, ConfigError | SinkError> =>
      Effect.zipRight(Effect.raceFirst(Deferred.await(running), RunState.awaitStop(state)), lock.withPermits(1)(Effect.gen(function*() {
        const t0 = yield* Clock.currentTimeMillis
        if (live.closing || (yield* RunState.isStopping(state))) {
          return yield* new ConfigError({ detail: "the pipeline is stopping: nothing to reload", path: "reload" })
        }
        if (path.resolve(next.workRoot) !== workRoot) {
          return yield* new ConfigError({ detail: `a reload cannot move the work root to ${path.resolve(next.workRoot)}`, path: "workRoot", expected: workRoot })
        }
        const before: PipelineSpec = { ...spec, sources: live.sources.map((s) => s.source), groups: live.groups.map((g) => g.group) }
        const plan = ReloadPlan.make(before, next)
        if (ReloadPlan.isEmpty(plan)) return { plan, failed: [], millis: (yield* Clock.currentTimeMillis) - t0 }
        const entering = (changes: ReadonlyArray<ReloadPlan.UnitChange>) => new Set(changes.filter((c) => c.change !== "removed").map((c) => c.name))
        const leaving = (changes: ReadonlyArray<ReloadPlan.UnitChange>) => new Set(changes.filter((c) => c.change !== "added").map((c) => c.name))
        const groupsIn = entering(plan.groups)
        const sourcesIn = entering(plan.sources)
        const groupsOut = leaving(plan.groups)
        const sourcesOut = leaving(plan.sources)

        // ---- validate, and build the new sink groups, before anything stops: a failure changes nothing
        const checkedGroups = yield* Effect.forEach(next.groups.filter((g) => groupsIn.has(g.name)), (g) => checkGroup(g, registry))
        const checkedSources = yield* Effect.forEach(
          next.sources.filter((s) => s.enabled && sourcesIn.has(s.spec.name)),
          (s) => checkSource(s, registry)
        )
        const built: Array<LiveGroup> = []
        yield* Effect.forEach(checkedGroups, (c) => Effect.map(buildGroup(c), (g) => void built.push(g)), { discard: true }).pipe(
          Effect.onError(() => Effect.forEach(built, (g) => Scope.close(g.scope, Exit.void), { discard: true }))
        )
        live.version += 1

        // ---- the sources that go stop first: what they read is written (to the groups running now) and acked
        const stopping = live.sources.filter((s) => sourcesOut.has(s.source.spec.name))
        yield* stopSources(stopping)
        live.sources = live.sources.filter((s) => !stopping.includes(s))

        // ---- routes lead to the new groups from the next batch on; the old ones write what they hold and
        // close before the new ones write (a changed group's sinks may write where the old ones did)
        const retired = live.groups.filter((g) => groupsOut.has(g.group.name))
        live.groups = next.groups.flatMap((g) => {
          const group = built.find((b) => b.group.name === g.name) ?? live.groups.find((l) => l.group.name === g.name)
          return group === undefined ? [] : [group]
        })
        reroute()
        yield* stopGroups(retired)
        yield* Effect.forEach(built, startGroup, { discard: true })

        // ---- the new sources start last; one that cannot be built is left out (a later reload may add it)
        const failed: Array<ReloadPlan.UnitFailure> = []
        for (const c of checkedSources) {
          const name = c.source.spec.name
          const started = yield* Effect.either(buildSource(c))
          if (Either.isLeft(started)) {
            const unit = plan.sources.find((u) => u.name === name)!
            failed.push({ unit, error: started.left.message })
            continue
          }
          live.sources.push(started.right)
          yield* startSource(started.right)
        }
        const order = next.sources.map((s) => s.spec.name)
        live.sources.sort((a, b) => order.indexOf(a.source.spec.name) - order.indexOf(b.source.spec.name))
        return { plan, failed, millis: (yield* Clock.currentTimeMillis) - t0 }
      })))

    /**
     * Waits until every running source ended or a Stop came; then, under the lock (a reload under way
     * finishes first), the run closes to reloads. Sources a reload stopped or started meanwhile: it waits again.
     */
    const awaitEnd: Effect.Effect<void> = Effect.gen(function*() {
      while (true) {
        const version = live.version
        yield* Effect.raceFirst(Fiber.await(fibersOf(live.sources)), RunState.awaitStop(state))
        const ended = yield* lock.withPermits(1)(Effect.gen(function*() {
          if (live.version !== version && !(yield* RunState.isStopping(state))) return false
          live.closing = true
          return true
        }))
        if (ended) return
      }
    })

    const run: Effect.Effect<RunReport> = Effect.gen(function*() {
      yield* lock.withPermits(1)(Effect.gen(function*() {
        yield* Effect.forEach(live.groups, startGroup, { discard: true })
        yield* Effect.forEach(live.sources, startSource, { discard: true })
        yield* Deferred.succeed(running, undefined)
      }))
      const monitor = spec.groups.some((g) => g.role === "monitor") ? Monitor.make(state, infraTables.monitor, yield* Effect.clock) : undefined
      // a monitor interval of 0: only the last record
      const ticks = monitor === undefined || Duration.toMillis(options.monitorInterval) === 0
        ? undefined
        : yield* Effect.forkIn(Effect.repeat(Effect.delay(monitor.emit, options.monitorInterval), Schedule.forever), engineScope)
      yield* awaitEnd
      // the monitor's last record holds the run's counters as the sources ended; then the queues drain
      if (ticks !== undefined) yield* Fiber.interrupt(ticks)
      if (monitor !== undefined) yield* monitor.emit
      const stopped = yield* RunState.isStopping(state)
      const phases = yield* StopPhases.run(
        {
          sources: fibersOf(live.sources),
          queues: live.groups.flatMap((g) => g.replicas.map((r) => r.queue)),
          workers: Fiber.all(live.groups.flatMap((g) => (g.workers === undefined ? [] : [g.workers]))),
          acks: live.sources.flatMap((s) => s.acks)
        },
        deadlines
      )
      return yield* RunState.report(state, stopped, phases)
    })

    return {
      run,
      stop,
      reload,
      isolate: (isolate) => Effect.forEach(live.sources, (s) => s.node.plane.isolate(isolate), { discard: true }),
      seek: (source, position) => {
        const found = live.sources.find((s) => s.node.name === source)
        return found === undefined
          ? Effect.fail(new ConfigError({ detail: `no running source named "${source}"`, path: "source", expected: `one of: ${live.sources.map((s) => s.node.name).join(", ")}` }))
          : found.node.plane.seek(position)
      },
      progress: Effect.suspend(() =>
        RunState.progress(state, live.groups.reduce((n, g) => n + g.replicas.reduce((m, r) => m + r.queue.depth().events, 0), 0))
      ),
      health: Effect.map(RunState.isStopping(state), (stopping) => ({
        stopping,
        sources: live.sources.map((s) => ({ name: s.node.name, up: s.node.up })),
        sinks: live.groups.flatMap((g) =>
          g.group.sinks.map((s) => {
            const mine = g.replicas.filter((r) => r.name === s.spec.name)
            return {
              group: g.group.name,
              name: s.spec.name,
              replicas: mine.length,
              breakersOpen: mine.filter((r) => r.breaker.failures() > 0).length,
              queueCapacity: mine.length * options.queueEvents
            }
          })
        )
      }))
    }
  })

/**
 * Builds and runs `spec` to its end (or a Stop) in its own Scope, closing everything: the report includes the
 * close phase. `onEngine` gets the engine before it runs; what it adds to its Scope lasts as long as the engine.
 */
export const runPipeline = (
  spec: PipelineSpec,
  options: EngineOptions.EngineOptionsInput = {},
  onEngine: (engine: Engine) => Effect.Effect<void, never, Scope.Scope> = () => Effect.void
): Effect.Effect<RunReport, ConfigError | SinkError | SourceError, ConnectorRegistry> =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const engine = yield* Scope.extend(make(spec, options), scope).pipe(
      Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause)))
    )
    const deadline = Either.match(EngineOptions.resolve(EngineOptions.merge(spec.engine ?? {}, options)), {
      onLeft: () => EngineOptions.defaults.deadlines.close,
      onRight: (o) => o.deadlines.close
    })
    yield* Scope.extend(onEngine(engine), scope)
    const report = yield* engine.run
    const close = yield* StopPhases.close(scope, deadline)
    return { ...report, phases: [...report.phases, close] }
  })
