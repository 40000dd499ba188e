/**
 * `RateLimiter`: holds a sink to `rps` events per second (a sink's `rate_limit_rps`), allowing a
 * burst of one second's worth; 0 means unlimited.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect } from "effect"

/** Waits until `events` more events may be written. */
export interface RateLimiter {
  readonly take: (events: number) => Effect.Effect<void>
}

/** No limit. */
export const unlimited: RateLimiter = { take: () => Effect.void }

/** A limiter of `rps` events per second; `rps <= 0` is unlimited. */
export const make = (rps: number): RateLimiter => {
  if (!(rps > 0)) return unlimited
  const burstMs = 1000
  let nextFree = 0
  return {
    take: (events) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        nextFree = Math.max(nextFree, now - burstMs) + (events * 1000) / rps
        const wait = nextFree - now
        return wait > 0 ? Effect.sleep(Duration.millis(wait)) : Effect.void
      })
  }
}
