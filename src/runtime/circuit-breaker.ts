/**
 * `CircuitBreaker`: spaces out the attempts against a failing sink. After `threshold` consecutive
 * failures it opens for a cool-down that doubles with every further failure (with jitter, capped),
 * so a dead server sees one probe per cool-down instead of a reconnect storm.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Random } from "effect"

/** How a breaker backs off. */
export interface BreakerPolicy {
  /** Consecutive failures before the breaker opens (the first retries wait `baseDelay`). */
  readonly threshold: number
  /** The first wait. */
  readonly baseDelay: Duration.DurationInput
  /** The longest wait. */
  readonly maxDelay: Duration.DurationInput
}

/** The state of one breaker. */
export interface CircuitBreaker {
  /** Waits while the breaker is open. */
  readonly awaitClosed: Effect.Effect<void>
  /** Records a failure and returns how long the next attempt must wait (ms). */
  readonly failure: Effect.Effect<number>
  /** Records a success: the breaker closes. */
  readonly success: Effect.Effect<void>
  /** Consecutive failures so far. */
  readonly failures: () => number
  /** `true` while attempts must wait. */
  readonly isOpen: Effect.Effect<boolean>
}

/** A closed breaker with `policy`. */
export const make = (policy: BreakerPolicy): CircuitBreaker => {
  const base = Duration.toMillis(policy.baseDelay)
  const max = Duration.toMillis(policy.maxDelay)
  const threshold = Math.max(1, policy.threshold)
  let failures = 0
  let openUntil = 0
  return {
    awaitClosed: Effect.suspend(() =>
      openUntil === 0
        ? Effect.void
        : Effect.flatMap(Clock.currentTimeMillis, (now) =>
          now < openUntil ? Effect.sleep(Duration.millis(openUntil - now)) : Effect.void)
    ),
    failure: Effect.gen(function*() {
      failures += 1
      const exponent = Math.max(0, failures - threshold)
      const ceiling = failures < threshold ? base : Math.min(max, base * 2 ** Math.min(exponent, 30))
      // "equal jitter": half fixed, half random, so waits never collapse to zero
      const delay = Math.round(ceiling / 2 + (yield* Random.next) * (ceiling / 2))
      openUntil = (yield* Clock.currentTimeMillis) + delay
      return delay
    }),
    success: Effect.suspend(() => {
      if (failures === 0) return Effect.void
      failures = 0
      openUntil = 0
      return Effect.void
    }),
    failures: () => failures,
    isOpen: Effect.map(Clock.currentTimeMillis, (now) => now < openUntil)
  }
}
