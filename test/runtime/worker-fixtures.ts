/**
 * What the record-encoder tests share: a sink replica over a queue, a rescue that records the payloads
 * it was given, and a worker run to its end on the TestClock.
 */
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import type { AsyncSink } from "../../src/index.js"
import * as Backoff from "../../src/runtime/backoff.js"
import * as CircuitBreaker from "../../src/runtime/circuit-breaker.js"
import * as RateLimiter from "../../src/runtime/rate-limiter.js"
import type { SinkStats } from "../../src/runtime/report.js"
import type * as Rescue from "../../src/runtime/rescue.js"
import type * as SinkQueue from "../../src/runtime/sink-queue.js"
import * as SinkWorker from "../../src/runtime/sink-worker.js"

/** A replica `g/s` of `sink` over `queue`: a breaker of 3 failures, no rate limit, fresh counters. */
export const replicaOf = (sink: AsyncSink.AsyncSink, queue: SinkQueue.SinkQueue) =>
  Effect.gen(function*() {
    const breaker = yield* CircuitBreaker.make(
      Backoff.sinkCooldown({ breakerThreshold: 3, retryBaseDelay: Duration.millis(100), retryMaxDelay: Duration.seconds(1) })
    )
    const stats: SinkStats = { group: "g", name: "s", events: 0, bytes: 0, rescued: 0, retries: 0, errors: 0 }
    const replica: SinkWorker.Replica = { group: "g", name: "s", sink, queue, breaker, limiter: RateLimiter.unlimited, stats }
    return replica
  })

/** A rescue that keeps the payloads of each write it is given (text payloads), in `rescued`. */
export const recordingRescue = () => {
  const rescued: Array<ReadonlyArray<string>> = []
  const rescue: Rescue.Rescue = {
    dir: "/nowhere",
    fileOf: (group, sink) => `/nowhere/${group}__${sink}.jsonl`,
    write: (_g, _s, events) => Effect.sync(() => void rescued.push(events.map((e) => e.payload as string))),
    writeEach: () => Effect.die("not used")
  }
  return { rescue, rescued }
}

/** Runs `replica`'s worker (100 events a write, `maxRetries` retries) until its ended queue is drained, moving the TestClock. */
export const runToEnd = (replica: SinkWorker.Replica, rescue: Rescue.Rescue, maxRetries: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(SinkWorker.run(replica, {
      batchEvents: 100,
      batchBytes: 1_000_000,
      batchWait: Duration.zero,
      retries: Backoff.writeRetries({ maxRetries }),
      rescue
    }))
    while (Option.isNone(yield* Fiber.poll(fiber))) yield* TestClock.adjust(Duration.millis(50))
    return yield* Fiber.join(fiber)
  })

/** Ends `queue`, runs `sink`'s worker over it to its end (`maxRetries` retries); its replica and what it rescued. */
export const drain = (sink: AsyncSink.AsyncSink, queue: SinkQueue.SinkQueue, maxRetries: number) =>
  Effect.gen(function*() {
    yield* queue.end
    const { rescue, rescued } = recordingRescue()
    const replica = yield* replicaOf(sink, queue)
    yield* runToEnd(replica, rescue, maxRetries)
    return { replica, rescued }
  })
