import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Queue, TestClock } from "effect"
import { QueueReceive, SourceError, SourceEvent } from "../../src/index.js"

const event = (n: number) => SourceEvent.make({ eventId: n, srcKey: "q", payload: `e${n}` })

const setup = (down: () => string | undefined = () => undefined) =>
  Effect.map(Queue.bounded<SourceEvent.SourceEvent>(16), (queue) => ({
    queue,
    receive: QueueReceive.make({ queue, batch: 4, down, fail: (d) => SourceError.disconnect(`upstream ${d}`) })
  }))

describe("QueueReceive", () => {
  it.effect("returns what is queued, at most a batch, in order", () =>
    Effect.gen(function*() {
      const { queue, receive } = yield* setup()
      yield* Queue.offerAll(queue, [1, 2, 3, 4, 5, 6].map(event))
      expect((yield* receive).map((e) => e.eventId)).toEqual([1, 2, 3, 4])
      const rest = yield* Effect.fork(receive)
      yield* TestClock.adjust(Duration.millis(2))
      expect((yield* Fiber.join(rest)).map((e) => e.eventId)).toEqual([5, 6])
    }))

  it.effect("tops a short batch up with what arrives within the linger", () =>
    Effect.gen(function*() {
      const { queue, receive } = yield* setup()
      const fiber = yield* Effect.fork(receive)
      yield* Queue.offer(queue, event(1))
      yield* Queue.offerAll(queue, [2, 3].map(event))
      yield* TestClock.adjust(Duration.millis(2))
      expect((yield* Fiber.join(fiber)).map((e) => e.eventId)).toEqual([1, 2, 3])
    }))

  it.effect("with nothing queued: an empty batch after the wait, or the source's error while the upstream is down", () =>
    Effect.gen(function*() {
      let down: string | undefined = undefined
      const { receive } = yield* setup(() => down)
      const fiber = yield* Effect.fork(receive)
      yield* TestClock.adjust(Duration.millis(200))
      expect(yield* Fiber.join(fiber)).toEqual([])
      down = "disconnected"
      const error = yield* Effect.flip(receive)
      expect(error._tag).toBe("SourceDisconnect")
      expect(error.code).toBe(503)
      expect(error.detail).toContain("upstream disconnected")
    }))

  it.effect("an interrupted wait takes nothing: the event stays queued for the next receive", () =>
    Effect.gen(function*() {
      const { queue, receive } = yield* setup()
      const fiber = yield* Effect.fork(receive)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      yield* Queue.offer(queue, event(7))
      const next = yield* Effect.fork(receive)
      yield* TestClock.adjust(Duration.millis(2))
      expect((yield* Fiber.join(next)).map((e) => e.eventId)).toEqual([7])
    }))
})
