/**
 * The tcp source params WarpParse writes: `framing = "auto"` (per frame: octet-counted when it starts
 * with digits and a space, else a line), `tcp_recv_bytes` (the longest frame) and `instances` (1 to 64:
 * another count is refused with the reason).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { ParamMap, Tags } from "../../../src/index.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { leakChecked, receiveN, send, startAcceptor, text } from "./harness.js"

/** A TCP source on a free port, serving, with `overrides`. */
const serve = (overrides: ParamMap.ParamMap) =>
  Effect.gen(function*() {
    const params = yield* ParamMap.decodeParams(Tcp.SourceParams, { port: 0, ...overrides })
    const built = yield* Tcp.TcpSource.make("net", params, Tags.empty)
    yield* startAcceptor(built.acceptor)
    return { port: built.acceptor.port, source: built.source }
  })

describe("tcp source: WarpParse's params", () => {
  it.live("framing auto: octet-counted and LF-delimited frames mixed on one connection", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ framing: "auto" })
      // "5 hello" and "11 hello world" are octet-counted; "42is a line" (digits, no space) and "plain line" are lines
      yield* send(port, "5 hello11 hello world42is a line\nplain line\n3 abc")
      const events = yield* receiveN(source, 5)
      expect(events.map(text)).toEqual(["hello", "hello world", "42is a line", "plain line", "abc"])
    })))

  it.live("tcp_recv_bytes is the longest frame: a longer one is cut and tagged truncated", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ tcp_recv_bytes: 4 })
      yield* send(port, "abcdefgh\nxy\n")
      const events = yield* receiveN(source, 2)
      expect(events.map(text)).toEqual(["abcd", "xy"])
      expect(events.map((e) => Tags.getOrUndefined(e.tags, "truncated"))).toEqual(["true", undefined])
    })))

  it("instances from 1 to 64 are accepted; another count is refused at instances with the reason", () => {
    expect(Either.isRight(Effect.runSync(Effect.either(ParamMap.decodeParams(Tcp.SourceParams, { instances: 1 }))))).toBe(true)
    expect(Either.isRight(Effect.runSync(Effect.either(ParamMap.decodeParams(Tcp.SourceParams, { instances: 4 }))))).toBe(true)
    const refused = Effect.runSync(Effect.either(ParamMap.decodeParams(Tcp.SourceParams, { instances: 65 })))
    const error = Option.getOrThrow(Either.getLeft(refused))
    expect(error.path).toBe("params.instances")
    expect(error.message).toContain("instances = 65: a source has from 1 to 64 instances")
  })
})
