/**
 * The ack policy on its own, against recording sources: completions out of order are acked in batch
 * order, cumulative acks take the last token and carry the events of a failed one, and `drained` waits
 * for an ack in flight.
 */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option } from "effect"
import { DataSource, SourceError, SourceEvent } from "../../src/index.js"
import * as AckPolicy from "../../src/runtime/ack-policy.js"
import type { SourceStats } from "../../src/runtime/report.js"

const stats = (): SourceStats => ({ name: "s", events: 0, bytes: 0, acked: 0, restarts: 0, error: undefined })

/** Events `from` .. `from + n - 1`, each carrying its id as ack token. */
const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => SourceEvent.make({ eventId: from + i, srcKey: "s", payload: `e${from + i}`, ackToken: from + i }))

/** Lets the acker fiber run until the policy has nothing pending. */
const settle = (policy: AckPolicy.AckPolicy) => Effect.zipRight(policy.drained, Effect.yieldNow())

describe("AckPolicy", () => {
  it.scoped("acks batches completed out of order strictly in batch order, never past one not completed", () =>
    Effect.gen(function*() {
      const calls: Array<Array<unknown>> = []
      const source = DataSource.make({
        identifier: "rec",
        receive: Effect.succeed([]),
        ack: () => Effect.die("the policy acks with ackBatch"),
        ackBatch: (tokens) => Effect.sync(() => void calls.push([...tokens]))
      })
      const s = stats()
      let completed = 0
      const policy = yield* AckPolicy.make(source, { name: "s", stats: s, onComplete: (n) => void (completed += n) })
      const a = policy.register(batch(0, 3))
      const b = policy.register(batch(3, 2))
      const c = policy.register(batch(5, 3))
      c()
      yield* settle(policy)
      expect(calls).toEqual([]) // C completed, but A and B are not: nothing may be acked
      expect(completed).toBe(3)
      a()
      yield* settle(policy)
      expect(calls).toEqual([[0, 1, 2]])
      b()
      yield* settle(policy)
      expect(calls).toEqual([[0, 1, 2], [3, 4, 5, 6, 7]])
      expect(s.acked).toBe(8)
      expect(completed).toBe(8)
      expect(policy.pending()).toBe(0)
    }))

  it.scoped("a cumulative source gets one ackUpTo with the last token released; a failed one is counted by the next", () =>
    Effect.gen(function*() {
      const upTo: Array<unknown> = []
      let failNext = true
      const source = DataSource.make({
        identifier: "cumulative",
        receive: Effect.succeed([]),
        ack: () => Effect.die("ack is never called for a cumulative source"),
        ackUpTo: (token) =>
          Effect.suspend(() => {
            upTo.push(token)
            if (!failNext) return Effect.void
            failNext = false
            return Effect.fail(SourceError.disconnect("ack lost"))
          })
      })
      const s = stats()
      const policy = yield* AckPolicy.make(source, { name: "s", stats: s, onComplete: () => undefined })
      const a = policy.register(batch(0, 4))
      const b = policy.register(batch(4, 4))
      const c = policy.register(batch(8, 2))
      a()
      yield* settle(policy)
      expect(upTo).toEqual([3])
      expect(s.acked).toBe(0) // it failed: the 4 events are carried
      c()
      b()
      yield* settle(policy)
      expect(upTo).toEqual([3, 9]) // B and C released together: one call with the last token
      expect(s.acked).toBe(10)
    }))

  it.scoped("drained waits for the ack in flight", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const acked: Array<unknown> = []
      const source = DataSource.make({
        identifier: "slow",
        receive: Effect.succeed([]),
        ack: () => Effect.die("the policy acks with ackBatch"),
        ackBatch: (tokens) => Effect.zipRight(Deferred.await(gate), Effect.sync(() => void acked.push(...tokens)))
      })
      const policy = yield* AckPolicy.make(source, { name: "s", stats: stats(), onComplete: () => undefined })
      policy.register(batch(0, 2))()
      const drained = yield* Effect.fork(policy.drained)
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(drained))).toBe(true)
      expect(policy.pending()).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(drained)
      expect(acked).toEqual([0, 1])
    }))

  it.scoped("a source that cannot ack only has its batches counted as completed", () =>
    Effect.gen(function*() {
      const source = DataSource.make({ identifier: "plain", receive: Effect.succeed([]) })
      const s = stats()
      let completed = 0
      const policy = yield* AckPolicy.make(source, { name: "s", stats: s, onComplete: (n) => void (completed += n) })
      policy.register(batch(0, 3))()
      yield* policy.drained
      expect(completed).toBe(3)
      expect(s.acked).toBe(0)
    }))
})
