import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Fiber } from "effect"
import { SourceEvent } from "../../../src/index.js"
import * as Bearer from "../../../src/connectors/http/bearer.js"
import * as Intake from "../../../src/connectors/http/intake.js"
import * as Lines from "../../../src/connectors/http/lines.js"

const ev = (payloads: ReadonlyArray<string>) => (eventId: number, i: number) =>
  SourceEvent.make({ eventId, srcKey: "t", payload: payloads[i]! })

const payloads = (batch: ReadonlyArray<SourceEvent.SourceEvent>) => batch.map((e) => e.payload)

describe("http Intake", () => {
  it.effect("admits a request whole or not at all, and numbers events across requests", () =>
    Effect.gen(function*() {
      const intake = yield* Intake.make(3)
      expect(yield* intake.offerAll(2, ev(["a", "b"]))).toEqual(Intake.Admission.Admitted())
      expect(yield* intake.offerAll(2, ev(["c", "d"]))).toEqual(Intake.Admission.Full({ waiting: 2 }))
      expect(intake.size()).toBe(2)
      expect(yield* intake.offerAll(1, ev(["c"]))).toEqual(Intake.Admission.Admitted())
      const batch = yield* intake.take(10)
      expect(payloads(batch)).toEqual(["a", "b", "c"])
      expect(batch.map((e) => e.eventId)).toEqual([0, 1, 2])
      expect(intake.size()).toBe(0)
    }))

  it.effect("take returns at most max events", () =>
    Effect.gen(function*() {
      const intake = yield* Intake.make(10)
      yield* intake.offerAll(5, ev(["1", "2", "3", "4", "5"]))
      expect(payloads(yield* intake.take(2))).toEqual(["1", "2"])
      expect(payloads(yield* intake.take(2))).toEqual(["3", "4"])
      expect(payloads(yield* intake.take(2))).toEqual(["5"])
    }))

  it.effect("once closed it refuses offers, drains what is queued, then ends with SourceEof every time", () =>
    Effect.gen(function*() {
      const intake = yield* Intake.make(2)
      yield* intake.offerAll(2, ev(["a", "b"])) // full: close still has room for its end marker
      yield* intake.close
      yield* intake.close
      expect(intake.size()).toBe(2)
      expect(yield* intake.offerAll(1, ev(["c"]))).toEqual(Intake.Admission.Closed())
      expect(payloads(yield* intake.take(10))).toEqual(["a", "b"])
      expect(intake.size()).toBe(0)
      expect((yield* Effect.flip(intake.take(10)))._tag).toBe("SourceEof")
      expect((yield* Effect.flip(intake.take(10)))._tag).toBe("SourceEof")
    }))

  it.effect("a waiting take wakes with the next request, or with SourceEof on close; interrupting it loses nothing", () =>
    Effect.gen(function*() {
      const intake = yield* Intake.make(5)
      const interrupted = yield* Effect.fork(intake.take(5))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(interrupted)
      const waiting = yield* Effect.fork(intake.take(5))
      yield* Effect.yieldNow()
      yield* intake.offerAll(2, ev(["x", "y"]))
      const got = yield* Fiber.join(waiting)
      const rest = got.length < 2 ? yield* intake.take(5) : []
      expect(payloads([...got, ...rest])).toEqual(["x", "y"])
      const ending = yield* Effect.fork(intake.take(5))
      yield* Effect.yieldNow()
      yield* intake.close
      const exit = yield* Fiber.await(ending)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : "none").toBe("SourceEof")
    }))
})

describe("http Lines", () => {
  const bytes = (s: string) => new TextEncoder().encode(s)

  it("splits on LF and CRLF, skipping blank lines", () => {
    expect(Lines.split(bytes("a\r\nb\n\n \t\nc\r\n"), "text")).toEqual(Either.right(["a", "b", "c"]))
    expect(Lines.split(bytes(""), "text")).toEqual(Either.right([]))
    expect(Lines.split(bytes("  padded  "), "text")).toEqual(Either.right(["  padded  "]))
  })

  it("names the first line that is not UTF-8 or not JSON", () => {
    const invalid = new Uint8Array([...bytes("ok\n\n"), 0xc3, 0x28, ...bytes("\nok")])
    const utf8 = Lines.split(invalid, "text")
    expect(Either.isLeft(utf8) && utf8.left.detail).toBe("line 3 is not valid UTF-8")
    expect(Either.isLeft(utf8) && utf8.left.status).toBe(400)
    const json = Lines.split(bytes(`{"a":1}\n{"b":\n`), "ndjson")
    expect(Either.isLeft(json) && json.left.detail).toMatch(/^line 2 is not JSON: /)
    expect(Lines.split(bytes(`1\r\n"two"\r\n\r\nnull`), "ndjson")).toEqual(Either.right(["1", `"two"`, "null"]))
  })
})

describe("http Bearer", () => {
  it("accepts exactly `Bearer <token>` (scheme in any case)", () => {
    const check = Bearer.verifier("t0k3n")
    expect(check("Bearer t0k3n")).toBe(true)
    expect(check("bearer   t0k3n ")).toBe(true)
    expect(check(undefined)).toBe(false)
    expect(check("Bearer t0k3")).toBe(false)
    expect(check("Bearer t0k3nn")).toBe(false)
    expect(check("Basic t0k3n")).toBe(false)
    expect(check("t0k3n")).toBe(false)
  })
})
