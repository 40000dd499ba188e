import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import * as Redis from "../../../src/connectors/redis/index.js"
import { SinkFactory, SourceFactory } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { redisServerWith } from "./server.js"

const password = "s3cret-pass"

const sourceSpec = (params: Record<string, unknown>): SourceFactory.ResolvedSourceSpec => ({
  name: "in",
  kind: "redis",
  connectorId: "redis-src",
  params: { stream: "s", group: "g", block_ms: 100, ...params } as SourceFactory.ResolvedSourceSpec["params"],
  tags: []
})

const sinkSpec = (params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "redis",
  connectorId: "redis-sink",
  params: { stream: "s", ...params } as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

describe("redis credentials", () => {
  it.live("with the password, a sink writes and a source reads a server that requires it", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServerWith({ password })
      yield* Effect.scoped(Effect.gen(function*() {
        const { sink } = yield* Redis.RedisSink.factory.build(sinkSpec({ port: server.port, password }), ctx)
        yield* sink.sinkStrBatch(["a", "b"])
      }))
      const got = yield* Effect.scoped(Effect.gen(function*() {
        const built = yield* Redis.RedisSource.factory.build(sourceSpec({ port: server.port, password }), { workRoot: "/nonexistent" })
        const source = built.sources[0]!.source
        const out: Array<unknown> = []
        while (out.length < 2) out.push(...(yield* source.receive).map((e) => e.payload))
        return out
      }).pipe(Effect.timeout(Duration.seconds(5))))
      expect(got).toEqual(["a", "b"])
    })))

  it.live("a wrong or missing password fails the build, not retryable, naming the params to check and never the password", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServerWith({ password })
      const wrongSource = yield* Effect.flip(Effect.scoped(Redis.RedisSource.factory.build(sourceSpec({ port: server.port, password: "nope" }), { workRoot: "/x" })))
      expect(wrongSource.code).toBe(500)
      expect(wrongSource.retryable).toBe(false)
      expect(wrongSource.message).toContain("WRONGPASS")
      expect(wrongSource.message).toContain("check params.username and params.password")
      expect(wrongSource.message).not.toContain("nope")
      const missing = yield* Effect.flip(Effect.scoped(Redis.RedisSource.factory.build(sourceSpec({ port: server.port }), { workRoot: "/x" })))
      expect(missing.retryable).toBe(false)
      expect(missing.message).toContain("NOAUTH")
      const wrongSink = yield* Effect.flip(Effect.scoped(Redis.RedisSink.factory.build(sinkSpec({ port: server.port, password: "nope" }), ctx)))
      expect(wrongSink.retryable).toBe(false)
      expect(wrongSink.message).toContain("WRONGPASS")
      expect(wrongSink.message).not.toContain("nope")
    })))
})
