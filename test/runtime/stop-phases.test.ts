/**
 * The stop phases on their own: their order, their deadlines (on the TestClock), and what a phase past its
 * deadline abandons.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Option, Scope, TestClock } from "effect"
import type * as AckPolicy from "../../src/runtime/ack-policy.js"
import * as SinkQueue from "../../src/runtime/sink-queue.js"
import * as StopPhases from "../../src/runtime/stop-phases.js"

const deadlines = { stopSources: Duration.seconds(1), drain: Duration.seconds(2), acks: Duration.seconds(3), close: Duration.seconds(4) }

describe("StopPhases", () => {
  it.effect("a phase past its deadline runs its abandon and says it timed out; one within it does not", () =>
    Effect.gen(function*() {
      let abandoned = 0
      const slow = yield* Effect.fork(StopPhases.phase("drain", "1 second", Effect.never, Effect.sync(() => void abandoned++)))
      yield* TestClock.adjust(Duration.millis(999))
      expect(Option.isNone(yield* Fiber.poll(slow))).toBe(true)
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* Fiber.join(slow)).toEqual({ phase: "drain", millis: 1000, timedOut: true })
      expect(abandoned).toBe(1)
      const quick = yield* StopPhases.phase("acks", "1 second", Effect.void, Effect.sync(() => void abandoned++))
      expect(quick).toEqual({ phase: "acks", millis: 0, timedOut: false })
      expect(abandoned).toBe(1)
    }))

  it.effect("runs stopSources, then ends the queues and drains the workers, then waits for the acks, in order", () =>
    Effect.gen(function*() {
      const order: Array<string> = []
      const sourcesEnd = yield* Deferred.make<void>()
      const sources = yield* Effect.fork(Effect.zipRight(Deferred.await(sourcesEnd), Effect.sync(() => void order.push("sources ended"))))
      const queue = yield* SinkQueue.make({ events: 10, bytes: 100 })
      // the worker ends once its queue is ended and empty
      const workers = yield* Effect.fork(Effect.zipRight(queue.take, Effect.sync(() => void order.push("worker drained"))))
      const acksDone = yield* Deferred.make<void>()
      const ack: AckPolicy.AckPolicy = {
        register: () => () => undefined,
        drained: Effect.zipRight(Deferred.await(acksDone), Effect.sync(() => void order.push("acked"))),
        settled: Effect.void,
        pending: () => 1
      }
      const phases = yield* Effect.fork(StopPhases.run({ sources, queues: [queue], workers, acks: [ack] }, deadlines))
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
      expect(queue.isEnded()).toBe(false) // the queues end only after the sources
      yield* Deferred.succeed(sourcesEnd, undefined)
      for (let i = 0; i < 100 && !queue.isEnded(); i++) yield* Effect.yieldNow()
      expect(queue.isEnded()).toBe(true)
      yield* Deferred.succeed(acksDone, undefined)
      const reports = yield* Fiber.join(phases)
      expect(order).toEqual(["sources ended", "worker drained", "acked"])
      expect(reports.map((r) => [r.phase, r.timedOut])).toEqual([["stopSources", false], ["drain", false], ["acks", false]])
    }))

  it.effect("sources and workers past their deadlines are interrupted; acks past theirs are left", () =>
    Effect.gen(function*() {
      const sources = yield* Effect.fork(Effect.never)
      const workers = yield* Effect.fork(Effect.never)
      const ack: AckPolicy.AckPolicy = { register: () => () => undefined, drained: Effect.never, settled: Effect.never, pending: () => 1 }
      const phases = yield* Effect.fork(StopPhases.run({ sources, queues: [], workers, acks: [ack] }, deadlines))
      yield* TestClock.adjust(Duration.seconds(6))
      const reports = yield* Fiber.join(phases)
      expect(reports.map((r) => [r.phase, r.millis, r.timedOut])).toEqual([
        ["stopSources", 1000, true],
        ["drain", 2000, true],
        ["acks", 3000, true]
      ])
      expect(Exit.isInterrupted(yield* Fiber.await(sources))).toBe(true)
      expect(Exit.isInterrupted(yield* Fiber.await(workers))).toBe(true)
    }))

  it.effect("close closes the engine's Scope within its deadline", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      let closed = false
      yield* Scope.addFinalizer(scope, Effect.sync(() => void (closed = true)))
      const report = yield* StopPhases.close(scope, "1 second")
      expect(closed).toBe(true)
      expect(report).toEqual({ phase: "close", millis: 0, timedOut: false })
      const stuck = yield* Scope.make()
      yield* Scope.addFinalizer(stuck, Effect.never)
      const waiting = yield* Effect.fork(StopPhases.close(stuck, "1 second"))
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* Fiber.join(waiting)).toEqual({ phase: "close", millis: 1000, timedOut: true })
    }))
})
