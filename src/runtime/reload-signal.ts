/**
 * `ReloadSignal`: SIGHUP reloads a running pipeline. Each one loads the project again (`load`: the
 * new spec, or `None` when it has problems, which `load` has already told); a project with problems
 * leaves the running pipeline as it is; otherwise the engine applies the changes (`Engine.reload`),
 * and each changed unit gets a line, then a summary. Reloads run one after the other, in the order of
 * their signals.
 *
 * @since 0.1.0
 */
import { Effect, Option, Runtime, type Scope } from "effect"
import type * as Engine from "./engine.js"
import type { PipelineSpec } from "./pipeline.js"
import * as ReloadPlan from "./reload-plan.js"

/** The signal that reloads. */
export const signal: NodeJS.Signals = "SIGHUP"

/** One reload of `engine` to what `load` gives, told through `print`; never fails. */
export const reloadOnce = (
  engine: Engine.Engine,
  load: Effect.Effect<Option.Option<PipelineSpec>>,
  print: (line: string) => Effect.Effect<void>
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const loaded = yield* load
    if (Option.isNone(loaded)) {
      return yield* print("[wpc] reload refused: the project has problems (above); the running pipeline goes on unchanged")
    }
    yield* engine.reload(loaded.value).pipe(
      Effect.matchEffect({
        onSuccess: (outcome) => Effect.forEach(ReloadPlan.lines(outcome), print, { discard: true }),
        onFailure: (e) => print(`[wpc] reload failed: ${e.message}; the running pipeline goes on unchanged`)
      })
    )
  })

/**
 * Answers SIGHUP for the Scope: each one prints that it reloads and runs `reloadOnce`, one reload at a
 * time, in the caller's runtime: the sources and sinks a reload starts log where the run logs, with
 * its logger and context (not the default runtime's, which logs to stdout).
 */
export const install = (
  engine: Engine.Engine,
  load: Effect.Effect<Option.Option<PipelineSpec>>,
  print: (line: string) => Effect.Effect<void>
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const one = yield* Effect.makeSemaphore(1)
    const reload = one.withPermits(1)(Effect.zipRight(print(`[wpc] ${signal}: reloading the project`), reloadOnce(engine, load, print)))
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        const handler = () => void Runtime.runFork(runtime)(reload)
        process.on(signal, handler)
        return handler
      }),
      (handler) => Effect.sync(() => void process.off(signal, handler))
    )
  })
