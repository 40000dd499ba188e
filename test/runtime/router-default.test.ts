/**
 * Events no sink selects: each one is counted as unrouted (also in a batch some of whose events a sink
 * took), and with a `default` route (WarpParse's infra group) they go there instead of being acked unseen.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SourceEvent, Tags } from "../../src/index.js"
import * as Filter from "../../src/runtime/filter.js"
import * as Router from "../../src/runtime/router.js"
import * as SinkQueue from "../../src/runtime/sink-queue.js"

const ev = (i: number, env: string) => SourceEvent.make({ eventId: i, srcKey: "s", payload: `e${i}`, tags: Tags.make({ env }) })
const prodOnly = Effect.runSync(Filter.parse("env == \"prod\"", "filter"))

describe("Router: events no sink selects", () => {
  it.effect("each one is counted, also in a batch a sink took some of", () =>
    Effect.gen(function*() {
      const prod = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      let unrouted = 0
      let completed = 0
      const router = Router.make([{ filter: prodOnly, queues: [prod] }], "s", yield* Effect.clock, (n) => void (unrouted += n))
      yield* router.offer([ev(0, "prod"), ev(1, "dev"), ev(2, "dev")], 6, () => void completed++)
      expect(unrouted).toBe(2)
      const taken = Option.getOrThrow(yield* prod.poll)
      expect(taken.events.map((e) => e.eventId)).toEqual([0])
      taken.done()
      expect(completed).toBe(1)
    }))

  it.effect("with a default route they go there (counted too); the batch completes once both wrote", () =>
    Effect.gen(function*() {
      const prod = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const fallback = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      let unrouted = 0
      let completed = 0
      const router = Router.make(
        [{ filter: prodOnly, queues: [prod] }],
        "s",
        yield* Effect.clock,
        (n) => void (unrouted += n),
        [{ filter: Filter.always, queues: [fallback] }]
      )
      yield* router.offer([ev(0, "prod"), ev(1, "dev"), ev(2, "dev")], 6, () => void completed++)
      const toDefault = Option.getOrThrow(yield* fallback.poll)
      expect(toDefault.events.map((e) => e.eventId)).toEqual([1, 2])
      expect(toDefault.bytes).toBe(4)
      expect(unrouted).toBe(2)
      toDefault.done()
      expect(completed).toBe(0)
      Option.getOrThrow(yield* prod.poll).done()
      expect(completed).toBe(1)
    }))

  it.effect("a batch no business sink selects goes whole to the default route", () =>
    Effect.gen(function*() {
      const prod = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const fallback = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      let completed = 0
      const router = Router.make([{ filter: prodOnly, queues: [prod] }], "s", yield* Effect.clock, () => undefined, [
        { filter: Filter.always, queues: [fallback] }
      ])
      yield* router.offer([ev(0, "dev"), ev(1, "dev")], 4, () => void completed++)
      expect(prod.depth().events).toBe(0)
      const toDefault = Option.getOrThrow(yield* fallback.poll)
      expect(toDefault.events.map((e) => e.eventId)).toEqual([0, 1])
      expect(completed).toBe(0)
      toDefault.done()
      expect(completed).toBe(1)
    }))
})
