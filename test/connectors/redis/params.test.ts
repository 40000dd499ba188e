import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConnectorDef, ParamMap } from "../../../src/index.js"
import * as Redis from "../../../src/connectors/redis/index.js"

describe("redis params", () => {
  it.effect("maps redis://host:port/db?stream=x&group=y to params", () =>
    Effect.gen(function*() {
      expect(yield* Redis.adapter.urlToParams("redis://10.0.0.5:6380/2?stream=logs&group=wp&batch=64&create_group=false")).toEqual({
        host: "10.0.0.5",
        port: 6380,
        db: 2,
        stream: "logs",
        group: "wp",
        batch: 64,
        create_group: false
      })
      expect(yield* Redis.adapter.urlToParams("redis://127.0.0.1")).toEqual({ host: "127.0.0.1" })
      expect(Redis.adapter.defaults()).toMatchObject({ port: 6379, db: 0, batch: 1024, claim_idle_ms: 30000 })
    }))

  it.effect("refuses URLs it cannot honour, naming the URL part", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(Redis.adapter.urlToParams("rediss://127.0.0.1/0"))).toMatchObject({ _tag: "ConfigError", code: 300, path: "url.scheme" })
      expect((yield* Effect.flip(Redis.adapter.urlToParams("redis://u:p@127.0.0.1/0"))).path).toBe("url.userinfo")
      expect((yield* Effect.flip(Redis.adapter.urlToParams("redis://127.0.0.1/zero"))).path).toBe("url.path")
      expect((yield* Effect.flip(Redis.adapter.urlToParams("redis://127.0.0.1/0?colour=red"))).path).toBe("url.query.colour")
      expect((yield* Effect.flip(Redis.adapter.urlToParams("redis://127.0.0.1/0?batch=many"))).path).toBe("url.query.batch")
      expect((yield* Effect.flip(Redis.adapter.urlToParams("redis://127.0.0.1/0?create_group=yes"))).path).toBe("url.query.create_group")
      expect((yield* Effect.flip(Redis.adapter.urlToParams("redis://127.0.0.1/0#x"))).path).toBe("url.fragment")
    }))

  it.effect("the Schemas name the bad param", () =>
    Effect.gen(function*() {
      const source = (pm: ParamMap.ParamMap) => Effect.flip(ParamMap.decodeParams(Redis.SourceParams, pm, "params"))
      const ok = yield* ParamMap.decodeParams(Redis.SourceParams, { stream: "s", group: "g" }, "params")
      expect(ok).toMatchObject({ host: "127.0.0.1", port: 6379, db: 0, batch: 1024, block_ms: 1000, start_id: "0", create_group: true })
      expect(yield* source({ group: "g" })).toMatchObject({ _tag: "ConfigError", code: 300, path: "params.stream" })
      expect((yield* source({ stream: "s" })).path).toBe("params.group")
      expect((yield* source({ stream: "s", group: "g", port: 0 })).path).toBe("params.port")
      expect((yield* source({ stream: "s", group: "g", db: 16 })).path).toBe("params.db")
      expect((yield* source({ stream: "s", group: "g", batch: 0 })).path).toBe("params.batch")
      expect((yield* source({ stream: "s", group: "g", start_id: "latest" })).path).toBe("params.start_id")
      expect((yield* source({ stream: "a b", group: "g" })).path).toBe("params.stream")
      const sink = yield* Effect.flip(ParamMap.decodeParams(Redis.SinkParams, { stream: "s", maxlen: -1 }, "params"))
      expect(sink.path).toBe("params.maxlen")
    }))

  it.effect("ships redis-src and redis-sink definitions", () =>
    Effect.gen(function*() {
      const [src] = Redis.sourceDefs.sourceDefs()
      const [sink] = Redis.sinkDefs.sinkDefs()
      expect(src!.id).toBe("redis-src")
      expect(src!.allowOverride).toEqual(expect.arrayContaining(["stream", "group", "consumer", "claim_idle_ms"]))
      expect(sink!.id).toBe("redis-sink")
      expect(sink!.defaultParams).toMatchObject({ maxlen: 0, field: "payload" })
      expect(yield* ConnectorDef.validate(src!)).toBe(src)
      expect(yield* ConnectorDef.validate(sink!)).toBe(sink)
    }))
})
