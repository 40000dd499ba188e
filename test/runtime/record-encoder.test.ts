/**
 * Records encoded at routing time: a sink with a `RecordEncoder` gets each record as its own text, made when
 * the event is routed (the queue then holds texts, not records), joined per routed batch when the encoder has
 * a separator; the worker writes them through the encoder in order with the other shapes, retries them as
 * encoded, and rescues the events' payloads. `AsyncSink.make` derives `sinkRecords` from the encoder.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { AsyncSink, DataRecord, SinkError, SourceEvent } from "../../src/index.js"
import type { SinkError as SinkErrorType } from "../../src/index.js"
import * as Filter from "../../src/runtime/filter.js"
import * as Router from "../../src/runtime/router.js"
import * as SinkQueue from "../../src/runtime/sink-queue.js"
import * as RecordEncoder from "../../src/sink/record-encoder.js"
import { drain } from "./worker-fixtures.js"

const recordOf = (i: number) => DataRecord.make([DataRecord.field("n", Option.getOrThrow(DataRecord.digit(i)))])
/** Event `i`: payload `p<i>`, with a record `{"n":i}` when `withRecord`. */
const ev = (i: number, withRecord = true) => {
  const plain = SourceEvent.make({ eventId: i, srcKey: "s", payload: `p${i}` })
  return withRecord ? SourceEvent.update(plain, { record: recordOf(i) }) : plain
}

/** A sink whose encoder writes `<json>` texts; every call recorded as `[method, texts]`; `steps` fail the first encoder writes. */
const encodingSink = (separator: string | undefined, steps: ReadonlyArray<SinkErrorType> = []) => {
  const calls: Array<readonly [string, ReadonlyArray<string>]> = []
  let failures = 0
  const encoder = RecordEncoder.make(
    (record) => `<${DataRecord.toJsonText(record)}>`,
    (texts) =>
      Effect.suspend(() => {
        calls.push(["encoded", texts])
        const step = steps[failures]
        if (step !== undefined) {
          failures++
          return Effect.fail(step)
        }
        return Effect.void
      }),
    { separator }
  )
  const sink = AsyncSink.make({
    sinkStr: (s) => Effect.sync(() => void calls.push(["str", [s]])),
    sinkStrBatch: (s) => Effect.sync(() => void calls.push(["str", s])),
    recordEncoder: encoder
  })
  return { sink, calls }
}

const routerOver = (queue: SinkQueue.SinkQueue, encoder: RecordEncoder.RecordEncoder | undefined) =>
  Effect.map(Effect.clock, (clock) =>
    Router.make([{ filter: Filter.always, queues: [queue], encoders: [encoder] }], "s", clock, () => undefined))



describe("RecordEncoder in the engine", () => {
  it.effect("the router encodes records as it routes them: one joined text per batch, events without their records", () =>
    Effect.gen(function*() {
      const { sink } = encodingSink("\n")
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const router = yield* routerOver(queue, sink.recordEncoder)
      yield* router.offer([ev(0), ev(1)], 4, () => undefined)
      const item = Option.getOrThrow(yield* queue.poll)
      expect(item.joined).toBe("<{\"n\":0}>\n<{\"n\":1}>")
      expect(item.events.map((e) => [e.eventId, e.payload, e.record])).toEqual([[0, "p0", undefined], [1, "p1", undefined]])
      expect(item.bytes).toBe(4)
    }))

  it.effect("a batch with payload events, or an encoder without a separator, is encoded per event", () =>
    Effect.gen(function*() {
      const joined = encodingSink("\n")
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const router = yield* routerOver(queue, joined.sink.recordEncoder)
      yield* router.offer([ev(0), ev(1, false)], 4, () => undefined)
      const mixed = Option.getOrThrow(yield* queue.poll)
      expect(mixed.joined).toBeUndefined()
      expect(mixed.encoded).toEqual(["<{\"n\":0}>", undefined])
      const each = encodingSink(undefined)
      const queue2 = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const router2 = yield* routerOver(queue2, each.sink.recordEncoder)
      yield* router2.offer([ev(2), ev(3)], 4, () => undefined)
      expect(Option.getOrThrow(yield* queue2.poll).encoded).toEqual(["<{\"n\":2}>", "<{\"n\":3}>"])
      // no encoder: the records stay with their events
      const queue3 = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const router3 = yield* routerOver(queue3, undefined)
      yield* router3.offer([ev(4)], 2, () => undefined)
      const plain = Option.getOrThrow(yield* queue3.poll)
      expect(plain.encoded).toBeUndefined()
      expect(plain.events[0]!.record).toEqual(recordOf(4))
    }))

  it.effect("the worker writes encoded items through the encoder, in order with payloads, in one call when it can", () =>
    Effect.gen(function*() {
      const { calls, sink } = encodingSink("\n")
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const router = yield* routerOver(queue, sink.recordEncoder)
      const completed: Array<number> = []
      yield* router.offer([ev(0), ev(1)], 4, () => void completed.push(0))
      yield* router.offer([ev(2)], 2, () => void completed.push(2))
      yield* router.offer([ev(3, false), ev(4)], 4, () => void completed.push(3))
      yield* router.offer([ev(5, false)], 2, () => void completed.push(5))
      const { replica, rescued } = yield* drain(sink, queue, 3)
      expect(calls).toEqual([
        ["encoded", ["<{\"n\":0}>\n<{\"n\":1}>", "<{\"n\":2}>"]],
        ["str", ["p3"]],
        ["encoded", ["<{\"n\":4}>"]],
        ["str", ["p5"]]
      ])
      expect(completed).toEqual([0, 2, 3, 5])
      expect(rescued).toEqual([])
      expect(replica.stats.events).toBe(6)
    }))

  it.effect("a failed encoded write is retried as encoded, and rescued as the events' payloads when retries run out", () =>
    Effect.gen(function*() {
      const refused = SinkError.sendError("connection refused")
      const retried = encodingSink("\n", [refused])
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      yield* (yield* routerOver(queue, retried.sink.recordEncoder)).offer([ev(0), ev(1)], 4, () => undefined)
      const first = yield* drain(retried.sink, queue, 3)
      expect(retried.calls).toEqual([["encoded", ["<{\"n\":0}>\n<{\"n\":1}>"]], ["encoded", ["<{\"n\":0}>\n<{\"n\":1}>"]]])
      expect(first.rescued).toEqual([])

      const broken = encodingSink("\n", [refused, refused, refused])
      const queue2 = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      yield* (yield* routerOver(queue2, broken.sink.recordEncoder)).offer([ev(7), ev(8)], 4, () => undefined)
      const second = yield* drain(broken.sink, queue2, 2)
      const replica = second.replica
      expect(second.rescued).toEqual([["p7", "p8"]])
      expect(replica.stats.rescued).toBe(2)
    }))

  it.effect("a record the encoder declines stays with its event and goes to sinkRecords, which says why; only its run is rescued", () =>
    Effect.gen(function*() {
      const calls: Array<readonly [string, ReadonlyArray<string>]> = []
      const sink = AsyncSink.make({
        identifier: "picky",
        sinkStr: () => Effect.void,
        // odd numbers cannot be encoded
        recordEncoder: RecordEncoder.make(
          (record) => {
            const n = record.fields[0]!.value
            return n._tag === "Digit" && n.value % 2n === 1n ? undefined : DataRecord.toJsonText(record)
          },
          (texts) => Effect.sync(() => void calls.push(["encoded", texts])),
          { separator: "\n" }
        )
      })
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      yield* (yield* routerOver(queue, sink.recordEncoder)).offer([ev(0), ev(1), ev(2)], 6, () => undefined)
      const item = Option.getOrThrow(yield* queue.poll)
      expect(item.joined).toBeUndefined()
      expect(item.encoded).toEqual(["{\"n\":0}", undefined, "{\"n\":2}"])
      expect(item.events.map((e) => e.record)).toEqual([undefined, recordOf(1), undefined])
      // back in the queue for the worker
      yield* queue.offer(item)
      const { replica, rescued } = yield* drain(sink, queue, 0)
      // the run of the declined record failed (not retryable: a data error): that run alone is rescued,
      // the runs before and after it are written once
      expect(rescued).toEqual([["p1"]])
      expect(calls).toEqual([["encoded", ["{\"n\":0}"]], ["encoded", ["{\"n\":2}"]]])
      expect(replica.stats).toMatchObject({ events: 2, rescued: 1, errors: 1 })
    }))

  it.effect("sinkRecords derived from an encoder writes nothing of a batch with a record it declines, and fails naming it", () =>
    Effect.gen(function*() {
      const writes: Array<ReadonlyArray<string>> = []
      const sink = AsyncSink.make({
        identifier: "picky",
        sinkStr: () => Effect.void,
        recordEncoder: RecordEncoder.make(
          (record) => (record.fields[0]!.value._tag === "Digit" && (record.fields[0]!.value as DataRecord.Value.Digit).value === 1n ? undefined : DataRecord.toJsonText(record)),
          (texts) => Effect.sync(() => void writes.push(texts))
        )
      })
      const e = yield* Effect.flip(sink.sinkRecords([recordOf(0), recordOf(1), recordOf(2)]))
      expect(e.code).toBe(200)
      expect(e.message).toContain("picky: cannot encode a record of 1 fields (n)")
      expect(writes).toEqual([])
      yield* sink.sinkRecords([recordOf(0), recordOf(2)])
      expect(writes).toEqual([["{\"n\":0}", "{\"n\":2}"]])
    }))

  it.effect("AsyncSink.make: sinkRecord(s) write what the encoder writes; after stop the encoder's write fails", () =>
    Effect.gen(function*() {
      const { calls, sink } = encodingSink("\n")
      yield* sink.sinkRecords([recordOf(1), recordOf(2)])
      yield* sink.sinkRecord(recordOf(3))
      expect(calls).toEqual([["encoded", ["<{\"n\":1}>", "<{\"n\":2}>"]], ["encoded", ["<{\"n\":3}>"]]])
      expect(sink.recordEncoder?.separator).toBe("\n")
      yield* sink.stop
      const after = yield* Effect.flip(sink.recordEncoder!.write(["x"]))
      expect(after._tag).toBe("SinkUnavailable")
      expect(calls).toHaveLength(2)
    }))
})
