/**
 * The sink worker on its own, against a scripted sink and a recording rescue: its gather, retry, breaker and
 * rescue decisions, without a pipeline. Time is the TestClock's.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import { AsyncSink, SinkError, SourceEvent, UnifiedReason } from "../../src/index.js"
import type { SinkError as SinkErrorType } from "../../src/index.js"
import * as Backoff from "../../src/runtime/backoff.js"
import * as CircuitBreaker from "../../src/runtime/circuit-breaker.js"
import * as RateLimiter from "../../src/runtime/rate-limiter.js"
import type { SinkStats } from "../../src/runtime/report.js"
import type * as Rescue from "../../src/runtime/rescue.js"
import * as SinkQueue from "../../src/runtime/sink-queue.js"
import * as SinkWorker from "../../src/runtime/sink-worker.js"

/** What the scripted sink does on each write, in order: succeed, fail with an error, or die. After the script: succeed. */
type Step = "ok" | SinkErrorType | { readonly die: string }

/** A sink that plays `steps`, recording each write (its payloads) and each reconnect. */
const scriptedSink = (steps: ReadonlyArray<Step>) => {
  const writes: Array<ReadonlyArray<string>> = []
  let reconnects = 0
  const write = (payloads: ReadonlyArray<string>) =>
    Effect.suspend((): Effect.Effect<void, SinkErrorType> => {
      const step = steps[writes.length] ?? "ok"
      writes.push(payloads)
      if (step === "ok") return Effect.void
      if ("die" in step) return Effect.dieMessage(step.die)
      return Effect.fail(step)
    })
  const sink = AsyncSink.make({
    identifier: "scripted",
    sinkStr: (s) => write([s]),
    sinkStrBatch: write,
    sinkBytesBatch: (data) => write(data.map((b) => `bytes:${Buffer.from(b).toString()}`)),
    reconnect: Effect.sync(() => void reconnects++)
  })
  return { sink, writes, reconnects: () => reconnects }
}

/** A rescue that records what it is given (or fails, with `broken`). */
const recordingRescue = (broken = false) => {
  const rescued: Array<{ readonly payloads: ReadonlyArray<string>; readonly why: Rescue.RescueReason }> = []
  const rescue: Rescue.Rescue = {
    dir: "/nowhere",
    fileOf: (group, sink) => `/nowhere/${group}__${sink}.jsonl`,
    write: (_group, _sink, events, why) =>
      broken
        ? Effect.fail(SinkError.stgCtrl("rescue file could not be written"))
        : Effect.sync(() => void rescued.push({ payloads: events.map((e) => e.payload as string), why })),
    writeEach: () => Effect.die("the sink worker rescues a batch with one reason")
  }
  return { rescue, rescued }
}

const ev = (i: number, payload: string | Uint8Array = `e${i}`) => SourceEvent.make({ eventId: i, srcKey: "s", payload })

/** A replica over `sink` with a queue of `events`, and the items offered to it. */
const setup = (sink: AsyncSink.AsyncSink, breakerThreshold = 3) =>
  Effect.gen(function*() {
    const queue = yield* SinkQueue.make({ events: 1000, bytes: 1_000_000 })
    const breaker = yield* CircuitBreaker.make(
      Backoff.sinkCooldown({ breakerThreshold, retryBaseDelay: Duration.millis(100), retryMaxDelay: Duration.seconds(1) })
    )
    const stats: SinkStats = { group: "g", name: "s", events: 0, bytes: 0, rescued: 0, retries: 0, errors: 0 }
    const replica: SinkWorker.Replica = { group: "g", name: "s", sink, queue, breaker, limiter: RateLimiter.unlimited, stats }
    const done: Array<number> = []
    /** Offers one item of `events` (its id is the first event's id). */
    const offer = (events: ReadonlyArray<SourceEvent.SourceEvent>) =>
      queue.offer({ events, bytes: events.length, done: () => void done.push(events[0]!.eventId), offeredAt: 0 })
    return { replica, queue, stats, done, offer, breaker }
  })

const options = (rescue: Rescue.Rescue, maxRetries: number): SinkWorker.WorkerOptions => ({
  batchEvents: 100,
  batchBytes: 1_000_000,
  batchWait: Duration.zero,
  retries: Backoff.writeRetries({ maxRetries }),
  rescue
})

/** Runs the worker to its end, moving the TestClock on until it is done. */
const runToEnd = (replica: SinkWorker.Replica, opts: SinkWorker.WorkerOptions) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(SinkWorker.run(replica, opts))
    while (Option.isNone(yield* Fiber.poll(fiber))) yield* TestClock.adjust(Duration.millis(50))
    return yield* Fiber.join(fiber)
  })

describe("SinkWorker", () => {
  it.effect("gathers what is queued into one write: all text in one sinkStrBatch, mixed payloads in runs, in order", () =>
    Effect.gen(function*() {
      const { sink, writes } = scriptedSink([])
      const { rescue } = recordingRescue()
      const text = yield* setup(sink)
      yield* text.offer([ev(0), ev(1)])
      yield* text.offer([ev(2)])
      yield* text.queue.end
      yield* runToEnd(text.replica, options(rescue, 3))
      expect(writes).toEqual([["e0", "e1", "e2"]])
      expect(text.done).toEqual([0, 2])
      const mixed = yield* setup(sink)
      yield* mixed.offer([ev(3), ev(4, new Uint8Array([104, 105])), ev(5)])
      yield* mixed.queue.end
      yield* runToEnd(mixed.replica, options(rescue, 3))
      expect(writes.slice(1)).toEqual([["e3"], ["bytes:hi"], ["e5"]])
      expect(mixed.stats).toMatchObject({ events: 3, bytes: 3, retries: 0, errors: 0, rescued: 0 })
      expect(mixed.queue.depth()).toEqual({ events: 0, bytes: 0 })
    }))

  it.effect("a write of several shapes is written run by run: a failed run is retried or rescued alone, never a run twice", () =>
    Effect.gen(function*() {
      const refused = SinkError.sendError("connection refused")
      const retried = scriptedSink(["ok", refused, "ok", "ok"])
      const first = recordingRescue()
      const a = yield* setup(retried.sink)
      yield* a.offer([ev(0), ev(1, new Uint8Array([104, 105])), ev(2)])
      yield* a.queue.end
      yield* runToEnd(a.replica, options(first.rescue, 3))
      // the bytes run failed once and was written again; the text run before it was written once
      expect(retried.writes).toEqual([["e0"], ["bytes:hi"], ["bytes:hi"], ["e2"]])
      expect(a.stats).toMatchObject({ events: 3, bytes: 3, retries: 1, errors: 1, rescued: 0 })
      expect(first.rescued).toEqual([])
      expect(a.done).toEqual([0])

      const fatal = scriptedSink(["ok", SinkError.uvs(UnifiedReason.data("bad value")), "ok"])
      const second = recordingRescue()
      const b = yield* setup(fatal.sink)
      yield* b.offer([ev(3), ev(4, new Uint8Array([104, 105])), ev(5)])
      yield* b.queue.end
      yield* runToEnd(b.replica, options(second.rescue, 3))
      // the refused run alone is rescued; the runs around it are written, once
      expect(fatal.writes).toEqual([["e3"], ["bytes:hi"], ["e5"]])
      expect(second.rescued.map((r) => [r.why.code, r.payloads.length])).toEqual([[200, 1]])
      expect(b.stats).toMatchObject({ events: 2, bytes: 2, retries: 0, errors: 1, rescued: 1 })
      expect(b.done).toEqual([3])
      expect(b.queue.depth()).toEqual({ events: 0, bytes: 0 })
    }))

  it.effect("writes at most batchEvents per write", () =>
    Effect.gen(function*() {
      const { sink, writes } = scriptedSink([])
      const { rescue } = recordingRescue()
      const { done, offer, queue, replica } = yield* setup(sink)
      for (let i = 0; i < 4; i++) yield* offer([ev(i)])
      yield* queue.end
      yield* runToEnd(replica, { ...options(rescue, 3), batchEvents: 3 })
      expect(writes).toEqual([["e0", "e1", "e2"], ["e3"]])
      expect(done).toEqual([0, 1, 2, 3])
    }))

  it.effect("retries a retryable failure after the breaker's cool-down and a reconnect, then writes it once", () =>
    Effect.gen(function*() {
      const refused = SinkError.sendError("connection refused")
      const { reconnects, sink, writes } = scriptedSink([refused, refused, "ok"])
      const { rescue, rescued } = recordingRescue()
      const { breaker, done, offer, queue, replica, stats } = yield* setup(sink)
      yield* offer([ev(0), ev(1)])
      yield* queue.end
      const fiber = yield* Effect.fork(SinkWorker.run(replica, options(rescue, 5)))
      yield* TestClock.adjust(Duration.millis(49))
      // the first retry waits at least half the base cool-down (100 ms): nothing retried yet
      expect(writes.length).toBe(1)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Fiber.join(fiber)
      expect(writes).toEqual([["e0", "e1"], ["e0", "e1"], ["e0", "e1"]])
      expect(reconnects()).toBe(2)
      expect(rescued).toEqual([])
      expect(done).toEqual([0])
      expect(stats).toMatchObject({ events: 2, retries: 2, errors: 2, rescued: 0 })
      expect(breaker.failures()).toBe(0) // the success closed the breaker
    }))

  it.effect("rescues after maxRetries retries of a retryable failure, with the last failure as the reason", () =>
    Effect.gen(function*() {
      const { reconnects, sink, writes } = scriptedSink(Array.from({ length: 10 }, (_, i) => SinkError.sendError(`refused #${i}`)))
      const { rescue, rescued } = recordingRescue()
      const { done, offer, queue, replica, stats } = yield* setup(sink)
      yield* offer([ev(0)])
      yield* queue.end
      yield* runToEnd(replica, options(rescue, 2))
      expect(writes.length).toBe(3)
      expect(reconnects()).toBe(2)
      expect(rescued).toEqual([{ payloads: ["e0"], why: { code: 500, reason: "Sink", detail: "send error: refused #2", retryable: true, said: "[500 Sink] send error: refused #2" } }])
      expect(done).toEqual([0])
      expect(stats).toMatchObject({ events: 0, retries: 2, errors: 3, rescued: 1 })
    }))

  it.effect("rescues a failure that is not retryable at once, and a defect as code 520", () =>
    Effect.gen(function*() {
      const { reconnects, sink, writes } = scriptedSink([SinkError.stgCtrl("disk quota exceeded"), { die: "boom" }])
      const { rescue, rescued } = recordingRescue()
      const { done, offer, queue, replica, stats } = yield* setup(sink)
      yield* offer([ev(0)])
      yield* offer([ev(1)])
      yield* queue.end
      yield* runToEnd(replica, { ...options(rescue, 5), batchEvents: 1 })
      expect(writes.length).toBe(2)
      expect(reconnects()).toBe(0)
      expect(rescued.map((r) => [r.payloads, r.why.code, r.why.reason])).toEqual([
        [["e0"], 510, "StgCtrl"],
        [["e1"], 520, "Defect"]
      ])
      expect(rescued[1]!.why.detail).toContain("boom")
      expect(done).toEqual([0, 1])
      expect(stats).toMatchObject({ retries: 0, errors: 2, rescued: 2 })
    }))

  it.effect("fails when the rescue cannot be written, and does not complete the items", () =>
    Effect.gen(function*() {
      const { sink } = scriptedSink([SinkError.stgCtrl("disk quota exceeded")])
      const { rescue } = recordingRescue(true)
      const { done, offer, queue, replica } = yield* setup(sink)
      yield* offer([ev(0)])
      yield* queue.end
      const error = yield* Effect.flip(runToEnd(replica, options(rescue, 5)))
      expect(error._tag).toBe("SinkStgCtrl")
      expect(error.detail).toBe("rescue file could not be written")
      expect(done).toEqual([])
    }))

  it.effect("the breaker's state outlives a batch: the next batch's retry waits a longer cool-down", () =>
    Effect.gen(function*() {
      const refused = SinkError.sendError("connection refused")
      // batch 1: fails, retried once, fails again: rescued (two failures); batch 2: fails once, then written
      const { sink, writes } = scriptedSink([refused, refused, refused, "ok"])
      const { rescue, rescued } = recordingRescue()
      const { breaker, offer, queue, replica } = yield* setup(sink, 1)
      yield* offer([ev(0)])
      const fiber = yield* Effect.fork(SinkWorker.run(replica, options(rescue, 1)))
      // first cool-down: 50..100 ms
      yield* TestClock.adjust(Duration.millis(100))
      expect(writes.length).toBe(2)
      expect(rescued.length).toBe(1)
      expect(breaker.failures()).toBe(1)
      yield* offer([ev(1)])
      yield* queue.end
      // batch 2 fails at once; its retry waits the second cool-down: 100..200 ms, not the first again
      yield* TestClock.adjust(Duration.millis(99))
      expect(writes.length).toBe(3)
      yield* TestClock.adjust(Duration.millis(101))
      yield* Fiber.join(fiber)
      expect(writes.length).toBe(4)
      expect(breaker.failures()).toBe(0)
    }))
})
