/**
 * `readRateLimitRps` (WarpParse's `[performance] rate_limit_rps`): all sources together read at most that
 * many events per second, with a burst of one second's worth. Timed with the TestClock.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, TestClock } from "effect"
import * as Engine from "../../src/runtime/engine.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, snk, src } from "./fixtures.js"

afterAll(removeScratch)

describe("read rate limit", () => {
  it.scoped("holds the pulls of all sources to the rate, then lets the run complete", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-rate-"), [src("a", { count: 20, batch: 10 }), src("b", { count: 20, batch: 10 })], [
      { name: "g", sinks: [snk("g", "all")] }
    ])
    return Effect.gen(function*() {
      // a clock past its epoch, as a real one is: the limiter's one-second burst is then available at start
      yield* TestClock.adjust(Duration.seconds(10))
      const engine = yield* Engine.make(spec, { batchWait: Duration.zero, readRateLimitRps: 10 })
      const run = yield* Effect.fork(engine.run)
      const settle = Effect.forEach(Array.from({ length: 50 }), () => Effect.yieldNow(), { discard: true })
      const routed = Effect.zipRight(settle, Effect.map(engine.progress, (p) => p.eventsIn))
      // the first second's worth (one batch of 10) passes at once; each next batch waits for its second
      expect(yield* routed).toBe(10)
      yield* TestClock.adjust(Duration.millis(999))
      expect(yield* routed).toBe(10)
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* routed).toBe(20)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* routed).toBe(30)
      yield* TestClock.adjust(Duration.seconds(1))
      const report = yield* Fiber.join(run)
      expect(report).toMatchObject({ status: "completed", eventsIn: 40, acked: 40 })
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})
