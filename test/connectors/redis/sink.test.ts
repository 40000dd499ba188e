import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schedule } from "effect"
import * as Redis from "../../../src/connectors/redis/index.js"
import { DataRecord, SinkFactory } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { type RedisServer, redisServer } from "./server.js"

/** The `field` values of `stream`, in stream order, as Buffers. */
const stored = (server: RedisServer, stream: string, field = "payload") =>
  server.use(async (client) => {
    const entries = await client.xrangeBuffer(stream, "-", "+")
    return entries.map(([, fields]) => {
      const at = fields.findIndex((f, i) => i % 2 === 0 && f.toString() === field)
      return fields[at + 1]!
    })
  })

const texts = (buffers: ReadonlyArray<Buffer>) => buffers.map((b) => b.toString("utf8"))

const spec = (params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "redis",
  connectorId: "redis-sink",
  params: params as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

describe("redis sink", () => {
  it.live("appends every batch in order, one entry per payload; bytes stay bytes; records are JSON; a 10 MB payload is one entry", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      const invalidUtf8 = new Uint8Array([0xff, 0xfe, 0x00, 0x41])
      const big = "y".repeat(10 * 1024 * 1024)
      yield* Effect.scoped(Effect.gen(function*() {
        const { sink } = yield* Redis.RedisSink.factory.build(spec({ port: server.port, stream: "out", field: "msg" }), ctx)
        yield* sink.sinkStrBatch(["a", "b", "ü"])
        yield* sink.sinkStr("d")
        yield* sink.sinkBytesBatch([invalidUtf8, new TextEncoder().encode("e")])
        yield* sink.sinkRecords([DataRecord.make([DataRecord.field("n", DataRecord.chars("x"))])])
        yield* sink.sinkStr(big)
      }))
      const out = yield* stored(server, "out", "msg")
      expect(texts(out.slice(0, 3))).toEqual(["a", "b", "ü"])
      expect(texts([out[3]!])).toEqual(["d"])
      expect([...out[4]!]).toEqual([...invalidUtf8])
      expect(texts(out.slice(5, 7))).toEqual(["e", "{\"n\":\"x\"}"])
      expect(out[7]!.toString("utf8")).toBe(big)
      expect(out).toHaveLength(8)
    })))

  it.live("maxlen trims the stream approximately (MAXLEN ~)", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      const { sink } = yield* Redis.RedisSink.factory.build(spec({ port: server.port, stream: "t", maxlen: 10 }), ctx)
      for (let i = 0; i < 10; i++) yield* sink.sinkStrBatch(Array.from({ length: 100 }, (_, j) => `m${i * 100 + j}`))
      const length = yield* server.use((client) => client.xlen("t"))
      // approximate trimming removes whole nodes (100 entries each by default): far below 1000, at least 10
      expect(length).toBeGreaterThanOrEqual(10)
      expect(length).toBeLessThan(1000)
      const last = yield* stored(server, "t")
      expect(texts(last).at(-1)).toBe("m999")
    })))

  it.live("a lost server fails the batch retryably (202) naming the target; after restart, reconnect and writes succeed", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      const { sink } = yield* Redis.RedisSink.factory.build(spec({ port: server.port, stream: "r" }), ctx)
      yield* sink.sinkStr("before")
      yield* server.stop
      const failed = yield* Effect.flip(
        Effect.repeat(sink.sinkStr("during"), Schedule.spaced("20 millis").pipe(Schedule.upTo("3 seconds")))
      )
      expect(failed._tag).toBe("SinkUvs")
      expect(failed.code).toBe(202)
      expect(String(failed)).toContain(`127.0.0.1:${server.port}/0`)
      expect(String(failed)).toContain("\"r\"")
      yield* server.start
      yield* Effect.retry(sink.reconnect, Schedule.spaced("100 millis").pipe(Schedule.upTo("5 seconds")))
      yield* sink.sinkStrBatch(["after", "after 2"])
      const out = texts(yield* stored(server, "r"))
      // a write racing the kill may have landed before the server died (appendfsync always kept it)
      expect(out.filter((p) => p !== "during")).toEqual(["before", "after", "after 2"])
    })), 15000)

  it.live("a key that is not a stream fails the batch with 301 (not retryable) naming the stream, and writes nothing", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      yield* server.use((client) => client.set("str", "x"))
      const { sink } = yield* Redis.RedisSink.factory.build(spec({ port: server.port, stream: "str" }), ctx)
      const error = yield* Effect.flip(sink.sinkStrBatch(["a", "b"]))
      expect(error._tag).toBe("SinkUvs")
      expect(error.code).toBe(301)
      expect(error.retryable).toBe(false)
      expect(String(error)).toContain("\"str\"")
      expect(String(error)).toContain("WRONGTYPE")
      expect(yield* server.use((client) => client.get("str"))).toBe("x")
    })))

  it.live("an unreachable server fails the build with 202 naming host:port", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      yield* server.stop
      const error = yield* Effect.flip(Effect.scoped(Redis.RedisSink.factory.build(spec({ port: server.port, stream: "x" }), ctx)))
      expect(error._tag).toBe("SinkUvs")
      expect(error.code).toBe(202)
      expect(String(error)).toContain(`127.0.0.1:${server.port}`)
    })))

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      for (const [params, path] of [
        [{}, "params.stream"],
        [{ stream: "a b" }, "params.stream"],
        [{ stream: "s", port: 70000 }, "params.port"],
        [{ stream: "s", maxlen: -1 }, "params.maxlen"],
        [{ stream: "s", maxlen: 1.5 }, "params.maxlen"],
        [{ stream: "s", field: "" }, "params.field"]
      ] as const) {
        const error = yield* Effect.flip(Redis.RedisSink.factory.validateSpec(spec(params)))
        expect(error._tag).toBe("ConfigError")
        expect(error.code).toBe(300)
        expect(String(error)).toContain(path)
      }
    }))
})
