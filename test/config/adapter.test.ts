import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as ConnectorKindAdapter from "../../src/config/adapter.js"
import * as ParamMap from "../../src/config/param.js"
import { ConfigError } from "../../src/errors/config.js"

/** A sample adapter: `tcp://host:port` -> `{ addr, port }`. */
const tcp = ConnectorKindAdapter.make({
  kind: "tcp",
  defaults: () => ParamMap.make({ addr: "0.0.0.0", port: 9000, framing: "line" }),
  urlToParams: (url) =>
    Effect.gen(function*() {
      const parsed = yield* ConnectorKindAdapter.parseUrl(url, ["tcp"])
      if (parsed.hostname === "") {
        return yield* new ConfigError({
          detail: `missing host in ${JSON.stringify(url)}`,
          path: "url.host",
          expected: "tcp://host:port"
        })
      }
      if (parsed.port === "") {
        return yield* new ConfigError({
          detail: `missing port in ${JSON.stringify(url)}`,
          path: "url.port",
          expected: "tcp://host:port"
        })
      }
      const addr = parsed.hostname.startsWith("[") ? parsed.hostname.slice(1, -1) : parsed.hostname
      return ParamMap.make({ addr, port: Number(parsed.port) })
    })
})

describe("ConnectorKindAdapter.make", () => {
  it("keeps kind and defaults", () => {
    expect(tcp.kind).toBe("tcp")
    expect(tcp.defaults()).toEqual({ addr: "0.0.0.0", framing: "line", port: 9000 })
  })

  it("defaults to an empty ParamMap when no defaults are given", () => {
    const adapter = ConnectorKindAdapter.make({ kind: "blackhole", urlToParams: () => Effect.succeed(ParamMap.empty) })
    expect(adapter.defaults()).toEqual({})
  })

  it("accepts a fixed table of defaults and hands out copies", () => {
    const adapter = ConnectorKindAdapter.make({
      kind: "file",
      defaults: { path: "./out.log" },
      urlToParams: () => Effect.succeed(ParamMap.empty)
    })
    expect(adapter.defaults()).toEqual({ path: "./out.log" })
    expect(adapter.defaults()).not.toBe(adapter.defaults())
  })
})

describe("sample tcp adapter", () => {
  it.effect("maps tcp://127.0.0.1:9000 to { addr, port }", () =>
    Effect.gen(function*() {
      expect(yield* tcp.urlToParams("tcp://127.0.0.1:9000")).toEqual({ addr: "127.0.0.1", port: 9000 })
      expect(yield* tcp.urlToParams("TCP://[::1]:514")).toEqual({ addr: "::1", port: 514 })
    }))

  const bad: ReadonlyArray<[string, string, string]> = [
    ["tcp://", "url.host", "missing host"],
    ["tcp://127.0.0.1", "url.port", "missing port"],
    ["nonsense", "url.scheme", "no scheme"],
    ["ftp://x", "url.scheme", `unsupported scheme "ftp:" in "ftp://x"`],
    ["tcp://127.0.0.1:abc", "url.port", `invalid port "abc"`],
    ["tcp://127.0.0.1:70000", "url.port", `invalid port "70000"`],
    ["tcp://:9000", "url.host", "missing host"]
  ]
  for (const [url, path, detail] of bad) {
    it.effect(`rejects ${url} naming ${path}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(tcp.urlToParams(url))
        expect(error).toBeInstanceOf(ConfigError)
        expect(error._tag).toBe("ConfigError")
        expect(error.code).toBe(300)
        expect(error.path).toBe(path)
        expect(error.detail).toContain(detail)
      }))
  }
})

describe("ConnectorKindAdapter.parseUrl", () => {
  it.effect("lists the supported schemes in expected", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ConnectorKindAdapter.parseUrl("ftp://x", ["file:", "TCP"]))
      expect(error.path).toBe("url.scheme")
      expect(error.detail).toBe(`unsupported scheme "ftp:" in "ftp://x"`)
      expect(error.expected).toBe("one of file:, tcp:")
    }))

  it.effect("returns the parsed URL", () =>
    Effect.gen(function*() {
      const url = yield* ConnectorKindAdapter.parseUrl("file:///var/log/app.log?follow=true", ["file"])
      expect(url.pathname).toBe("/var/log/app.log")
      expect(url.searchParams.get("follow")).toBe("true")
    }))

  it.effect("names the whole URL when the part cannot be told", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ConnectorKindAdapter.parseUrl("tcp://a b/x", ["tcp"]))
      expect(error.path).toBe("url")
      expect(error.detail).toContain("malformed URL")
    }))
})

describe("ConnectorKindAdapter: credentials never quoted", () => {
  it("refuse masks the password of the URL it quotes", () => {
    const error = ConnectorKindAdapter.refuse("redis://app:s3cret-pw@127.0.0.1:6379/0", "userinfo", "credentials", "params.password")
    expect(error.message).not.toContain("s3cret-pw")
    expect(error.message).toContain(`"redis://app:***@127.0.0.1:6379/0"`)
    expect(error.path).toBe("url.userinfo")
  })

  it.effect("a URL refused as unparsable is quoted with its credentials masked", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ConnectorKindAdapter.parseUrl("tcp://u:hunter2@:99999", ["tcp"]))
      expect(error.message).not.toContain("hunter2")
      expect(error.message).toContain("u:***@")
    }))
})
