import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as FileConnector from "../../../src/connectors/file/index.js"
import { ConnectorDef, ConnectorRegistry } from "../../../src/index.js"

const registry = ConnectorRegistry.fromConnectors(FileConnector.layer)

describe("file connector", () => {
  it.effect("registers its source, sink, URL adapter and definitions under kind file", () =>
    Effect.gen(function*() {
      const kinds = yield* (yield* ConnectorRegistry.ConnectorRegistry).kinds
      const info = kinds.find((k) => k.kind === "file")!
      expect(FileConnector.kind).toBe("file")
      expect(Option.isSome(info.source) && Option.isSome(info.sink) && Option.isSome(info.adapter)).toBe(true)
      expect(info.defs.map((d) => [d.id, d.scope])).toEqual([["file-src", "source"], ["file-sink", "sink"]])
      const [src, sink] = info.defs
      expect(src!.allowOverride).toEqual(expect.arrayContaining(["base", "file", "encode"]))
      expect(sink!.allowOverride).toEqual(expect.arrayContaining(["base", "file", "fmt"]))
      expect(ConnectorDef.encode(src!).params).toMatchObject({ encode: "text", follow: false, batch_lines: 1024 })
      expect(ConnectorDef.encode(sink!).params).toMatchObject({ fmt: "raw", fsync: true, rotate_bytes: 0 })
      for (const def of info.defs) yield* ConnectorDef.validate(def)
    }).pipe(Effect.provide(registry)))

  it.effect("maps file:///var/log/app.log to base and file", () =>
    Effect.gen(function*() {
      const adapter = FileConnector.adapter
      expect(yield* adapter.urlToParams("file:///var/log/app.log")).toEqual({ base: "/var/log", file: "app.log" })
      expect(yield* adapter.urlToParams("file://localhost/srv/my%20logs/a.log")).toEqual({
        base: "/srv/my logs",
        file: "a.log"
      })
      expect(yield* adapter.urlToParams("file:///app.log")).toEqual({ base: "/", file: "app.log" })
    }))

  it.effect("refuses URLs it cannot map, naming the part", () =>
    Effect.gen(function*() {
      const adapter = FileConnector.adapter
      const host = yield* Effect.flip(adapter.urlToParams("file://server/var/log/app.log"))
      expect(host.path).toBe("url.host")
      expect(host.code).toBe(300)
      const dir = yield* Effect.flip(adapter.urlToParams("file:///var/log/"))
      expect(dir.path).toBe("url.path")
      const scheme = yield* Effect.flip(adapter.urlToParams("tcp://127.0.0.1:9000"))
      expect(scheme.path).toBe("url.scheme")
      const garbage = yield* Effect.flip(adapter.urlToParams("not a url"))
      expect(garbage._tag).toBe("ConfigError")
    }))
})
