/**
 * `Runner`: what `wpc run` does around the engine — a progress line every few seconds, an
 * optional Prometheus endpoint (with the process metrics, `/health` and `/ready`), and SIGINT/SIGTERM
 * as Stop (a second signal forces the exit), and SIGHUP as a reload when the caller can load the
 * pipeline again.
 *
 * @since 0.1.0
 */
import { Console, Duration, Effect, Fiber, type Option, Runtime, Schedule } from "effect"
import type { ConfigError } from "../errors/config.js"
import type { SinkError } from "../errors/sink.js"
import type { SourceError } from "../errors/source.js"
import type { ConnectorRegistry } from "../registry/registry.js"
import * as Engine from "./engine.js"
import type { EngineOptionsInput } from "./engine-options.js"
import * as Health from "./health.js"
import * as Metrics from "./metrics.js"
import type { PipelineSpec } from "./pipeline.js"
import * as ProcessMetrics from "./process-metrics.js"
import * as Prometheus from "./prometheus.js"
import * as ReloadSignal from "./reload-signal.js"
import type { RunReport } from "./report.js"

/** How `run` reports and listens. */
export interface RunnerOptions {
  /** Engine options, over the spec's own (a project's `[engine]` table). */
  readonly engine?: EngineOptionsInput | undefined
  /** How often a progress line is printed (default 5 s; 0 = never). */
  readonly progressEvery?: Duration.DurationInput | undefined
  /** Serve Prometheus metrics, `/health` and `/ready` at this port (0 picks a free one). */
  readonly metricsPort?: number | undefined
  /** The address the metrics server listens on (default `127.0.0.1`). */
  readonly metricsHost?: string | undefined
  /** Where progress lines go (default: the console). */
  readonly print?: ((line: string) => Effect.Effect<void>) | undefined
  /** Text added to each progress line (a project's sink expectations). */
  readonly progressSuffix?: ((progress: Engine.Progress) => string) | undefined
  /** Whether SIGINT/SIGTERM stop the run (default true). */
  readonly handleSignals?: boolean | undefined
  /**
   * Loads the pipeline again for a SIGHUP: the new spec, or `None` when it has problems (told by it). With
   * it (and `handleSignals`), SIGHUP reloads the running pipeline (see `ReloadSignal`).
   */
  readonly reload?: Effect.Effect<Option.Option<PipelineSpec>> | undefined
  /** Runs once the pipeline is built, before it runs (`wpc run` ends its start-up phase there, see `Heap.settle`). */
  readonly onStarted?: Effect.Effect<void> | undefined
}

const fmt = (n: number): string => n.toLocaleString("en-US")

/** A progress line: elapsed time, events in and their rate, written, rescued, errors, queued. */
export const progressLine = (p: Engine.Progress, previous: Engine.Progress | undefined): string => {
  const dt = previous === undefined ? p.millis : p.millis - previous.millis
  const din = previous === undefined ? p.eventsIn : p.eventsIn - previous.eventsIn
  const rate = dt > 0 ? Math.round((din * 1000) / dt) : 0
  return `[wpc] ${(p.millis / 1000).toFixed(1)}s in=${fmt(p.eventsIn)} (${fmt(rate)} ev/s) written=${fmt(p.written)} rescued=${fmt(p.rescued)} errors=${fmt(p.errors)} acked=${fmt(p.acked)} queued=${fmt(p.queued)}`
}

/** The sources, sinks and processors of `spec`, as the engine names them in its metrics. */
const topology = (spec: PipelineSpec): Metrics.Topology => {
  const enabled = spec.sources.filter((s) => s.enabled)
  return {
    sources: enabled.map((s) => s.spec.name),
    sinks: spec.groups.flatMap((g) => g.sinks.map((s) => ({ group: g.name, name: s.spec.name }))),
    processors: enabled.flatMap((s) => (s.processors ?? []).map((p) => ({ source: s.spec.name, name: p.name })))
  }
}

/** Installs SIGINT/SIGTERM handlers for the Scope: the first runs `stop`, the second exits at once (code 130). */
const onSignals = (stop: Effect.Effect<void>, print: (line: string) => Effect.Effect<void>) =>
  Effect.acquireRelease(
    // the handler runs in the caller's runtime: its logger (`--log-format json`) and runtime flags
    Effect.map(Effect.runtime<never>(), (runtime) => {
      let count = 0
      const handler = (signal: NodeJS.Signals) => {
        count += 1
        if (count > 1) {
          process.stderr.write(`[wpc] second ${signal}: exiting now\n`)
          process.exit(130)
        }
        Runtime.runFork(runtime)(Effect.zipRight(print(`[wpc] ${signal}: stopping (send it again to force)`), stop))
      }
      process.on("SIGINT", handler)
      process.on("SIGTERM", handler)
      return handler
    }),
    (handler) =>
      Effect.sync(() => {
        process.off("SIGINT", handler)
        process.off("SIGTERM", handler)
      })
  )

/** Runs `spec` to its end or a Stop, printing progress, serving metrics, and stopping on signals. */
export const run = (
  spec: PipelineSpec,
  options: RunnerOptions = {}
): Effect.Effect<RunReport, ConfigError | SinkError | SourceError, ConnectorRegistry> =>
  Effect.scoped(Effect.gen(function*() {
    const print = options.print ?? ((line: string) => Console.log(line))
    // the engine once built: `/ready` answers "starting" until then
    let running: Engine.Engine | undefined
    if (options.metricsPort !== undefined) {
      const host = options.metricsHost ?? "127.0.0.1"
      yield* Metrics.declare(topology(spec))
      const collectProcess = yield* ProcessMetrics.make()
      const health = Effect.suspend(() => (running === undefined ? Effect.succeed(undefined) : running.health))
      const { port } = yield* Prometheus.serve(options.metricsPort, {
        host,
        declared: Metrics.declaredFamilies,
        // Effect's own runtime metrics (effect_fiber_*: fibers run by Schema's sync decoding count
        // even with the runtime flag off) are not part of what wpc documents and exports
        include: (name) => !name.startsWith("effect_"),
        collect: Effect.zipRight(collectProcess, Effect.flatMap(health, (h) => (h === undefined ? Effect.void : Metrics.health(h)))),
        readiness: Effect.map(health, (h) => (h === undefined ? Health.starting : Health.readiness(h)))
      })
      yield* print(`[wpc] metrics on http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`)
    }
    const every = Duration.decode(options.progressEvery ?? Duration.seconds(5))
    return yield* Engine.runPipeline(spec, options.engine ?? {}, (engine) =>
      Effect.gen(function*() {
        running = engine
        if (options.handleSignals ?? true) yield* onSignals(engine.stop, print)
        if ((options.handleSignals ?? true) && options.reload !== undefined) yield* ReloadSignal.install(engine, options.reload, print)
        if (options.onStarted !== undefined) yield* options.onStarted
        if (Duration.toMillis(every) > 0) {
          let previous: Engine.Progress | undefined
          const tick = Effect.flatMap(engine.progress, (p) => {
            const line = progressLine(p, previous) + (options.progressSuffix?.(p) ?? "")
            previous = p
            return print(line)
          })
          const fiber = yield* Effect.forkDaemon(Effect.repeat(Effect.delay(tick, every), Schedule.forever))
          yield* Effect.addFinalizer(() => Fiber.interrupt(fiber))
        }
      }))
  }))
