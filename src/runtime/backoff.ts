/**
 * `Backoff`: the engine's waits and retries as `Schedule`s built from `EngineOptions`. Every wait is
 * jittered ("equal jitter": between half and all of the nominal delay, never above the cap), so processes
 * that share a consumer group or a sink do not retry or rebuild in lockstep.
 *
 * @since 0.1.0
 */
import { Duration, Schedule } from "effect"
import type { EngineOptions } from "./engine-options.js"

/** Scales each delay of `self` by a random factor in [0.5, 1]: waits never collapse to zero nor pass the cap. */
const equalJitter = <Out, In, R>(self: Schedule.Schedule<Out, In, R>): Schedule.Schedule<Out, In, R> =>
  Schedule.jitteredWith(self, { min: 0.5, max: 1 })

/** `base` doubling at each recurrence, capped at `max`; its output is the delay. */
const doubling = (base: Duration.DurationInput, max: Duration.DurationInput): Schedule.Schedule<Duration.Duration> =>
  Schedule.exponential(base, 2).pipe(Schedule.union(Schedule.spaced(max)), Schedule.map(([delay]) => delay))

/**
 * A sink's cool-down after each failed write: `retryBaseDelay` for the first `breakerThreshold - 1`
 * failures in a row, then doubling from `retryBaseDelay` up to `retryMaxDelay`, jittered; it never
 * ends. Its output is the delay waited. A `CircuitBreaker` steps it across batches and starts it over
 * after a success.
 */
export const sinkCooldown = (
  options: Pick<EngineOptions, "retryBaseDelay" | "retryMaxDelay" | "breakerThreshold">
): Schedule.Schedule<Duration.Duration> => {
  const below = Schedule.spaced(options.retryBaseDelay).pipe(
    Schedule.intersect(Schedule.recurs(Math.max(0, options.breakerThreshold - 1))),
    Schedule.as(Duration.decode(options.retryBaseDelay))
  )
  return Schedule.delays(equalJitter(Schedule.andThen(below, doubling(options.retryBaseDelay, options.retryMaxDelay))))
}

/**
 * The retries of one failed write: `maxRetries` of them (the waits between them are the breaker's
 * cool-down, which outlives the write). Use it with `Effect.retry` and a `while` that keeps only
 * retryable failures.
 */
export const writeRetries = (options: Pick<EngineOptions, "maxRetries">): Schedule.Schedule<number> =>
  Schedule.recurs(Math.max(0, options.maxRetries))

/**
 * The waits before a failed source is rebuilt: `sourceRestartDelay` doubling up to `retryMaxDelay`,
 * jittered; it never ends (a source that fails with retryable errors is rebuilt until a Stop).
 * Its output is the delay waited.
 */
export const sourceRebuild = (
  options: Pick<EngineOptions, "sourceRestartDelay" | "retryMaxDelay">
): Schedule.Schedule<Duration.Duration> =>
  Schedule.delays(equalJitter(doubling(options.sourceRestartDelay, options.retryMaxDelay)))
