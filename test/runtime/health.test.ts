import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Logger, LogLevel } from "effect"
import * as Engine from "../../src/runtime/engine.js"
import * as Health from "../../src/runtime/health.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, snk, src } from "./fixtures.js"

afterAll(removeScratch)

/** Polls `engine.health` every millisecond until `holds`, for at most 10 s; the health that held. */
const healthWhen = (engine: Engine.Engine, holds: (h: Health.Health) => boolean) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 10_000
    while (true) {
      const h = yield* engine.health
      if (holds(h)) return h
      if (Date.now() > deadline) return yield* Effect.die(new Error(`health never held: ${JSON.stringify(h)}`))
      yield* Effect.sleep("1 millis")
    }
  })

describe("Engine.health", () => {
  it.live("a sink's breaker is open from a failed write until one succeeds; /ready says which", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-health-"), [src("in", { count: 3, batch: 3 })], [
      { name: "g", sinks: [snk("g", "flaky", { fail_first: 2 }, { replicaCnt: 2 }), snk("g", "fine")] }
    ])
    return Effect.scoped(Effect.gen(function*() {
      const engine = yield* Engine.make(spec, { batchWait: Duration.zero, retryBaseDelay: Duration.millis(300) })
      const before = yield* engine.health
      expect(before).toEqual({
        stopping: false,
        sources: [{ name: "in", up: true }],
        sinks: [
          { group: "g", name: "flaky", replicas: 2, breakersOpen: 0, queueCapacity: 2 * 16_384 },
          { group: "g", name: "fine", replicas: 1, breakersOpen: 0, queueCapacity: 16_384 }
        ]
      })
      expect(Health.readiness(before)).toEqual({ ready: true, notReady: [] })
      const run = yield* Effect.fork(engine.run)
      const open = yield* healthWhen(engine, (h) => h.sinks[0]!.breakersOpen > 0)
      expect(open.sinks[0]!.breakersOpen).toBe(1)
      expect(Health.readiness(open)).toEqual({
        ready: false,
        notReady: [{ component: "sink", name: "g/flaky", reason: "circuit breaker open on 1 of 2 replicas" }]
      })
      const closed = yield* healthWhen(engine, (h) => h.sinks[0]!.breakersOpen === 0)
      expect(closed.sinks[0]!.breakersOpen).toBe(0)
      const report = yield* Fiber.join(run)
      expect(report.status).toBe("completed")
      expect(lab.written.get("flaky")).toEqual(["in-0", "in-1", "in-2"])
      expect(lab.attempts.get("flaky")).toBe(3)
    })).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a source that failed for good is down; a Stop makes the run not ready", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-health-"), [src("bad", { count: 10, batch: 2, fatal_at: 2 }), src("good", { count: -1, batch: 1, delay_ms: 5 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    return Effect.scoped(Effect.gen(function*() {
      const engine = yield* Engine.make(spec, { batchWait: Duration.zero })
      const run = yield* Effect.fork(engine.run)
      const down = yield* healthWhen(engine, (h) => !h.sources[0]!.up)
      expect(down.sources).toEqual([{ name: "bad", up: false }, { name: "good", up: true }])
      const readiness = Health.readiness(down)
      expect(readiness.notReady).toContainEqual({ component: "source", name: "bad", reason: "not running (failed, or waiting to be rebuilt)" })
      yield* engine.stop
      const stopping = yield* engine.health
      expect(stopping.stopping).toBe(true)
      expect(Health.readiness(stopping).notReady[0]).toEqual({ component: "run", name: "pipeline", reason: "stopping" })
      expect((yield* Fiber.join(run)).status).toBe("failed")
      // the source's failure is logged as an error: not wanted in the test output
    })).pipe(Effect.provide(labRegistry(lab)), Logger.withMinimumLogLevel(LogLevel.None))
  })
})
