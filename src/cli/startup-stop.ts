/**
 * `StartupStop`: SIGINT/SIGTERM while `wpc run` starts — loading the project, building its sinks and
 * sources, before the engine runs and the runner answers signals itself. The first one stops the
 * start-up: what was built is closed (its Scopes' finalizers run), nothing was read, written or acked,
 * and the run ends "stopped" (exit 0). A second one exits at once (130), as the runner's does. A
 * signal held while `wpc` loaded its modules (see `EarlySignals`) counts as the first. The guard steps
 * aside the moment the runner installs its own handlers: from then on a signal is the engine's phased
 * Stop.
 *
 * @since 0.1.0
 */
import { Effect, Runtime, type Scope } from "effect"
import type { ResolvedProject } from "../project/project.js"
import type { RunReport } from "../runtime/report.js"
import * as EarlySignals from "./early-signals.js"

/** The signals `wpc run` answers. */
const signals: ReadonlyArray<NodeJS.Signals> = ["SIGINT", "SIGTERM"]

/** What `guard` reports. */
export interface Guard {
  /** The signal that stopped the start-up, if one did. */
  readonly signalled: () => NodeJS.Signals | undefined
}

/**
 * Answers SIGINT/SIGTERM for the Scope, or until some other handler of them is installed (the runner's,
 * once the engine exists): the first one prints why and runs `stop`, a second one exits with 130.
 */
export const guard = (stop: Effect.Effect<void>, print: (line: string) => Effect.Effect<void>): Effect.Effect<Guard, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      // the handler runs in the caller's runtime: its logger (`--log-format json`) and runtime flags
      Effect.map(Effect.runtime<never>(), (runtime) => {
        let signalled: NodeJS.Signals | undefined
        let asideFrom = false
        const onSignal = (signal: NodeJS.Signals) => {
          if (asideFrom) return
          if (signalled !== undefined) {
            process.stderr.write(`[wpc] second ${signal}: exiting now\n`)
            process.exit(130)
          }
          signalled = signal
          Runtime.runFork(runtime)(Effect.zipRight(print(`[wpc] ${signal} while starting: stopping (send it again to force)`), stop))
        }
        const stepAside = () => {
          asideFrom = true
          for (const s of signals) process.off(s, onSignal)
          process.off("newListener", onNewListener)
        }
        // Node tells of a listener before adding it: the runner's handlers take over from the next signal
        // on. The guard's own go only after the new one is added: removing the last listener of a signal
        // now would stop Node listening for it, and adding the new one would not start it again.
        const onNewListener = (event: string | symbol, listener: unknown) => {
          if (listener === onSignal || !signals.some((s) => s === event)) return
          asideFrom = true
          process.nextTick(stepAside)
        }
        for (const s of signals) process.on(s, onSignal)
        process.on("newListener", onNewListener)
        // one that arrived while wpc was still loading its modules counts as the first
        const early = EarlySignals.take()
        if (early !== undefined) onSignal(early)
        return { stepAside, guard: { signalled: () => signalled } }
      }),
      ({ stepAside }) => Effect.sync(stepAside)
    ),
    ({ guard }) => guard
  )

/** The report of a run stopped while it started: status "stopped", every source and sink of `project` (when loaded) at zero. */
export const stoppedReport = (project: ResolvedProject | undefined, millis: number): RunReport => ({
  status: "stopped",
  millis,
  eventsIn: 0,
  bytesIn: 0,
  eventsCompleted: 0,
  unrouted: 0,
  acked: 0,
  unacked: 0,
  sources: (project?.sources ?? []).filter((s) => s.enabled).map((s) => ({
    name: s.spec.name,
    events: 0,
    bytes: 0,
    acked: 0,
    restarts: 0,
    error: undefined
  })),
  sinks: (project?.sinkGroups ?? []).flatMap((g) =>
    g.sinks.map((s) => ({ group: g.name, name: s.spec.name, events: 0, bytes: 0, rescued: 0, retries: 0, errors: 0 }))
  ),
  processors: (project?.sources ?? []).filter((s) => s.enabled).flatMap((s) =>
    s.processors.map((p) => ({ source: s.spec.name, name: p.name, in: 0, out: 0, dropped: 0, failed: 0, rescued: 0, seconds: 0 }))
  ),
  phases: [],
  errors: []
})
