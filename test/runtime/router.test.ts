/**
 * The router on its own: each sink gets what its filter selects, in one synchronous step while there is room;
 * a full queue makes the offer wait; a batch completes once every sink took its share; a source always uses
 * the same replica of a sink.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { SourceEvent, Tags } from "../../src/index.js"
import * as Filter from "../../src/runtime/filter.js"
import * as Router from "../../src/runtime/router.js"
import * as SinkQueue from "../../src/runtime/sink-queue.js"

const ev = (i: number, env: string) => SourceEvent.make({ eventId: i, srcKey: "s", payload: `e${i}é`, tags: Tags.make({ env }) })

describe("Router", () => {
  it.effect("offers each sink what its filter selects (bytes in UTF-8), completes the batch once all took it", () =>
    Effect.gen(function*() {
      const all = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const prod = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const routes: Array<Router.Route> = [
        { filter: Filter.always, queues: [all] },
        { filter: Effect.runSync(Filter.parse("env == \"prod\"", "filter")), queues: [prod] }
      ]
      let unrouted = 0
      let completed = 0
      const router = Router.make(routes, "s", yield* Effect.clock, (n) => void (unrouted += n))
      yield* router.offer([ev(0, "prod"), ev(1, "dev")], 8, () => void completed++)
      const toAll = Option.getOrThrow(yield* all.poll)
      const toProd = Option.getOrThrow(yield* prod.poll)
      expect(toAll.events.map((e) => e.eventId)).toEqual([0, 1])
      expect(toAll.bytes).toBe(8)
      expect(toProd.events.map((e) => e.eventId)).toEqual([0])
      expect(toProd.bytes).toBe(4) // "e0é": 4 UTF-8 bytes, counted for the sub-batch
      toAll.done()
      expect(completed).toBe(0)
      toProd.done()
      expect(completed).toBe(1)
      expect(unrouted).toBe(0)
    }))

  it.effect("a batch no sink selects is unrouted and complete at once", () =>
    Effect.gen(function*() {
      const prod = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const routes = [{ filter: Effect.runSync(Filter.parse("env == \"prod\"", "filter")), queues: [prod] }]
      let unrouted = 0
      let completed = 0
      const router = Router.make(routes, "s", yield* Effect.clock, (n) => void (unrouted += n))
      yield* router.offer([ev(0, "dev"), ev(1, "dev")], 8, () => void completed++)
      expect([unrouted, completed]).toEqual([2, 1])
      expect(prod.depth()).toEqual({ events: 0, bytes: 0 })
    }))

  it.effect("waits for room when a queue is full (backpressure), and always picks the same replica for a source", () =>
    Effect.gen(function*() {
      const replicas = [yield* SinkQueue.make({ events: 2, bytes: 10_000 }), yield* SinkQueue.make({ events: 2, bytes: 10_000 })]
      const router = Router.make([{ filter: Filter.always, queues: replicas }], "web", yield* Effect.clock, () => undefined)
      yield* router.offer([ev(0, "x"), ev(1, "x")], 8, () => undefined)
      const mine = replicas.findIndex((q) => q.depth().events === 2)
      expect(mine).toBeGreaterThanOrEqual(0)
      const waiting = yield* Effect.fork(router.offer([ev(2, "x")], 4, () => undefined))
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(waiting))).toBe(true)
      const first = replicas[mine]!.unsafePoll()!
      replicas[mine]!.unsafeRelease(first)
      yield* Fiber.join(waiting)
      expect(replicas[mine]!.depth().events).toBe(1)
      expect(replicas[1 - mine]!.depth().events).toBe(0)
    }))
})
