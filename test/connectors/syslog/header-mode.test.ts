/**
 * WarpParse's `header_mode` of the syslog source: `keep` (the message as received, no header tags),
 * `strip` (its MSG only) and `parse` (its MSG, the header as tags); it wins over `strip_header` and
 * `attach_meta_tags`, and another value is refused naming the three. `prefer_newline` frames TCP by
 * LF only; `instances` is from 1 to 64.
 */
import * as dgram from "node:dgram"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { ParamMap, Tags } from "../../../src/index.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import { leakChecked, receiveN, send, startAcceptor, text } from "../tcp/harness.js"

const rfc5424 = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 - An application event"

/** A UDP syslog source on a free port, serving, with `overrides`. */
const serve = (overrides: ParamMap.ParamMap) =>
  Effect.gen(function*() {
    const params = yield* ParamMap.decodeParams(Syslog.SourceParams, { port: 0, ...overrides })
    const built = yield* Syslog.SyslogSource.make("logs", params, Tags.make({ env: "test" }))
    yield* startAcceptor(built.acceptor)
    return { port: built.acceptor.port, source: built.source }
  })

/** Sends `message` as one datagram to 127.0.0.1:`port`. */
const sendDatagram = (port: number, message: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => dgram.createSocket("udp4")),
    (socket) => Effect.async<void, Error>((resume) => socket.send(message, port, "127.0.0.1", (e) => resume(e ? Effect.fail(e) : Effect.void))),
    (socket) => Effect.async<void>((resume) => void socket.close(() => resume(Effect.void)))
  )

/** What the source makes of one message under `overrides`: payload text and tags. */
const received = (overrides: ParamMap.ParamMap) =>
  leakChecked(Effect.gen(function*() {
    const { port, source } = yield* serve(overrides)
    yield* sendDatagram(port, rfc5424)
    const [event] = yield* receiveN(source, 1)
    return { payload: text(event!), tags: Tags.toRecord(event!.tags) }
  }))

describe("syslog source header_mode", () => {
  it.live("keep: the message as received and no header tags, even with strip_header and attach_meta_tags", () =>
    Effect.gen(function*() {
      const r = yield* received({ header_mode: "keep", strip_header: true, attach_meta_tags: true })
      expect(r).toEqual({ payload: rfc5424, tags: { env: "test" } })
    }))

  it.live("strip: the MSG only, no header tags", () =>
    Effect.gen(function*() {
      const r = yield* received({ header_mode: "strip" })
      expect(r).toEqual({ payload: "An application event", tags: { env: "test" } })
    }))

  it.live("parse: the MSG, the header as tags, even with attach_meta_tags false", () =>
    Effect.gen(function*() {
      const r = yield* received({ header_mode: "parse", attach_meta_tags: false })
      expect(r.payload).toBe("An application event")
      expect(r.tags).toMatchObject({ env: "test", host: "mymachine.example.com", app: "evntslog", procid: "77", msgid: "ID47" })
    }))

  it("another value is refused at header_mode, naming the three", () => {
    const decoded = Effect.runSync(Effect.either(ParamMap.decodeParams(Syslog.SourceParams, { header_mode: "raw" })))
    expect(Either.isLeft(decoded)).toBe(true)
    const error = Either.getLeft(decoded).pipe((o) => o._tag === "Some" ? o.value : undefined)!
    expect(error.path).toBe("params.header_mode")
    expect(error.message).toMatch(/"keep".*"strip".*"parse"/s)
  })
})

describe("syslog source prefer_newline and instances", () => {
  it.live("over TCP a frame starting with digits and a space is octet-counted, unless prefer_newline", () =>
    Effect.gen(function*() {
      const framed = (prefer: boolean) =>
        leakChecked(Effect.gen(function*() {
          const { port, source } = yield* serve({ protocol: "tcp", prefer_newline: prefer })
          yield* send(port, "5 hello\n")
          const [event] = yield* receiveN(source, 1)
          return text(event!)
        }))
      expect(yield* framed(false)).toBe("hello")
      expect(yield* framed(true)).toBe("5 hello")
    }))

  it("instances from 1 to 64 are accepted, another count refused with the reason", () => {
    expect(Either.isRight(Effect.runSync(Effect.either(ParamMap.decodeParams(Syslog.SourceParams, { instances: 1 }))))).toBe(true)
    expect(Either.isRight(Effect.runSync(Effect.either(ParamMap.decodeParams(Syslog.SourceParams, { instances: 2 }))))).toBe(true)
    const refused = Effect.runSync(Effect.flip(ParamMap.decodeParams(Syslog.SourceParams, { instances: 0 })))
    expect(refused.path).toBe("params.instances")
    expect(refused.message).toContain("instances = 0: a source has from 1 to 64 instances")
  })
})
