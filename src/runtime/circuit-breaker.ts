/**
 * `CircuitBreaker`: spaces out the attempts against a failing sink. Each failure waits the next delay
 * of its cool-down `Schedule` (the engine's is `Backoff.sinkCooldown`: the base delay, then doubling
 * past a threshold, capped, jittered); a success starts the schedule over. Its state outlives a batch:
 * the failures of one batch lengthen the cool-down of the next, so a dead server sees one probe per
 * cool-down instead of a reconnect storm.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option, Schedule } from "effect"

/** The state of one breaker. */
export interface CircuitBreaker {
  /** Records a failure and waits the cool-down it earned; returns that wait (ms; 0 once the schedule ended). */
  readonly failure: Effect.Effect<number>
  /** Records a success: the next failure waits the schedule's first delay again. */
  readonly success: Effect.Effect<void>
  /** Consecutive failures so far. */
  readonly failures: () => number
}

/** A closed breaker whose cool-downs are the delays `cooldown` outputs. */
export const make = (cooldown: Schedule.Schedule<Duration.Duration>): Effect.Effect<CircuitBreaker> =>
  Effect.map(Schedule.driver(cooldown), (driver) => {
    let failures = 0
    return {
      failure: Effect.suspend(() => {
        failures += 1
        return Effect.map(Effect.option(driver.next(undefined)), Option.match({ onNone: () => 0, onSome: Duration.toMillis }))
      }),
      success: Effect.suspend(() => {
        if (failures === 0) return Effect.void
        failures = 0
        return driver.reset
      }),
      failures: () => failures
    }
  })
