/**
 * `StopPhases`: how a run ends, in phases, each with its deadline. `stopSources`: the sources' fibers
 * end (a Stop ends each after its batch in flight; a source that ended by itself already has); past the
 * deadline they are interrupted. `drain`: every sink queue is ended and the workers write what is left.
 * `acks`: the ack policies ack what completed. `close`: the engine's Scope closes (sinks stopped,
 * sources closed). A phase past its deadline abandons what is left: those events stay unacked, and a
 * restart replays them.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Exit, Fiber, Option, Scope } from "effect"
import type * as AckPolicy from "./ack-policy.js"
import type { StopDeadlines } from "./engine-options.js"
import type { PhaseReport } from "./report.js"
import type * as SinkQueue from "./sink-queue.js"

/** What the first three phases stop. */
export interface StopTargets {
  /** The fibers of the sources (all of them, as one). */
  readonly sources: Fiber.Fiber<unknown>
  /** Every sink replica's queue. */
  readonly queues: ReadonlyArray<SinkQueue.SinkQueue>
  /** The fibers of the sink workers (all of them, as one). */
  readonly workers: Fiber.Fiber<unknown>
  /** The ack policy of every DataSource pulled. */
  readonly acks: ReadonlyArray<AckPolicy.AckPolicy>
}

/** Runs `work` of the phase `name` within `deadline`; past it, `abandon` runs and the phase reports it timed out. */
export const phase = (
  name: PhaseReport["phase"],
  deadline: Duration.DurationInput,
  work: Effect.Effect<void>,
  abandon: Effect.Effect<void>
): Effect.Effect<PhaseReport> =>
  Effect.gen(function*() {
    const t0 = yield* Clock.currentTimeMillis
    const timedOut = Option.isNone(yield* Effect.timeout(work, deadline).pipe(Effect.option))
    if (timedOut) {
      yield* Effect.logWarning(`stop phase ${name} passed its deadline of ${Duration.format(Duration.decode(deadline))}`)
      yield* abandon
    }
    return { phase: name, millis: (yield* Clock.currentTimeMillis) - t0, timedOut }
  })

/** The phases `stopSources`, `drain` and `acks`, in order, each within its deadline of `deadlines`. */
export const run = (targets: StopTargets, deadlines: StopDeadlines): Effect.Effect<ReadonlyArray<PhaseReport>> =>
  Effect.gen(function*() {
    const { acks, queues, sources, workers } = targets
    const stopSources = yield* phase("stopSources", deadlines.stopSources, Effect.asVoid(Fiber.await(sources)), Effect.asVoid(Fiber.interrupt(sources)))
    yield* Effect.forEach(queues, (q) => q.end, { discard: true })
    const drain = yield* phase("drain", deadlines.drain, Effect.asVoid(Fiber.await(workers)), Effect.asVoid(Fiber.interrupt(workers)))
    const acked = yield* phase("acks", deadlines.acks, Effect.forEach(acks, (a) => a.drained, { discard: true }), Effect.void)
    return [stopSources, drain, acked]
  })

/** The `close` phase: closes `scope` within `deadline` (what has not closed by then is left to the process's end). */
export const close = (scope: Scope.CloseableScope, deadline: Duration.DurationInput): Effect.Effect<PhaseReport> =>
  Effect.gen(function*() {
    const t0 = yield* Clock.currentTimeMillis
    const closed = yield* Scope.close(scope, Exit.void).pipe(Effect.timeout(deadline), Effect.option)
    return { phase: "close", millis: (yield* Clock.currentTimeMillis) - t0, timedOut: Option.isNone(closed) }
  })
