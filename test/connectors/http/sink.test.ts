import * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, type Scope, TestClock, TestContext } from "effect"
import * as Http from "../../../src/connectors/http/index.js"
import { DataRecord, type ParamMap, SinkFactory } from "../../../src/index.js"
import { freePort } from "../../../src/testkit/ports.js"
import { leakChecked } from "./client.js"
import { linesOf, scriptedServer, type ScriptedServer, sourceReceiver } from "./receiver.js"

const spec = (params: ParamMap.ParamMap): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "http",
  connectorId: "http-sink",
  params,
  filter: Option.none()
})

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

const build = (params: ParamMap.ParamMap) => Effect.map(Http.HttpSink.factory.build(spec(params), ctx), (h) => h.sink)

/** Waits on real time (not the test clock) until `done` holds, for at most 5 s. */
const eventually = (done: () => boolean, what: string) =>
  Effect.promise(async () => {
    const deadline = Date.now() + 5000
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`not within 5 s: ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })

/** Runs `self` and its Scope on a TestClock. */
const onTestClock = <A, E>(self: Effect.Effect<A, E, Scope.Scope>) => Effect.provide(Effect.scoped(self), TestContext.TestContext)

/** Lets real I/O run for `ms` (the test clock stands still meanwhile). */
const realPause = (ms: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

const record = DataRecord.make([
  DataRecord.field("n", Option.getOrThrow(DataRecord.digit(42))),
  DataRecord.field("msg", DataRecord.chars("héllo \"q\"\n")),
  DataRecord.field("ok", DataRecord.bool(true))
])

const bodies = (server: ScriptedServer) => server.seen().map((s) => s.body)

describe("http sink", () => {
  it.live("text, ndjson and json_array bodies: payloads as they are or as JSON strings, records as objects, one request per batch", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* scriptedServer()
      const bytes = new Uint8Array([0x61, 0xff, 0x62])
      for (const format of ["text", "ndjson", "json_array"] as const) {
        const sink = yield* build({ port: server.port, format })
        yield* sink.sinkStrBatch(["a b", "ü \"x\""])
        yield* sink.sinkBytesBatch([bytes])
        yield* sink.sinkRecords([record, DataRecord.empty])
        yield* sink.sinkStrBatch([]) // nothing to send: no request
      }
      const seen = server.seen()
      expect(seen.map((s) => s.headers["content-type"])).toEqual([
        ...Array(3).fill("text/plain; charset=utf-8"),
        ...Array(3).fill("application/x-ndjson"),
        ...Array(3).fill("application/json")
      ])
      const json = "{\"n\":42,\"msg\":\"héllo \\\"q\\\"\\n\",\"ok\":true}"
      expect(bodies(server)).toEqual([
        "a b\nü \"x\"\n",
        "a\ufffdb\n",
        `${json}\n{}\n`,
        "\"a b\"\n\"ü \\\"x\\\"\"\n",
        "\"a\ufffdb\"\n",
        `${json}\n{}\n`,
        "[\"a b\",\"ü \\\"x\\\"\"]",
        "[\"a\ufffdb\"]",
        `[${json},{}]`
      ])
      expect(JSON.parse(seen[8]!.body)).toEqual([{ n: 42, msg: "héllo \"q\"\n", ok: true }, {}])
      expect(seen.every((s) => s.headers["user-agent"] === "wpc-http-sink" && s.headers["content-encoding"] === undefined)).toBe(true)
    })))

  it.live("text keeps bytes that are not UTF-8 as they are", () =>
    leakChecked(Effect.gen(function*() {
      const chunks: Array<Buffer> = []
      const server = yield* Effect.acquireRelease(
        Effect.async<net.Server>((resume) => {
          // a raw TCP server reading the request as bytes: the scripted one decodes bodies as text
          const s = net.createServer((socket) => {
            socket.on("data", (c: Buffer) => {
              chunks.push(c)
              if (Buffer.concat(chunks).includes(Buffer.from([0xff, 0x0a]))) socket.end("HTTP/1.1 204 No Content\r\n\r\n")
            })
          })
          s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) => Effect.async<void>((resume) => void s.close(() => resume(Effect.void)))
      )
      const sink = yield* build({ port: (server.address() as net.AddressInfo).port })
      yield* sink.sinkBytes(new Uint8Array([0x00, 0xc3, 0x28, 0xff]))
      const request = Buffer.concat(chunks)
      expect([...request.subarray(request.length - 5)]).toEqual([0x00, 0xc3, 0x28, 0xff, 0x0a])
    })))

  it.live("gzip compresses the body and says so; bearer and basic credentials go in Authorization", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* scriptedServer()
      const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${"x".repeat(50)}`)
      const zipped = yield* build({ port: server.port, gzip: true, token: "s3cret" })
      yield* zipped.sinkStrBatch(lines)
      const basic = yield* build({ port: server.port, username: "ann", password: "pa:ss" })
      yield* basic.sinkStr("b")
      const userOnly = yield* build({ port: server.port, username: "bob" })
      yield* userOnly.sinkStr("c")
      const [first, second, third] = server.seen()
      expect(first!.headers["content-encoding"]).toBe("gzip")
      expect(Number(first!.headers["content-length"])).toBeLessThan(lines.join("\n").length / 5)
      expect(linesOf(first!.body)).toEqual(lines)
      expect(first!.headers.authorization).toBe("Bearer s3cret")
      expect(second!.headers.authorization).toBe(`Basic ${Buffer.from("ann:pa:ss").toString("base64")}`)
      expect(third!.headers.authorization).toBe(`Basic ${Buffer.from("bob:").toString("base64")}`)
      expect(server.accepted()).toEqual([...lines, "b", "c"])
    })))

  it.live("a 429's Retry-After holds the next request back until then (on the effect clock), capped by retry_after_max_ms", () =>
    onTestClock(Effect.gen(function*() {
      const server = yield* scriptedServer([
        { _tag: "Answer", status: 429, headers: { "retry-after": "2" }, body: "{\"error\":\"slow down\"}" },
        { _tag: "Answer", status: 503, headers: { "retry-after": "3600" } }
      ])
      const sink = yield* build({ port: server.port, retry_after_max_ms: 5000 })
      const limited = yield* Effect.flip(sink.sinkStr("a"))
      expect(limited).toMatchObject({ _tag: "SinkUvs", code: 203, retryable: true })
      expect(limited.message).toContain(`POST http://127.0.0.1:${server.port}/ingest answered 429 Too Many Requests: {"error":"slow down"}`)
      expect(limited.message).toContain("Retry-After 2: the next request waits 2000 ms")

      const next = yield* Effect.fork(sink.sinkStr("a"))
      yield* realPause(100)
      expect(server.seen()).toHaveLength(1) // held back
      yield* TestClock.adjust(Duration.millis(1999))
      yield* realPause(100)
      expect(server.seen()).toHaveLength(1)
      yield* TestClock.adjust(Duration.millis(1))
      const unavailable = yield* Effect.flip(Fiber.join(next))
      expect(unavailable).toMatchObject({ _tag: "SinkUnavailable", code: 500, retryable: true })
      expect(unavailable.message).toContain("the next request waits 5000 ms") // 3600 s asked, 5 s at most

      const last = yield* Effect.fork(sink.sinkStr("a"))
      yield* realPause(50) // the write reads the clock and sleeps before the clock moves
      yield* TestClock.adjust(Duration.millis(4999))
      yield* realPause(100)
      expect(server.seen()).toHaveLength(2)
      yield* TestClock.adjust(Duration.millis(1))
      yield* Fiber.join(last)

      expect(server.accepted()).toEqual(["a"])
    })))

  it.live("against the project's own http source: a full queue's 503 + Retry-After is waited out, a batch it can never take (413) is final", () =>
    leakChecked(Effect.gen(function*() {
      const receiver = yield* sourceReceiver({ queue_events: 4, retry_after_s: 1, format: "ndjson" })
      const sink = yield* build({ port: receiver.port, format: "ndjson" })
      yield* sink.sinkStrBatch(["a", "b", "c"])
      const full = yield* Effect.flip(sink.sinkStrBatch(["d", "e"]))
      expect(full).toMatchObject({ _tag: "SinkUnavailable", code: 500, retryable: true })
      expect(full.message).toContain("answered 503 Service Unavailable: {\"error\":\"queue full: 3 of 4 events waiting, request has 2; retry later\"}")
      expect(full.message).toContain("Retry-After 1: the next request waits 1000 ms")
      expect(yield* receiver.lines).toEqual(["\"a\"", "\"b\"", "\"c\""]) // the pipeline drains the queue
      yield* sink.sinkStrBatch(["d", "e"])
      const tooMany = yield* Effect.flip(sink.sinkStrBatch(["1", "2", "3", "4", "5"]))
      expect(tooMany).toMatchObject({ _tag: "SinkUvs", code: 200, retryable: false })
      expect(tooMany.message).toContain("answered 413 Payload Too Large: {\"error\":\"request has 5 events, more than queue_events (4); split it\"}")
      expect(yield* receiver.lines).toEqual(["a", "b", "c", "d", "e"].map((l) => JSON.stringify(l)))
    })))

  it.live("retry_after_max_ms = 0 ignores Retry-After; an HTTP-date Retry-After is read as the time until it", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* scriptedServer([{ _tag: "Answer", status: 429, headers: { "retry-after": new Date(Date.now() + 3_600_000).toUTCString() } }])
      const sink = yield* build({ port: server.port, retry_after_max_ms: 0 })
      const error = yield* Effect.flip(sink.sinkStr("a"))
      expect(error.message).not.toContain("waits")
      yield* sink.sinkStr("a") // at once
      expect(server.accepted()).toEqual(["a"])
      expect(Http.RetryAfter.waitMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(10_000)
      expect(Http.RetryAfter.waitMs("Wed, 21 Oct 2015 07:28:00 GMT", Date.UTC(2030, 0, 1))).toBe(0)
      expect(Http.RetryAfter.waitMs(["7"], 0)).toBe(7000)
      expect(Http.RetryAfter.waitMs("soon", 0)).toBeUndefined()
      expect(Http.RetryAfter.waitMs(undefined, 0)).toBeUndefined()
    })))

  it.live("5xx and 408 are retryable; other statuses are not, with the status, the start of the body and a code per kind", () =>
    leakChecked(Effect.gen(function*() {
      const long = "e".repeat(2000)
      const cases = [
        [500, "boom", "SinkUnavailable", 500, true],
        [502, "", "SinkUnavailable", 500, true],
        [408, "", "SinkUvs", 204, true],
        [400, "{\"error\":\"line 1 is not JSON\"}", "SinkUvs", 200, false],
        [413, long, "SinkUvs", 200, false],
        [401, "no token", "SinkUvs", 103, false],
        [404, "", "SinkUvs", 102, false],
        [409, "conflict", "SinkUvs", 301, false],
        [302, "", "SinkUvs", 301, false]
      ] as const
      const server = yield* scriptedServer(cases.map(([status, body]) => ({ _tag: "Answer", status, body })))
      const sink = yield* build({ port: server.port })
      for (const [status, body, tag, code, retryable] of cases) {
        const error = yield* Effect.flip(sink.sinkStr("x"))
        expect(error, `status ${status}`).toMatchObject({ _tag: tag, code, retryable })
        expect(error.message).toContain(`answered ${status}`)
        if (body !== "" && body !== long) expect(error.message).toContain(body)
        if (status === 401) expect(error.message).toContain("check params.token")
        if (body === long) {
          // the body is quoted up to 512 bytes
          expect(error.message).toContain(`answered 413 Payload Too Large: ${"e".repeat(512)}`)
          expect(error.message).not.toContain("e".repeat(513))
        }
      }
      yield* sink.sinkStr("after")
      expect(server.accepted()).toEqual(["after"])
    })))

  it.live("a connection reset before the answer is retryable (202); the next write opens a new connection", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* scriptedServer([{ _tag: "Accept" }, { _tag: "Reset" }])
      const sink = yield* build({ port: server.port })
      yield* sink.sinkStr("one") // a kept-alive connection, then reset under the next request
      const error = yield* Effect.flip(sink.sinkStr("two"))
      expect(error).toMatchObject({ _tag: "SinkUvs", code: 202, retryable: true })
      expect(error.message).toContain(`POST http://127.0.0.1:${server.port}/ingest failed`)
      yield* sink.sinkStr("two")
      expect(server.accepted()).toEqual(["one", "two"])
      expect(bodies(server)).toEqual(["one\n", "", "two\n"])
    })))

  it.live("a connection reset while a large body is still being sent is retryable (202); the retry sends it whole", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* scriptedServer([{ _tag: "Reset" }])
      const sink = yield* build({ port: server.port })
      const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${"y".repeat(60)}`) // about 3 MB
      const error = yield* Effect.flip(sink.sinkStrBatch(lines))
      expect(error).toMatchObject({ _tag: "SinkUvs", code: 202, retryable: true })
      yield* sink.sinkStrBatch(lines)
      expect(server.accepted()).toEqual(lines)
    })))

  it.live("an answer later than request_timeout_ms is a retryable TimeoutError (204); what the server kept then comes twice", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* scriptedServer([{ _tag: "Late", ms: 3000 }])
      const sink = yield* build({ port: server.port, request_timeout_ms: 200 })
      const error = yield* Effect.flip(sink.sinkStr("slow"))
      expect(error).toMatchObject({ _tag: "SinkUvs", code: 204, retryable: true })
      expect(error.message).toContain("got no whole answer within 200 ms")
      yield* sink.sinkStr("slow")
      expect(server.accepted()).toEqual(["slow", "slow"])
    })))

  it.live("nobody listening: the write fails retryably (202) naming the URL; the build does not connect", () =>
    leakChecked(Effect.gen(function*() {
      const port = yield* freePort
      const sink = yield* build({ port, path: "/v1/logs?tenant=a" })
      const error = yield* Effect.flip(sink.sinkStr("x"))
      expect(error).toMatchObject({ _tag: "SinkUvs", code: 202, retryable: true })
      expect(error.message).toContain(`POST http://127.0.0.1:${port}/v1/logs?tenant=a failed`)
      expect(error.message).toContain("ECONNREFUSED")
    })))

  it.live("stop closes the connection; a write after it fails with a coded error and sends nothing", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* scriptedServer()
      const sink = yield* build({ port: server.port })
      yield* sink.sinkStr("a")
      yield* sink.stop
      expect((yield* Effect.flip(sink.sinkStr("b"))).message).toContain("sink stopped")
      yield* eventually(() => server.seen().length === 1, "one request")
      expect(server.accepted()).toEqual(["a"])
    })))

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      for (const [params, path, says] of [
        [{ port: 0 }, "params.port", "between 1 and 65535"],
        [{ path: "ingest" }, "params.path", "an absolute path"],
        [{ path: "/a#b" }, "params.path", "an absolute path"],
        [{ format: "xml" }, "params.format", "ndjson"],
        [{ gzip: "yes" }, "params.gzip", "boolean"],
        [{ token: "" }, "params.token", ""],
        [{ token: "t", username: "u" }, "params.username", "exclude each other"],
        [{ password: "p" }, "params.password", "password needs username"],
        [{ username: "a:b" }, "params.username", "without \":\""],
        [{ request_timeout_ms: 0 }, "params.request_timeout_ms", ">= 1"],
        [{ retry_after_max_ms: -1 }, "params.retry_after_max_ms", ">= 0"],
        [{ url: "http://x" }, "params.url", "unknown key"]
      ] as const) {
        const error = yield* Effect.flip(Http.HttpSink.factory.validateSpec(spec(params)))
        expect(error, JSON.stringify(params)).toMatchObject({ _tag: "ConfigError", code: 300, path })
        expect(error.message).toContain(says)
      }
    }))

  it.effect("ships http-sink: the Schema's defaults, secrets marked, every key overridable", () =>
    Effect.gen(function*() {
      const [def] = Http.sinkDefs.sinkDefs()
      expect(def).toMatchObject({ id: "http-sink", kind: "http" })
      expect(def!.defaultParams).toEqual({
        addr: "127.0.0.1",
        port: 8080,
        path: "/ingest",
        format: "text",
        gzip: false,
        connect_timeout_ms: 5000,
        request_timeout_ms: 30000,
        retry_after_max_ms: 30000
      })
      expect([...def!.allowOverride]).toContain("password")
      // one URL names the source's listen address and the sink's target alike
      expect(yield* Http.adapter.urlToParams("http://10.0.0.5:9000/v1/logs")).toEqual({ addr: "10.0.0.5", port: 9000, path: "/v1/logs" })
    }))
})
