/**
 * `Alarm`: calls back at a deadline without forking a fiber per wait. One long-lived fiber
 * (`run`) sleeps on the Clock (so `TestClock` drives it too) until the deadline set last; `set`
 * arms it and returns the function that disarms it. Made for non-decreasing deadlines (a sink
 * worker's batch waits): a deadline set earlier than the one being slept towards fires late.
 *
 * @since 0.1.0
 */
import { type Clock, Duration, Effect } from "effect"

/** A re-armable one-shot alarm. */
export interface Alarm {
  /** Sleeps until each armed deadline and fires it; fork it for as long as the alarm is used. */
  readonly run: Effect.Effect<never>
  /** Arms the alarm: `fire` runs once at `deadline` (Clock ms) unless disarmed first; returns the disarm function. */
  readonly set: (deadline: number, fire: () => void) => () => void
}

/** A disarmed alarm on `clock`. */
export const make = (clock: Clock.Clock): Alarm => {
  let armed: { readonly at: number; readonly fire: () => void } | undefined
  let kick: (() => void) | undefined

  const whenArmed: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (armed !== undefined) return resume(Effect.void)
    kick = () => {
      kick = undefined
      resume(Effect.void)
    }
    return Effect.sync(() => {
      kick = undefined
    })
  })

  const ring: Effect.Effect<void> = Effect.suspend(() => {
    const alarm = armed
    if (alarm === undefined) return Effect.void
    const wait = alarm.at - clock.unsafeCurrentTimeMillis()
    if (wait > 0) return Effect.zipRight(clock.sleep(Duration.millis(wait)), ring)
    armed = undefined
    alarm.fire()
    return Effect.void
  })

  return {
    run: Effect.forever(Effect.zipRight(whenArmed, ring)),
    set: (deadline, fire) => {
      const alarm = { at: deadline, fire }
      armed = alarm
      kick?.()
      return () => {
        if (armed === alarm) armed = undefined
      }
    }
  }
}
