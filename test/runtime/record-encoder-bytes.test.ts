/**
 * Records encoded straight into bytes at routing time (`RecordEncoder.Bytes`): the router queues one
 * `Buffer` per routed batch, the UTF-8 of the texts it would have joined, and the events without their
 * records; a batch in which an event has no record, or one the encoder declines, goes on as texts, giving
 * the same item the text path gives; the worker writes the buffers through `bytes.write`, in order with
 * other shapes, retries them, and rescues the events' payloads. After `stop`, `bytes.write` fails.
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

/** A record `{"n":i,"s":"é<i>"}` (a two-byte character: bytes and characters differ). */
const recordOf = (i: number) =>
  DataRecord.make([DataRecord.field("n", Option.getOrThrow(DataRecord.digit(i))), DataRecord.field("s", DataRecord.chars(`é${i}`))])

/** Event `i`: payload `p<i>`, with a record when `withRecord`. */
const ev = (i: number, withRecord = true) => {
  const plain = SourceEvent.make({ eventId: i, srcKey: "s", payload: `p${i}` })
  return withRecord ? SourceEvent.update(plain, { record: recordOf(i) }) : plain
}

/** The encoder's text of a record: `<json>`; records whose `n` is 13 are declined. */
const encode = (record: DataRecord.DataRecord): string | undefined => {
  const n = record.fields[0]!.value
  return n._tag === "Digit" && n.value === 13n ? undefined : `<${DataRecord.toJsonText(record)}>`
}

/**
 * A sink whose encoder writes `<json>` texts, and with `bytes` the same straight into bytes; every call
 * recorded as `[method, texts]` (bytes as their UTF-8 text); `steps` fail the first writes of either kind.
 */
const encodingSink = (bytes: boolean, steps: ReadonlyArray<SinkErrorType> = []) => {
  const calls: Array<readonly [string, ReadonlyArray<string>]> = []
  let failures = 0
  const record = (method: string, texts: ReadonlyArray<string>) =>
    Effect.suspend(() => {
      calls.push([method, texts])
      const step = steps[failures]
      if (step !== undefined) {
        failures++
        return Effect.fail(step)
      }
      return Effect.void
    })
  const encodeBytes: RecordEncoder.Bytes = {
    encodeInto: (r, out) => {
      const text = encode(r)
      if (text === undefined) return false
      out.text(text)
      return true
    },
    write: (chunks) => record("bytes", chunks.map((c) => Buffer.from(c).toString("utf8")))
  }
  const encoder = bytes
    ? RecordEncoder.make(encode, (texts) => record("encoded", texts), { separator: "\n", bytes: encodeBytes })
    : RecordEncoder.make(encode, (texts) => record("encoded", texts), { separator: "\n" })
  const sink = AsyncSink.make({
    sinkStr: (s) => Effect.sync(() => void calls.push(["str", [s]])),
    sinkStrBatch: (s) => Effect.sync(() => void calls.push(["str", s])),
    sinkRecords: (rs) => Effect.sync(() => void calls.push(["records", rs.map(DataRecord.toJsonText)])),
    recordEncoder: encoder
  })
  return { sink, calls }
}

const routerOver = (routes: ReadonlyArray<readonly [SinkQueue.SinkQueue, RecordEncoder.RecordEncoder | undefined]>) =>
  Effect.map(Effect.clock, (clock) =>
    Router.make(routes.map(([queue, encoder]) => ({ filter: Filter.always, queues: [queue], encoders: [encoder] })), "s", clock, () => undefined))



/** The item a router over one sink (`bytes` or not) queues for `events`. */
const itemFor = (bytes: boolean, events: ReadonlyArray<SourceEvent.SourceEvent>) =>
  Effect.gen(function*() {
    const { sink } = encodingSink(bytes)
    const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
    yield* (yield* routerOver([[queue, sink.recordEncoder]])).offer(events, 2 * events.length, () => undefined)
    return Option.getOrThrow(yield* queue.poll)
  })

/** What a test compares of an item: its events (id, payload, record or not), texts, joined text, bytes as text. */
const shapeOf = (item: SinkQueue.SinkItem) => ({
  events: item.events.map((e) => [e.eventId, e.payload, e.record !== undefined]),
  encoded: item.encoded,
  joined: item.joined,
  joinedBytes: item.joinedBytes === undefined ? undefined : Buffer.from(item.joinedBytes).toString("utf8")
})

describe("RecordEncoder.Bytes in the engine", () => {
  it.effect("the router writes a routed batch's records into one buffer: the UTF-8 of the joined texts; events without records", () =>
    Effect.gen(function*() {
      const item = yield* itemFor(true, [ev(0), ev(1), ev(2)])
      expect(item.joined).toBeUndefined()
      expect(item.encoded).toBeUndefined()
      expect(Buffer.isBuffer(item.joinedBytes)).toBe(true)
      const joined = (yield* itemFor(false, [ev(0), ev(1), ev(2)])).joined!
      expect([...item.joinedBytes!]).toEqual([...Buffer.from(joined, "utf8")])
      expect(item.events.map((e) => [e.eventId, e.payload, e.record])).toEqual([[0, "p0", undefined], [1, "p1", undefined], [2, "p2", undefined]])
      expect(item.bytes).toBe(6)
    }))

  it.effect("an event without a record, or a record the encoder declines, part way through: the item the text path makes", () =>
    Effect.gen(function*() {
      const batches: ReadonlyArray<ReadonlyArray<SourceEvent.SourceEvent>> = [
        [ev(0), ev(1, false), ev(2)],
        [ev(0), ev(1), ev(13), ev(3)],
        [ev(5, false), ev(6)],
        [ev(13)],
        [ev(4, false)]
      ]
      for (const events of batches) {
        const viaBytes = shapeOf(yield* itemFor(true, events))
        expect(viaBytes).toEqual(shapeOf(yield* itemFor(false, events)))
        expect(viaBytes.joinedBytes).toBeUndefined()
      }
      // the declined record stays with its event; the texts before it were decoded from their bytes
      const declined = shapeOf(yield* itemFor(true, [ev(0), ev(1), ev(13), ev(3)]))
      expect(declined.encoded).toEqual(["<{\"n\":0,\"s\":\"é0\"}>", "<{\"n\":1,\"s\":\"é1\"}>", undefined, "<{\"n\":3,\"s\":\"é3\"}>"])
      expect(declined.events.map(([, , hasRecord]) => hasRecord)).toEqual([false, false, true, false])
    }))

  it.effect("a batch routed in parts is one buffer; the next batch's buffer does not disturb it; a sink without an encoder keeps its records", () =>
    Effect.gen(function*() {
      const { sink } = encodingSink(true)
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const plainQueue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const router = yield* routerOver([[queue, sink.recordEncoder], [plainQueue, undefined]])
      const pass = router.begin()
      pass.add([ev(0), ev(1)])
      pass.add([ev(2)])
      yield* pass.offer(6, () => undefined)
      const first = Option.getOrThrow(yield* queue.poll)
      const firstText = Buffer.from(first.joinedBytes!).toString("utf8")
      expect(firstText).toBe("<{\"n\":0,\"s\":\"é0\"}>\n<{\"n\":1,\"s\":\"é1\"}>\n<{\"n\":2,\"s\":\"é2\"}>")
      yield* router.offer([ev(7), ev(8)], 4, () => undefined)
      const second = Option.getOrThrow(yield* queue.poll)
      expect(Buffer.from(second.joinedBytes!).toString("utf8")).toBe("<{\"n\":7,\"s\":\"é7\"}>\n<{\"n\":8,\"s\":\"é8\"}>")
      expect(Buffer.from(first.joinedBytes!).toString("utf8")).toBe(firstText)
      // the other sink got the very events, records and all
      const plain = Option.getOrThrow(yield* plainQueue.poll)
      expect(plain.events.map((e) => e.record)).toEqual([recordOf(0), recordOf(1), recordOf(2)])
      expect(plain.joinedBytes).toBeUndefined()
    }))

  it.effect("the worker writes buffers through bytes.write, in one call for a run of them, in order with payloads", () =>
    Effect.gen(function*() {
      const { calls, sink } = encodingSink(true)
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      const router = yield* routerOver([[queue, sink.recordEncoder]])
      const completed: Array<number> = []
      yield* router.offer([ev(0), ev(1)], 4, () => void completed.push(0))
      yield* router.offer([ev(2)], 2, () => void completed.push(2))
      yield* router.offer([ev(3, false)], 2, () => void completed.push(3))
      yield* router.offer([ev(4)], 2, () => void completed.push(4))
      const { replica, rescued } = yield* drain(sink, queue, 3)
      expect(calls).toEqual([
        ["bytes", ["<{\"n\":0,\"s\":\"é0\"}>\n<{\"n\":1,\"s\":\"é1\"}>", "<{\"n\":2,\"s\":\"é2\"}>"]],
        ["str", ["p3"]],
        ["bytes", ["<{\"n\":4,\"s\":\"é4\"}>"]]
      ])
      expect(completed).toEqual([0, 2, 3, 4])
      expect(rescued).toEqual([])
      expect(replica.stats.events).toBe(5)
    }))

  it.effect("a failed bytes write is retried as bytes, and rescued as the events' payloads when retries run out", () =>
    Effect.gen(function*() {
      const refused = SinkError.sendError("connection refused")
      const retried = encodingSink(true, [refused])
      const queue = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      yield* (yield* routerOver([[queue, retried.sink.recordEncoder]])).offer([ev(0), ev(1)], 4, () => undefined)
      const first = yield* drain(retried.sink, queue, 3)
      const both = "<{\"n\":0,\"s\":\"é0\"}>\n<{\"n\":1,\"s\":\"é1\"}>"
      expect(retried.calls).toEqual([["bytes", [both]], ["bytes", [both]]])
      expect(first.rescued).toEqual([])

      const broken = encodingSink(true, [refused, refused, refused])
      const queue2 = yield* SinkQueue.make({ events: 100, bytes: 10_000 })
      yield* (yield* routerOver([[queue2, broken.sink.recordEncoder]])).offer([ev(7), ev(8)], 4, () => undefined)
      const second = yield* drain(broken.sink, queue2, 2)
      const replica = second.replica
      expect(second.rescued).toEqual([["p7", "p8"]])
      expect(replica.stats.rescued).toBe(2)
    }))

  it.effect("AsyncSink.make guards bytes.write: after stop it fails, and nothing is written", () =>
    Effect.gen(function*() {
      const { calls, sink } = encodingSink(true)
      yield* sink.recordEncoder!.bytes!.write([Buffer.from("a")])
      yield* sink.stop
      const after = yield* Effect.flip(sink.recordEncoder!.bytes!.write([Buffer.from("b")]))
      expect(after._tag).toBe("SinkUnavailable")
      expect(calls).toEqual([["bytes", ["a"]]])
    }))
})
