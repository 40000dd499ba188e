import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Option, Ref, Scope } from "effect"
import { AsyncSink, DataRecord, SinkError, SinkFactory } from "../../src/index.js"
import type { SinkError as SinkErrorType } from "../../src/index.js"

/** A sink writing into an array; only `sinkStr` and `sinkBytes` are implemented. */
const recording = () => {
  const out: Array<string> = []
  let stops = 0
  let reconnects = 0
  const sink = AsyncSink.make({
    identifier: "rec",
    sinkStr: (s) => Effect.sync(() => void out.push(s)),
    sinkBytes: (b) => Effect.sync(() => void out.push(`bytes:${[...b].join(",")}`)),
    stop: Effect.sync(() => void stops++),
    reconnect: Effect.sync(() => void reconnects++)
  })
  return { sink, out, stops: () => stops, reconnects: () => reconnects }
}

describe("AsyncSink.make", () => {
  it.effect("fills the batch methods from the single ones, preserving order", () =>
    Effect.gen(function*() {
      const { sink, out } = recording()
      yield* sink.sinkStrBatch(["a", "b", "c"])
      yield* sink.sinkBytesBatch([new Uint8Array([1]), new Uint8Array([2, 3])])
      yield* sink.sinkStr("d")
      yield* sink.sinkBytes(new Uint8Array([0xff]))
      expect(out).toEqual(["a", "b", "c", "bytes:1", "bytes:2,3", "d", "bytes:255"])
    }))

  it.effect("writes records as JSON lines by default, in order", () =>
    Effect.gen(function*() {
      const { sink, out } = recording()
      const r1 = Either.getOrThrow(DataRecord.fromJson({ id: 1 }))
      const r2 = Either.getOrThrow(DataRecord.fromJson({ id: 2 }))
      yield* sink.sinkRecord(r1)
      yield* sink.sinkRecords([r2, r1])
      expect(out).toEqual([DataRecord.toJsonText(r1), DataRecord.toJsonText(r2), DataRecord.toJsonText(r1)])
      expect(out[0]).toBe("{\"id\":1}")
    }))

  it.effect("stop is idempotent and later writes fail with a coded error", () =>
    Effect.gen(function*() {
      const { sink, out, stops } = recording()
      yield* sink.stop
      yield* sink.stop
      expect(stops()).toBe(1)
      for (const write of [sink.sinkStr("x"), sink.sinkBytes(new Uint8Array(1)), sink.sinkStrBatch(["y"]), sink.reconnect]) {
        const e = yield* Effect.flip(write)
        expect(e._tag).toBe("SinkUnavailable")
        expect(e.code).toBe(500)
        expect(e.detail).toBe("sink stopped: rec")
      }
      expect(out).toEqual([])
    }))

  it.effect("reconnect runs the sink's own reconnect", () =>
    Effect.gen(function*() {
      const { sink, reconnects } = recording()
      yield* sink.reconnect
      yield* sink.reconnect
      expect(reconnects()).toBe(2)
    }))

  it.effect("a batch method given by the sink is used as is, and its failure is reported", () =>
    Effect.gen(function*() {
      const sink = AsyncSink.make({
        sinkStr: () => Effect.void,
        sinkStrBatch: (xs) => xs.length > 2 ? Effect.fail(SinkError.sendError(`${xs.length} lines`)) : Effect.void
      })
      yield* sink.sinkStrBatch(["a", "b"])
      const e = yield* Effect.flip(sink.sinkStrBatch(["a", "b", "c"]))
      expect(e.detail).toBe("send error: 3 lines")
    }))

  it.effect("sinkRaw picks the method that fits the payload", () =>
    Effect.gen(function*() {
      const { sink, out } = recording()
      yield* AsyncSink.sinkRaw(sink, "t")
      yield* AsyncSink.sinkRaw(sink, new Uint8Array([7]))
      expect(out).toEqual(["t", "bytes:7"])
    }))
})

describe("AsyncSink.fromBatches", () => {
  it.effect("a single write is a batch of one, through the batch method of its shape; writes after stop fail", () =>
    Effect.gen(function*() {
      const calls: Array<string> = []
      const sink = AsyncSink.fromBatches({
        identifier: "batched",
        sinkStrBatch: (data) => Effect.sync(() => void calls.push(`str ${JSON.stringify(data)}`)),
        sinkBytesBatch: (data) => Effect.sync(() => void calls.push(`bytes ${data.map((b) => b.byteLength).join(",")}`)),
        sinkRecords: (records) => Effect.sync(() => void calls.push(`records ${records.length}`))
      })
      yield* sink.sinkStr("a")
      yield* sink.sinkBytes(new Uint8Array(3))
      yield* sink.sinkRecord(DataRecord.make([DataRecord.field("n", DataRecord.bool(true))]))
      yield* sink.sinkStrBatch(["b", "c"])
      expect(calls).toEqual(["str [\"a\"]", "bytes 3", "records 1", "str [\"b\",\"c\"]"])
      yield* sink.stop
      const after = yield* Effect.either(sink.sinkStr("late"))
      expect(Either.isLeft(after) && after.left.message).toContain("sink stopped")
    }))
})

describe("SinkBuildCtx", () => {
  it("clamps replicaCnt to at least 1 and replicaIdx into range; 0 rps is unlimited", () => {
    expect(SinkFactory.buildCtx({ workRoot: "/w" })).toEqual({ workRoot: "/w", replicaIdx: 0, replicaCnt: 1, rateLimitRps: 0 })
    expect(SinkFactory.buildCtx({ workRoot: "/w", replicaCnt: 0 }).replicaCnt).toBe(1)
    expect(SinkFactory.buildCtx({ workRoot: "/w", replicaCnt: -3 }).replicaCnt).toBe(1)
    expect(SinkFactory.buildCtx({ workRoot: "/w", replicaCnt: 4, replicaIdx: 9 }).replicaIdx).toBe(3)
    expect(SinkFactory.buildCtx({ workRoot: "/w", replicaCnt: 4, replicaIdx: 2 }).replicaIdx).toBe(2)
    expect(SinkFactory.isUnlimited(SinkFactory.buildCtx({ workRoot: "/w", rateLimitRps: 0 }))).toBe(true)
    expect(SinkFactory.isUnlimited(SinkFactory.buildCtx({ workRoot: "/w", rateLimitRps: 500 }))).toBe(false)
    expect(SinkFactory.buildCtx({ workRoot: "/w", rateLimitRps: -1 }).rateLimitRps).toBe(0)
  })
})

describe("SinkFactory", () => {
  const spec = { group: "g", name: "n", kind: "rec", connectorId: "rec-1", params: {}, filter: Option.none() }
  const ctx = SinkFactory.buildCtx({ workRoot: "/tmp" })

  it.effect("stops the sink when the build scope closes", () =>
    Effect.gen(function*() {
      const { sink, stops } = recording()
      const factory = SinkFactory.make({ kind: "rec", build: () => Effect.succeed(SinkFactory.handle(sink)) })
      yield* factory.validateSpec(spec)
      const scope = yield* Scope.make()
      const h = yield* Scope.extend(factory.build(spec, ctx), scope)
      yield* h.sink.sinkStr("x")
      expect(stops()).toBe(0)
      yield* Scope.close(scope, Exit.void)
      expect(stops()).toBe(1)
      expect((yield* Effect.flip(h.sink.sinkStr("y"))).code).toBe(500)
    }))

  it.effect("a failing stop is logged, and the other finalizers still run", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(false)
      const sink = AsyncSink.make({ sinkStr: () => Effect.void, stop: Effect.fail<SinkErrorType>(SinkError.stgCtrl("close failed")) })
      const factory = SinkFactory.make({
        kind: "rec",
        build: () =>
          Effect.as(Effect.addFinalizer(() => Ref.set(released, true)), SinkFactory.handle(sink))
      })
      const exit = yield* Effect.exit(Effect.scoped(factory.build(spec, ctx)))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* Ref.get(released)).toBe(true)
    }))
})
