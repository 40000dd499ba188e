import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import * as LogThrottle from "../../src/runtime/log-throttle.js"

/** A throttle of 10 s writing into `lines`. */
const throttle = (lines: Array<string>) =>
  LogThrottle.make({
    interval: Duration.seconds(10),
    line: (detail) => `refused ${detail}`,
    summary: (n, last) => `refused ${n} more (last ${last})`,
    log: (line) => Effect.sync(() => void lines.push(line))
  })

/** Lets the throttle's fibers run. */
const settle = Effect.repeatN(Effect.yieldNow(), 10)

describe("LogThrottle", () => {
  it.scoped("logs the first at once, counts the rest of the interval, and reports the count when it ends", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const t = yield* throttle(lines)
      for (let i = 1; i <= 5; i++) t.note(`#${i}`)
      yield* settle
      expect(lines).toEqual(["refused #1"])
      yield* TestClock.adjust(Duration.seconds(9))
      yield* settle
      expect(lines).toEqual(["refused #1"])
      yield* TestClock.adjust(Duration.seconds(1))
      yield* settle
      expect(lines).toEqual(["refused #1", "refused 4 more (last #5)"])
      // still within a busy period: the next ones are counted for the next interval
      t.note("#6")
      yield* TestClock.adjust(Duration.seconds(10))
      yield* settle
      expect(lines).toEqual(["refused #1", "refused 4 more (last #5)", "refused 1 more (last #6)"])
      // an interval with nothing ends the quiet: the next one is logged at once
      yield* TestClock.adjust(Duration.seconds(10))
      yield* settle
      t.note("#7")
      yield* settle
      expect(lines.at(-1)).toBe("refused #7")
      expect(lines).toHaveLength(4)
    }))

  it.effect("closing its Scope reports what was counted and not yet logged", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      yield* Effect.scoped(Effect.gen(function*() {
        const t = yield* throttle(lines)
        for (let i = 1; i <= 50; i++) t.note(`#${i}`)
        yield* settle
      }))
      expect(lines).toEqual(["refused #1", "refused 49 more (last #50)"])
    }))
})
