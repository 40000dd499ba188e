import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { ControlPlane, ParamMap, Tags } from "../../../src/index.js"
import * as HttpAcceptor from "../../../src/connectors/http/acceptor.js"
import * as Http from "../../../src/connectors/http/index.js"
import * as Intake from "../../../src/connectors/http/intake.js"
import { dangling, leakChecked, raw, receiveN, request, serve, text } from "./client.js"

const health = (port: number) => request(port, { method: "GET", path: "/health" })

/** `Bearer a`, `spaces` spaces, `b`: quadratic work for the backtracking regex the token check used. */
const hostile = (spaces: number) => `Bearer a${" ".repeat(spaces)}b`

/** A request head with one `X-Pad` header of `pad` bytes. */
const paddedHead = (pad: number) =>
  `POST /ingest HTTP/1.1\r\nHost: x\r\nX-Pad: ${"p".repeat(pad)}\r\nContent-Length: 3\r\n\r\nabc`

describe("http source under hostile clients", () => {
  it.live("pathological Authorization headers are refused with 401 while /health keeps answering", () =>
    leakChecked(Effect.gen(function*() {
      // a header bound large enough for 200,000 spaces: the check itself must be cheap
      const { port, source } = yield* serve({ token: "s3cret", max_header_bytes: 1048576 })
      const attacks = Effect.forEach(
        Array.from({ length: 4 }, (_, i) => i),
        () => Effect.forEach([1, 2, 3], () => request(port, { body: "x", headers: { authorization: hostile(200_000) } })),
        { concurrency: "unbounded" }
      )
      const probes = Effect.forEach([1, 2, 3, 4, 5], () =>
        Effect.gen(function*() {
          const start = Date.now()
          const answer = yield* health(port)
          return { status: answer.status, ms: Date.now() - start }
        }))
      const [refused, answered] = yield* Effect.all([attacks, probes], { concurrency: "unbounded" })
      const all = refused.flat()
      expect(all).toHaveLength(12)
      expect(all.every((a) => a.status === 401 && (a.json as { error: string }).error === "invalid bearer token")).toBe(true)
      expect(answered.map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
      // each check of such a header took ~30 s with the regex; now /health answers at once
      expect(Math.max(...answered.map((a) => a.ms))).toBeLessThan(2000)
      const ok = yield* request(port, { body: "in", headers: { authorization: "Bearer s3cret" } })
      expect(ok.status).toBe(202)
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["in"])
    })))

  it.live("a request head over max_header_bytes is answered 431 and closed; the server keeps serving", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ max_header_bytes: 4096 })
      const over = yield* raw(port, paddedHead(5000))
      expect(over).toMatch(/^HTTP\/1\.1 431 /)
      expect((yield* request(port, { body: "small", headers: { "x-pad": "p".repeat(3000) } })).status).toBe(202)
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["small"])
    })))

  it.live("the default header bound is 16 KiB: a 20,000-byte header gets 431", () =>
    leakChecked(Effect.gen(function*() {
      const { port } = yield* serve()
      expect(yield* raw(port, paddedHead(20_000))).toMatch(/^HTTP\/1\.1 431 /)
      expect((yield* request(port, { body: "small", headers: { "x-pad": "p".repeat(15_000) } })).status).toBe(202)
    })))
})

describe("max_header_bytes", () => {
  it.effect("defaults to 16384, is overridable, and a value out of 1024–1048576 is a ConfigError naming it", () =>
    Effect.gen(function*() {
      expect((yield* ParamMap.decodeParams(Http.SourceParams, {})).max_header_bytes).toBe(16384)
      expect(Http.sourceDefs.sourceDef().defaultParams["max_header_bytes"]).toBe(16384)
      expect(Http.sourceDefs.sourceDefs()[0]!.allowOverride).toContain("max_header_bytes")
      for (const bad of [0, 1023, 1048577, 2048.5, "16384"]) {
        const error = yield* Effect.flip(ParamMap.decodeParams(Http.SourceParams, { max_header_bytes: bad }, "params"))
        expect(error).toMatchObject({ _tag: "ConfigError", code: 300, path: "params.max_header_bytes" })
      }
    }))
})

describe("http acceptor timeouts", () => {
  /** An acceptor bound with short timeouts, serving. */
  const serveWith = (timeouts: Partial<HttpAcceptor.Timeouts>) =>
    Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(Http.SourceParams, { port: 0 })
      const intake = yield* Intake.make(params.queue_events)
      const acceptor = yield* HttpAcceptor.bind({ params, intake, name: "web", tags: Tags.empty, timeouts })
      const plane = yield* ControlPlane.make
      yield* Effect.forkScoped(acceptor.acceptConnection(yield* plane.subscribe))
      while ((yield* health(acceptor.port)).status !== 200) yield* Effect.sleep(Duration.millis(2))
      return acceptor
    })

  it.live("a client that sends no request head, or half of one, is answered 408 and closed after the headers timeout", () =>
    leakChecked(Effect.gen(function*() {
      const acceptor = yield* serveWith({ headers: Duration.seconds(1), check: Duration.millis(200) })
      const silent = yield* dangling(acceptor.port, "")
      const half = yield* dangling(acceptor.port, "POST /ingest HTTP/1.1\r\nHost: x\r\n")
      const within = { duration: Duration.seconds(10), onTimeout: () => new Error("connection not closed by the server") }
      expect(yield* Effect.timeoutFail(silent.answer, within)).toMatch(/^HTTP\/1\.1 408 /)
      expect(yield* Effect.timeoutFail(half.answer, within)).toMatch(/^HTTP\/1\.1 408 /)
      expect((yield* request(acceptor.port, { body: "ok" })).status).toBe(202)
    })))

  it.live("a body that stalls is answered 408 and closed after the request timeout; nothing of it is queued", () =>
    leakChecked(Effect.gen(function*() {
      const acceptor = yield* serveWith({ headers: Duration.seconds(1), request: Duration.seconds(2), check: Duration.millis(200) })
      const stalled = yield* dangling(acceptor.port, "POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf\n")
      const answer = yield* Effect.timeoutFail(stalled.answer, {
        duration: Duration.seconds(10),
        onTimeout: () => new Error("connection not closed by the server")
      })
      expect(answer).toMatch(/^HTTP\/1\.1 408 /)
      expect((yield* health(acceptor.port)).json).toMatchObject({ queued: 0 })
    })))

  it.live("an idle keep-alive connection is closed by the server after the keep-alive timeout", () =>
    leakChecked(Effect.gen(function*() {
      const { port } = yield* serveWith({ keepAlive: Duration.millis(500) })
      // a raw client that keeps its connection open: only the server can close it
      const answer = yield* Effect.timeoutFail(raw(port, "POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"), {
        duration: Duration.seconds(10),
        onTimeout: () => new Error("idle keep-alive connection not closed by the server")
      })
      expect(answer).toMatch(/^HTTP\/1\.1 202 /)
      expect(answer).toMatch(/keep-alive/i) // it was kept open after the reply, then closed for idling
    })))
})
