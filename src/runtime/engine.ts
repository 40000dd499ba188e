/**
 * `Engine`: runs a pipeline. `make` validates the options and the spec, builds every sink replica and
 * the first generation of every source, and assembles the parts, each in its own module with the run's
 * shared state (`RunState`) passed in: each source is pulled by a `SourceRunner`, which routes its
 * batches (`Router`) through bounded queues (`SinkQueue`: backpressure reaches the source) to the sink
 * replicas (through its `ProcessingStage` first, when it has processors); each replica's `SinkWorker` batches, writes, retries and rescues; each source's batches are
 * acked in order once every sink took them (`AckPolicy`); WarpParse's infra groups take what their role
 * says (what no group selected, what the processors set aside, the engine's counters: `Monitor`); and a Stop runs in phases with deadlines
 * (`StopPhases`), ending with a `RunReport`.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Either, ExecutionStrategy, Exit, Fiber, Option, Schedule, Scope } from "effect"
import * as path from "node:path"
import { ConfigError } from "../errors/config.js"
import type { SinkError } from "../errors/sink.js"
import type { SourceError } from "../errors/source.js"
import { ConnectorRegistry } from "../registry/registry.js"
import * as SinkFactory from "../sink/factory.js"
import * as ControlPlane from "../source/control.js"
import type { SeekPosition } from "../source/control.js"
import * as SourceFactory from "../source/factory.js"
import type * as AckPolicy from "./ack-policy.js"
import * as Backoff from "./backoff.js"
import * as CircuitBreaker from "./circuit-breaker.js"
import * as EngineOptions from "./engine-options.js"
import * as Filter from "./filter.js"
import * as Monitor from "./monitor.js"
import type { GroupRole, PipelineSpec } from "./pipeline.js"
import * as ProcessingStage from "./processing-stage.js"
import * as RateLimiter from "./rate-limiter.js"
import type { RunReport } from "./report.js"
import * as Rescue from "./rescue.js"
import type * as Router from "./router.js"
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
  /** Pauses (`true`) or resumes (`false`) every source; in effect when it returns. */
  readonly isolate: (isolate: boolean) => Effect.Effect<void>
  /** Seeks the source named `source` (its key); in effect when it returns. */
  readonly seek: (source: string, position: SeekPosition) => Effect.Effect<void, ConfigError>
  /** Counters so far. */
  readonly progress: Effect.Effect<Progress>
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

/** Checks every sink of `spec`: its kind is registered, its factory accepts it, its filters parse. */
const checkSinks = (spec: PipelineSpec, registry: ConnectorRegistry) =>
  Effect.gen(function*() {
    const checked: Array<CheckedSink> = []
    for (const group of spec.groups) {
      const groupFilter = Option.isSome(group.filter)
        ? yield* Filter.parse(group.filter.value, `sink_group[${group.name}].filter`)
        : Filter.always
      for (const s of group.sinks) {
        const factory = yield* registry.sinkFactory(s.spec.kind)
        yield* factory.validateSpec(s.spec)
        const sinkFilter = Option.isSome(s.spec.filter)
          ? yield* Filter.parse(s.spec.filter.value, `sink_group[${group.name}].sinks[${s.spec.name}].filter`)
          : Filter.always
        checked.push({
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
    }
    return checked
  })

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

    // ---- validate everything before building anything
    const sinks = yield* checkSinks(spec, registry)
    const enabled = spec.sources.filter((s) => s.enabled)
    const sourceFactories = yield* Effect.forEach(enabled, (s) =>
      Effect.flatMap(registry.sourceFactory(s.spec.kind), (f) => Effect.as(f.validateSpec(s.spec), f)))
    const state = yield* RunState.make(
      enabled.map((s) => s.spec.name),
      sinks,
      enabled.flatMap((s) => (s.processors ?? []).map((p) => ({ source: s.spec.name, name: p.name })))
    )

    // ---- build sinks (all replicas), then sources
    const cooldown = Backoff.sinkCooldown(options)
    const replicas: Array<SinkWorker.Replica> = []
    const routes: Array<Router.Route> = []
    const infra: { [R in GroupRole]: Array<Router.Route> } = { default: [], miss: [], residue: [], error: [], monitor: [] }
    for (const [i, s] of sinks.entries()) {
      const limiter = RateLimiter.make(s.rps)
      const queues: Array<SinkQueue.SinkQueue> = []
      for (let idx = 0; idx < s.replicaCnt; idx++) {
        const ctx = SinkFactory.buildCtx({ workRoot, replicaIdx: idx, replicaCnt: s.replicaCnt, rateLimitRps: s.rps })
        const { sink } = yield* s.factory.build(s.spec, ctx)
        const queue = yield* SinkQueue.make({ events: options.queueEvents, bytes: options.queueBytes })
        const breaker = yield* CircuitBreaker.make(cooldown)
        replicas.push({ group: s.group, name: s.name, sink, queue, breaker, limiter, stats: state.sinks[i]! })
        queues.push(queue)
      }
      // an infra group takes what its role says, not what the sources send to every group
      const route: Router.Route = { filter: s.filter, queues }
      if (s.role === undefined) routes.push(route)
      else infra[s.role].push(route)
    }
    const outlets: ProcessingStage.Outlets = { miss: infra.miss.length > 0, residue: infra.residue.length > 0, error: infra.error.length > 0 }

    const rescueDir = path.resolve(workRoot, options.rescueDir ?? "rescue")
    const rescue = Rescue.make(rescueDir)
    const nodes: Array<SourceRunner.SourceNode> = []
    const firstGenerations: Array<SourceRunner.Generation> = []
    for (const [i, s] of enabled.entries()) {
      const processors = s.processors ?? []
      const node: SourceRunner.SourceNode = {
        name: s.spec.name,
        plane: yield* ControlPlane.make,
        stats: state.sources[i]!,
        stage: processors.length === 0 ? undefined : yield* ProcessingStage.make({
          source: s.spec.name,
          processors,
          stats: state.processors.filter((p) => p.source === s.spec.name),
          rescue,
          outlets
        }),
        build: sourceFactories[i]!.build(s.spec, SourceFactory.buildCtx(workRoot))
      }
      nodes.push(node)
      // the first generation of every source is built now, so bad params and busy ports fail early
      const scope = yield* Scope.fork(engineScope, ExecutionStrategy.sequential)
      firstGenerations.push({ svc: yield* Scope.extend(node.build, scope), scope })
    }

    // ---- assemble
    const workerOptions: SinkWorker.WorkerOptions = {
      batchEvents: options.batchEvents,
      batchBytes: options.batchBytes,
      batchWait: options.batchWait,
      retries: Backoff.writeRetries(options),
      rescue
    }
    const acks: Array<AckPolicy.AckPolicy> = []
    const runnerContext: SourceRunner.RunnerContext = {
      state,
      routes,
      rebuild: Backoff.sourceRebuild(options),
      scope: engineScope,
      acks,
      infra,
      readLimiter: options.readRateLimitRps > 0 ? RateLimiter.make(options.readRateLimitRps) : undefined
    }

    /** Asks for the Stop and tells every source at once (the first time). */
    const stop: Effect.Effect<void> = Effect.flatMap(RunState.requestStop(state), (first) =>
      first ? Effect.forEach(nodes, (n) => n.plane.stop, { discard: true }) : Effect.void)

    const run: Effect.Effect<RunReport> = Effect.gen(function*() {
      const workers = yield* Effect.forEach(replicas, (r) =>
        Effect.forkIn(
          SinkWorker.run(r, workerOptions).pipe(
            Effect.catchAll((e) => Effect.zipRight(RunState.failed(state, `sink ${r.group}/${r.name}: ${e.message}`), stop))
          ),
          engineScope
        ))
      const sources = Fiber.all(
        yield* Effect.forEach(nodes, (n, i) => Effect.forkIn(SourceRunner.run(n, firstGenerations[i]!, runnerContext), engineScope))
      )
      const monitor = infra.monitor.length === 0 ? undefined : Monitor.make(state, infra.monitor, yield* Effect.clock)
      // a monitor interval of 0: only the last record
      const ticks = monitor === undefined || Duration.toMillis(options.monitorInterval) === 0
        ? undefined
        : yield* Effect.forkIn(Effect.repeat(Effect.delay(monitor.emit, options.monitorInterval), Schedule.forever), engineScope)
      yield* Effect.raceFirst(Fiber.await(sources), RunState.awaitStop(state))
      // the monitor's last record holds the run's counters as the sources ended; then the queues drain
      if (ticks !== undefined) yield* Fiber.interrupt(ticks)
      if (monitor !== undefined) yield* monitor.emit
      const stopped = yield* RunState.isStopping(state)
      const phases = yield* StopPhases.run(
        { sources, queues: replicas.map((r) => r.queue), workers: Fiber.all(workers), acks },
        options.deadlines
      )
      return yield* RunState.report(state, stopped, phases)
    })

    return {
      run,
      stop,
      isolate: (isolate) => Effect.forEach(nodes, (n) => n.plane.isolate(isolate), { discard: true }),
      seek: (source, position) => {
        const node = nodes.find((n) => n.name === source)
        return node === undefined
          ? Effect.fail(new ConfigError({ detail: `no running source named "${source}"`, path: "source", expected: `one of: ${nodes.map((n) => n.name).join(", ")}` }))
          : node.plane.seek(position)
      },
      progress: Effect.suspend(() => RunState.progress(state, replicas.reduce((n, r) => n + r.queue.depth().events, 0)))
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
