import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import * as Alarm from "../../src/runtime/alarm.js"
import * as Backoff from "../../src/runtime/backoff.js"
import * as CircuitBreaker from "../../src/runtime/circuit-breaker.js"
import * as RateLimiter from "../../src/runtime/rate-limiter.js"
import * as SinkQueue from "../../src/runtime/sink-queue.js"
import * as AckWatermark from "../../src/runtime/watermark.js"

describe("AckWatermark", () => {
  it("releases tokens only in batch order: C before B releases nothing past A", () => {
    const w = AckWatermark.make()
    const a = w.register(["a1", "a2"], 2)
    const b = w.register(["b1"], 1)
    const c = w.register(["c1", "c2"], 2)
    expect(w.complete(a)).toEqual(["a1", "a2"])
    expect(w.complete(c)).toEqual([])
    expect(w.pendingEvents()).toBe(3)
    expect(w.complete(b)).toEqual(["b1", "c1", "c2"])
    expect(w.pendingEvents()).toBe(0)
    expect(w.releasedEvents()).toBe(5)
  })

  it("never skips a batch that does not complete, and ignores a second completion", () => {
    const w = AckWatermark.make()
    const a = w.register([1], 1)
    const b = w.register([2], 1)
    expect(w.complete(b)).toEqual([])
    expect(w.complete(b)).toEqual([])
    expect(w.releasedEvents()).toBe(0)
    expect(w.complete(a)).toEqual([1, 2])
    expect(w.complete(a)).toEqual([])
  })
})

describe("CircuitBreaker", () => {
  it.effect("each failure waits its cool-down: base below the threshold, then doubling, capped, jittered in [half, full]", () =>
    Effect.gen(function*() {
      const b = yield* CircuitBreaker.make(Backoff.sinkCooldown({ breakerThreshold: 2, retryBaseDelay: Duration.millis(100), retryMaxDelay: Duration.millis(1000) }))
      const ceilings = [100, 100, 200, 400, 800, 1000, 1000]
      for (const ceiling of ceilings) {
        const failure = yield* Effect.fork(b.failure)
        yield* TestClock.adjust(Duration.millis(ceiling / 2 - 1))
        expect(Option.isNone(yield* Fiber.poll(failure))).toBe(true) // never less than half
        yield* TestClock.adjust(Duration.millis(ceiling / 2 + 1))
        const waited = yield* Fiber.join(failure) // never more than the ceiling
        expect(waited).toBeGreaterThanOrEqual(ceiling / 2)
        expect(waited).toBeLessThanOrEqual(ceiling)
      }
      expect(b.failures()).toBe(7)
      // a success starts the cool-down over
      yield* b.success
      expect(b.failures()).toBe(0)
      const again = yield* Effect.fork(b.failure)
      yield* TestClock.adjust(Duration.millis(100))
      expect(yield* Fiber.join(again)).toBeLessThanOrEqual(100)
    }))
})

describe("RateLimiter", () => {
  it.effect("allows one second of burst, then spaces takes at rps", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(Duration.seconds(10))
      const l = RateLimiter.make(1000)
      yield* l.take(1000) // the burst
      const f = yield* Effect.fork(Effect.zipRight(l.take(500), l.take(1)))
      yield* TestClock.adjust(Duration.millis(499))
      expect(Option.isNone(yield* Fiber.poll(f))).toBe(true)
      yield* TestClock.adjust(Duration.millis(2))
      yield* Fiber.join(f)
      expect(RateLimiter.make(0)).toBe(RateLimiter.unlimited)
    }))
})

describe("SinkQueue", () => {
  const item = (n: number, bytes: number, done: Array<number>, id: number): SinkQueue.SinkItem => ({
    events: Array.from({ length: n }, () => ({}) as never),
    bytes,
    done: () => void done.push(id),
    offeredAt: 0
  })

  it.effect("blocks offers beyond its event bound until written items are released", () =>
    Effect.gen(function*() {
      const q = yield* SinkQueue.make({ events: 10, bytes: 1_000_000 })
      const done: Array<number> = []
      yield* q.offer(item(6, 10, done, 1))
      const blocked = yield* Effect.fork(q.offer(item(6, 10, done, 2)))
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(blocked))).toBe(true)
      expect(q.depth()).toEqual({ events: 6, bytes: 10 })
      const first = Option.getOrThrow(yield* q.take)
      // taken but not written: still counted, still blocking
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(blocked))).toBe(true)
      yield* q.release(first)
      yield* Fiber.join(blocked)
      expect(q.depth()).toEqual({ events: 6, bytes: 10 })
    }))

  it.effect("bounds bytes too, lets an oversized item pass alone, and ends after the items before the end", () =>
    Effect.gen(function*() {
      const q = yield* SinkQueue.make({ events: 1000, bytes: 100 })
      const done: Array<number> = []
      yield* q.offer(item(1, 500, done, 1)) // larger than the bound: passes alone
      const blocked = yield* Effect.fork(q.offer(item(1, 1, done, 2)))
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(blocked))).toBe(true)
      const a = Option.getOrThrow(yield* q.take)
      yield* q.release(a)
      yield* Fiber.join(blocked)
      yield* q.end
      expect(Option.isSome(yield* q.poll)).toBe(true)
      expect(Option.isNone(yield* q.take)).toBe(true)
      expect(Option.isNone(yield* q.take)).toBe(true)
    }))

  it.effect("offers synchronously while there is room, says when the consumer waits, and notifies it once", () =>
    Effect.gen(function*() {
      const q = yield* SinkQueue.make({ events: 10, bytes: 1_000_000 })
      const done: Array<number> = []
      expect(q.consumerWaiting()).toBe(false)
      let woken = 0
      const cancel = q.unsafeNotify(() => woken++)
      expect(q.consumerWaiting()).toBe(true)
      expect(q.unsafeOffer(item(6, 10, done, 1))).toBe(true)
      expect(woken).toBe(1)
      expect(q.consumerWaiting()).toBe(false)
      expect(q.unsafeOffer(item(1, 1, done, 2))).toBe(true)
      expect(woken).toBe(1) // once only
      cancel()
      // no room: refused, nothing enqueued; an offer that waits is served first
      expect(q.unsafeOffer(item(6, 10, done, 3))).toBe(false)
      expect(q.depth()).toEqual({ events: 7, bytes: 11 })
      const blocked = yield* Effect.fork(q.offer(item(6, 10, done, 4)))
      yield* Effect.yieldNow()
      const first = q.unsafePoll()!
      q.unsafeRelease(first)
      yield* Fiber.join(blocked)
      expect(q.unsafeOffer(item(4, 1, done, 5))).toBe(false) // 1 + 6 events held: 4 more do not fit in 10
      // a cancelled notification is not called; `end` calls a waiting one
      const stop = q.unsafeNotify(() => woken++)
      stop()
      yield* q.end
      expect(woken).toBe(1)
      q.unsafeNotify(() => woken++)
      yield* q.end
      expect(woken).toBe(2)
      expect(q.isEnded()).toBe(true)
    }))
})

describe("Alarm", () => {
  it.effect("fires at its deadline on the Clock, once; a disarmed alarm does not fire; it can be re-armed later", () =>
    Effect.gen(function*() {
      const clock = yield* Effect.clock
      const alarm = Alarm.make(clock)
      const fiber = yield* Effect.fork(alarm.run)
      const fired: Array<string> = []
      alarm.set(10, () => fired.push("a"))
      yield* TestClock.adjust("9 millis")
      expect(fired).toEqual([])
      yield* TestClock.adjust("1 millis")
      expect(fired).toEqual(["a"])
      yield* TestClock.adjust("100 millis")
      expect(fired).toEqual(["a"])
      const disarm = alarm.set(120, () => fired.push("b"))
      disarm()
      yield* TestClock.adjust("20 millis")
      expect(fired).toEqual(["a"])
      alarm.set(140, () => fired.push("c"))
      alarm.set(150, () => fired.push("d")) // replaces c
      yield* TestClock.adjust("20 millis")
      expect(fired).toEqual(["a", "d"])
      yield* Fiber.interrupt(fiber)
    }))
})
