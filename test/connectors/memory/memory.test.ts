import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Schedule, Stream } from "effect"
import { ConnectorRegistry, DataSource, ParamMap, RawData, SeekPosition, SinkFactory, SourceFactory } from "../../../src/index.js"
import * as Builtins from "../../../src/connectors/builtins.js"
import { MemoryStore } from "../../../src/connectors/memory/store.js"

const srcSpec = (params: ParamMap.ParamMap) => ({
  name: "mem",
  kind: "memory",
  connectorId: "memory-src",
  params,
  tags: ["env:test"]
})
const sinkSpec = (kind: string, params: ParamMap.ParamMap = {}) => ({
  group: "g",
  name: "out",
  kind,
  connectorId: `${kind}-sink`,
  params,
  filter: Option.none()
})
const ctx = SourceFactory.buildCtx("/tmp")

const batchesOf = (source: DataSource.DataSource) =>
  Effect.map(Stream.runCollect(Stream.chunks(DataSource.stream(source))), (cs) =>
    Chunk.toArray(cs).map((c) => Chunk.toArray(c).map((e) => RawData.text(e.payload))))

describe("memory connector", () => {
  it.scoped("yields its events in batches of batch_size, tagged, then ends", () =>
    Effect.gen(function*() {
      const registry = yield* ConnectorRegistry.ConnectorRegistry
      const factory = yield* registry.sourceFactory("memory")
      const svc = yield* factory.build(srcSpec({ events: ["a", "b", "c", "d", "e"], batch_size: 2 }), ctx)
      const { source, metadata } = svc.sources[0]!
      expect(metadata.kind).toBe("memory")
      expect(yield* batchesOf(source)).toEqual([["a", "b"], ["c", "d"], ["e"]])
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("generates count payloads of payload_bytes", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("memory")
      const svc = yield* factory.build(srcSpec({ count: 2500, payload_bytes: 200 }), ctx)
      const out = yield* batchesOf(svc.sources[0]!.source)
      expect(out.map((b) => b.length)).toEqual([1024, 1024, 452])
      expect(out[0]![0]).toHaveLength(200)
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("seeks to Start, Offset and End", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("memory")
      const svc = yield* factory.build(srcSpec({ events: ["a", "b", "c"], batch_size: 1 }), ctx)
      const { source } = svc.sources[0]!
      expect(source.caps.seek).toBe(true)
      yield* source.receive
      yield* source.receive
      yield* source.seek(SeekPosition.Offset({ offset: 1 }))
      expect((yield* source.receive).map((e) => e.payload)).toEqual(["b"])
      yield* source.seek(SeekPosition.Start())
      expect((yield* source.receive).map((e) => e.payload)).toEqual(["a"])
      yield* source.seek(SeekPosition.End())
      expect((yield* Effect.flip(source.receive))._tag).toBe("SourceEof")
      const bad = yield* Effect.flip(source.seek(SeekPosition.Offset({ offset: 9 })))
      expect(bad.code).toBe(500)
      expect(bad.detail).toBe("seek offset 9 is outside 0..3")
      expect((yield* Effect.flip(source.seek(SeekPosition.Token({ token: "x" })))).detail).toContain("Token")
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("with eof = false it idles instead of ending", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("memory")
      const svc = yield* factory.build(srcSpec({ events: ["a"], eof: false }), ctx)
      const out = yield* Stream.runCollect(
        DataSource.stream(svc.sources[0]!.source, { poll: Schedule.recurs(3) })
      )
      expect(Chunk.toArray(out).map((e) => e.payload)).toEqual(["a"])
    }).pipe(Effect.provide(Builtins.layer)))

  it.effect("rejects bad params with a ConfigError naming the param", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("memory")
      const e1 = yield* Effect.flip(factory.validateSpec(srcSpec({ batch_size: 0 })))
      expect(e1._tag).toBe("ConfigError")
      expect(e1.code).toBe(300)
      expect(e1.path).toBe("params.batch_size")
      const e2 = yield* Effect.flip(Effect.scoped(factory.build(srcSpec({ events: "abc" }), ctx)))
      expect(e2._tag === "ConfigError" && e2.path).toBe("params.events")
      const sinkFactory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sinkFactory("memory")
      expect((yield* Effect.flip(sinkFactory.validateSpec(sinkSpec("memory", { buffer: 3 })))).path).toBe("params.buffer")
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("the memory sink keeps order, text and bytes, in its named buffer", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sinkFactory("memory")
      const { sink } = yield* factory.build(sinkSpec("memory", { buffer: "buf1" }), SinkFactory.buildCtx({ workRoot: "/tmp" }))
      yield* sink.sinkStrBatch(["1", "2"])
      yield* sink.sinkBytes(new Uint8Array([0xff, 0x00]))
      yield* sink.sinkStr("3")
      const store = yield* MemoryStore
      const got = yield* store.read("buf1")
      expect(got.slice(0, 2)).toEqual(["1", "2"])
      expect([...(got[2] as Uint8Array)]).toEqual([0xff, 0x00])
      expect(got[3]).toBe("3")
    }).pipe(Effect.provide(Builtins.layer)))

  it.effect("the blackhole sink counts events and bytes and keeps nothing", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sinkFactory("blackhole")
      const store = yield* MemoryStore
      yield* Effect.scoped(Effect.gen(function*() {
        const { sink } = yield* factory.build(sinkSpec("blackhole"), SinkFactory.buildCtx({ workRoot: "/tmp" }))
        yield* sink.sinkStrBatch(["ab", "é"])
        yield* sink.sinkBytesBatch([new Uint8Array(10)])
        yield* sink.sinkStr("x")
      }))
      expect(yield* store.counts("out")).toEqual({ events: 4, bytes: 2 + 2 + 10 + 1 })
      expect(yield* store.read("out")).toEqual([])
    }).pipe(Effect.provide(Builtins.layer)))

  it.effect("maps memory:// and blackhole:// URLs", () =>
    Effect.gen(function*() {
      const registry = yield* ConnectorRegistry.ConnectorRegistry
      const mem = Option.getOrThrow(yield* registry.adapter("memory"))
      expect(yield* mem.urlToParams("memory://buf9")).toEqual({ buffer: "buf9" })
      const bh = Option.getOrThrow(yield* registry.adapter("blackhole"))
      expect(yield* bh.urlToParams("blackhole://")).toEqual({})
      expect((yield* Effect.flip(bh.urlToParams("file:///x"))).path).toBe("url.scheme")
    }).pipe(Effect.provide(Builtins.layer)))
})
