/**
 * `Runner`: what `wpc run` does around the engine — a progress line every few seconds, an
 * optional Prometheus endpoint, and SIGINT/SIGTERM as Stop (a second signal forces the exit).
 *
 * @since 0.1.0
 */
import { Console, Duration, Effect, Fiber, Schedule } from "effect"
import type { ConfigError } from "../errors/config.js"
import type { SinkError } from "../errors/sink.js"
import type { SourceError } from "../errors/source.js"
import type { ConnectorRegistry } from "../registry/registry.js"
import * as Engine from "./engine.js"
import type { EngineOptionsInput } from "./engine-options.js"
import type { PipelineSpec } from "./pipeline.js"
import * as Prometheus from "./prometheus.js"
import type { RunReport } from "./report.js"

/** How `run` reports and listens. */
export interface RunnerOptions {
  /** Engine options, over the spec's own (a project's `[engine]` table). */
  readonly engine?: EngineOptionsInput | undefined
  /** How often a progress line is printed (default 5 s; 0 = never). */
  readonly progressEvery?: Duration.DurationInput | undefined
  /** Serve Prometheus metrics on 127.0.0.1 at this port (0 picks a free one). */
  readonly metricsPort?: number | undefined
  /** Where progress lines go (default: the console). */
  readonly print?: ((line: string) => Effect.Effect<void>) | undefined
  /** Text added to each progress line (a project's sink expectations). */
  readonly progressSuffix?: ((progress: Engine.Progress) => string) | undefined
  /** Whether SIGINT/SIGTERM stop the run (default true). */
  readonly handleSignals?: boolean | undefined
}

const fmt = (n: number): string => n.toLocaleString("en-US")

/** A progress line: elapsed time, events in and their rate, written, rescued, errors, queued. */
export const progressLine = (p: Engine.Progress, previous: Engine.Progress | undefined): string => {
  const dt = previous === undefined ? p.millis : p.millis - previous.millis
  const din = previous === undefined ? p.eventsIn : p.eventsIn - previous.eventsIn
  const rate = dt > 0 ? Math.round((din * 1000) / dt) : 0
  return `[wpc] ${(p.millis / 1000).toFixed(1)}s in=${fmt(p.eventsIn)} (${fmt(rate)} ev/s) written=${fmt(p.written)} rescued=${fmt(p.rescued)} errors=${fmt(p.errors)} acked=${fmt(p.acked)} queued=${fmt(p.queued)}`
}

/** Installs SIGINT/SIGTERM handlers for the Scope: the first runs `stop`, the second exits at once (code 130). */
const onSignals = (stop: Effect.Effect<void>, print: (line: string) => Effect.Effect<void>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      let count = 0
      const handler = (signal: NodeJS.Signals) => {
        count += 1
        if (count > 1) {
          process.stderr.write(`[wpc] second ${signal}: exiting now\n`)
          process.exit(130)
        }
        Effect.runFork(Effect.zipRight(print(`[wpc] ${signal}: stopping (send it again to force)`), stop))
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
    if (options.metricsPort !== undefined) {
      const { port } = yield* Prometheus.serve(options.metricsPort)
      yield* print(`[wpc] metrics on http://127.0.0.1:${port}/metrics`)
    }
    const every = Duration.decode(options.progressEvery ?? Duration.seconds(5))
    return yield* Engine.runPipeline(spec, options.engine ?? {}, (engine) =>
      Effect.gen(function*() {
        if (options.handleSignals ?? true) yield* onSignals(engine.stop, print)
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
