import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ConnectorDef, ParamMap } from "../../../src/index.js"
import * as Http from "../../../src/connectors/http/index.js"
import { spec } from "./client.js"

const validate = (params: ParamMap.ParamMap, tags: ReadonlyArray<string> = []) =>
  Effect.flip(Http.HttpSource.factory.validateSpec(spec(params, tags)))

describe("http params", () => {
  it.effect("maps http://addr:port/path to params; a bare URL keeps the default port and path", () =>
    Effect.gen(function*() {
      expect(yield* Http.adapter.urlToParams("http://127.0.0.1:8080/ingest")).toEqual({
        addr: "127.0.0.1",
        port: 8080,
        path: "/ingest"
      })
      expect(yield* Http.adapter.urlToParams("http://0.0.0.0")).toEqual({ addr: "0.0.0.0" })
      expect(yield* Http.adapter.urlToParams("http://[::1]:9000/v1/logs")).toEqual({ addr: "::1", port: 9000, path: "/v1/logs" })
      expect(Http.adapter.defaults()).toMatchObject({ port: 8080, path: "/ingest", format: "text" })
    }))

  it.effect("refuses URLs it cannot honour, naming the URL part", () =>
    Effect.gen(function*() {
      const https = yield* Effect.flip(Http.adapter.urlToParams("https://127.0.0.1:8443/ingest"))
      expect(https).toMatchObject({ _tag: "ConfigError", code: 300, path: "url.scheme" })
      expect((yield* Effect.flip(Http.adapter.urlToParams("http://u:p@127.0.0.1/ingest"))).path).toBe("url.userinfo")
      expect((yield* Effect.flip(Http.adapter.urlToParams("http://127.0.0.1/ingest?token=x"))).path).toBe("url.query")
      expect((yield* Effect.flip(Http.adapter.urlToParams("http://127.0.0.1/ingest#x"))).path).toBe("url.fragment")
      expect((yield* Effect.flip(Http.adapter.urlToParams("http://127.0.0.1/health"))).path).toBe("url.path")
      expect((yield* Effect.flip(Http.adapter.urlToParams("http://127.0.0.1:99999/"))).path).toBe("url.port")
    }))

  it.effect("validateSpec names the bad param", () =>
    Effect.gen(function*() {
      expect(yield* validate({ port: 70000 })).toMatchObject({ _tag: "ConfigError", code: 300, path: "params.port" })
      expect((yield* validate({ port: "8080" })).path).toBe("params.port")
      expect((yield* validate({ format: "xml" })).path).toBe("params.format")
      expect((yield* validate({ path: "ingest" })).path).toBe("params.path")
      const health = yield* validate({ path: "/health" })
      expect(health.path).toBe("params.path")
      expect(health.message).toContain("reserved for the health check")
      expect((yield* validate({ max_body_bytes: 0 })).path).toBe("params.max_body_bytes")
      expect((yield* validate({ queue_events: 1.5 })).path).toBe("params.queue_events")
      expect((yield* validate({ retry_after_s: -1 })).path).toBe("params.retry_after_s")
      expect((yield* validate({ token: "" })).path).toBe("params.token")
      expect((yield* validate({}, ["no-colon"])).path).toBe("tags[0]")
    }))

  it.effect("ships the http-src definition with defaults and allow_override", () =>
    Effect.gen(function*() {
      const [def] = Http.sourceDefs.sourceDefs()
      expect(def!.id).toBe("http-src")
      expect(def!.kind).toBe("http")
      expect(def!.allowOverride).toContain("token")
      expect(def!.defaultParams).toMatchObject({ addr: "127.0.0.1", port: 8080, max_body_bytes: 10485760, retry_after_s: 1 })
      expect(yield* ConnectorDef.validate(def!)).toBe(def)
    }))
})
