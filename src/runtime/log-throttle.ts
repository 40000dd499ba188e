/**
 * `LogThrottle`: at most one log line per interval for something a client can repeat at will (a
 * refused connection, an idle one closed), so it cannot flood the log. The first occurrence is logged
 * at once; the next ones in the same interval are counted, and logged as one line with their count when
 * the interval ends (or when the throttle's Scope closes): nothing goes unreported.
 *
 * @since 0.1.0
 */
import { type Duration, Effect, FiberSet, type Scope } from "effect"

/** Logs occurrences of one kind, at most one line per interval. */
export interface LogThrottle {
  /** Records one occurrence, described by `detail`: logged now if the interval has none yet, else counted. */
  readonly note: (detail: string) => void
}

/** How a `LogThrottle` words and writes its lines. */
export interface Options {
  /** The shortest time between two lines. */
  readonly interval: Duration.Duration
  /** The line of an occurrence logged as it happens. */
  readonly line: (detail: string) => string
  /** The line of `count` occurrences that were only counted, `last` describing the last of them. */
  readonly summary: (count: number, last: string) => string
  /** Writes a line (e.g. `Effect.logWarning`). */
  readonly log: (line: string) => Effect.Effect<void>
}

/** A throttle for the current Scope; closing it logs what was counted and not yet reported. */
export const make = (options: Options): Effect.Effect<LogThrottle, never, Scope.Scope> =>
  Effect.gen(function*() {
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    /** An interval is running: occurrences are counted, not logged. */
    let quiet = false
    let count = 0
    let last = ""

    const report: Effect.Effect<void> = Effect.suspend(() => {
      if (count === 0) return Effect.void
      const line = options.summary(count, last)
      count = 0
      return options.log(line)
    })

    // at the end of an interval, what it counted is reported and another interval starts; one that
    // counted nothing ends the quiet, so the next occurrence is logged at once
    const interval: Effect.Effect<void> = Effect.zipRight(
      Effect.sleep(options.interval),
      Effect.suspend(() => {
        if (count === 0) {
          quiet = false
          return Effect.void
        }
        return Effect.zipRight(report, interval)
      })
    )

    // added after the runtime: runs before its fibers are interrupted
    yield* Effect.addFinalizer(() => report)

    return {
      note: (detail) => {
        if (quiet) {
          count++
          last = detail
          return
        }
        quiet = true
        run(Effect.zipRight(options.log(options.line(detail)), interval))
      }
    }
  })
