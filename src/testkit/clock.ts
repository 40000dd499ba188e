/**
 * Time in the testkit: wall-clock sleeps and bounds that a `TestClock` cannot freeze, and a driver
 * that advances the `TestClock` until a fiber is done.
 *
 * @since 0.1.0
 */
import { Cause, Duration, Effect, Exit, Fiber, Option, TestClock } from "effect"
import { describeCause } from "../errors/describe.js"
import * as ConformanceFailure from "./conformance-failure.js"

/** Sleeps `duration` of wall-clock time (a real timer, not the fiber's `Clock`). */
export const sleep = (duration: Duration.DurationInput): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), Duration.toMillis(duration))
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * `Some` of what `self` yields, or `None` when it takes longer than `duration` of wall-clock time
 * (`self` is then interrupted).
 */
export const timeoutOption = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.DurationInput
): Effect.Effect<Option.Option<A>, E, R> =>
  Effect.raceFirst(Effect.asSome(self), Effect.as(sleep(duration), Option.none<A>()))

/**
 * `self`, or a `ConformanceFailure` of `check` saying "`what` did not finish within `duration`" when
 * it takes longer (wall-clock). A late `self` is interrupted in the background, so a step that also
 * refuses interruption cannot hang the check.
 */
export const within = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.DurationInput,
  check: string,
  what: string
): Effect.Effect<A, E | ConformanceFailure.ConformanceFailure, R> =>
  Effect.raceFirst(
    Effect.disconnect(self),
    Effect.zipRight(
      sleep(duration),
      Effect.fail(ConformanceFailure.make(check, `${what} did not finish within ${Duration.format(duration)}`))
    )
  )

/**
 * `within`, and a failure (or defect) of `self` becomes a `ConformanceFailure` of `check` saying
 * "`what` failed: <its message>".
 */
export const step = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.DurationInput,
  check: string,
  what: string
): Effect.Effect<A, ConformanceFailure.ConformanceFailure, R> =>
  Effect.flatMap(within(Effect.exit(self), duration, check, what), (exit) =>
    Exit.isSuccess(exit)
      ? Effect.succeed(exit.value)
      : Effect.fail(ConformanceFailure.make(check, `${what} failed: ${describeCause(Cause.squash(exit.cause))}`)))

/**
 * Advances the `TestClock` by `step` (then lets real I/O run for a millisecond) until `fiber` is
 * done, and returns its result; after `limit` of test time it fails with a `ConformanceFailure` of
 * `check` saying "`what` did not finish". Needs a `TestClock` (`it.effect`, or `TestContext`).
 */
export const drive = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  options: {
    readonly check: string
    readonly what: string
    readonly step?: Duration.DurationInput | undefined
    readonly limit?: Duration.DurationInput | undefined
  }
): Effect.Effect<A, E | ConformanceFailure.ConformanceFailure> =>
  Effect.gen(function*() {
    const step = Duration.decode(options.step ?? Duration.millis(50))
    const limit = Duration.decode(options.limit ?? Duration.seconds(60))
    let elapsed = Duration.zero
    while (Option.isNone(yield* Fiber.poll(fiber))) {
      if (Duration.greaterThanOrEqualTo(elapsed, limit)) {
        yield* Fiber.interruptFork(fiber)
        return yield* ConformanceFailure.make(options.check, `${options.what} did not finish after ${Duration.format(limit)} of test time`)
      }
      yield* TestClock.adjust(step)
      elapsed = Duration.sum(elapsed, step)
      yield* sleep(Duration.millis(1))
    }
    return yield* Fiber.join(fiber)
  })

/** How long the checks wait (all wall-clock). */
export interface Bounds {
  /** No batch for this long means the source has nothing more (default 200 ms). */
  readonly idle?: Duration.DurationInput | undefined
  /** Stop, stop-related waits and closing must finish within this (default 2 s). */
  readonly stopWithin?: Duration.DurationInput | undefined
  /** Expected events, writes and builds must arrive or finish within this (default 10 s). */
  readonly timeout?: Duration.DurationInput | undefined
}

/** `Bounds` with every default filled in. */
export interface ResolvedBounds {
  readonly idle: Duration.Duration
  readonly stopWithin: Duration.Duration
  readonly timeout: Duration.Duration
}

/** Fills in the defaults of `bounds`: idle 200 ms, stopWithin 2 s, timeout 10 s. */
export const resolveBounds = (bounds: Bounds): ResolvedBounds => ({
  idle: Duration.decode(bounds.idle ?? Duration.millis(200)),
  stopWithin: Duration.decode(bounds.stopWithin ?? Duration.seconds(2)),
  timeout: Duration.decode(bounds.timeout ?? Duration.seconds(10))
})
