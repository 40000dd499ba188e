import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Bearer from "../../../src/connectors/http/bearer.js"

/** `Bearer a`, `spaces` spaces, `b`: the header that made the old regex take quadratic time. */
const hostile = (spaces: number) => `Bearer a${" ".repeat(spaces)}b`

describe("Bearer", () => {
  it.effect("credentials: the token after `Bearer` and blanks, the scheme case-insensitive, trailing blanks removed", () =>
    Effect.sync(() => {
      expect(Bearer.credentials("Bearer s3cret")).toBe("s3cret")
      expect(Bearer.credentials("bearer s3cret")).toBe("s3cret")
      expect(Bearer.credentials("BEARER \t s3cret \t ")).toBe("s3cret")
      expect(Bearer.credentials("Bearer\ts3cret")).toBe("s3cret")
      expect(Bearer.credentials("Bearer a  b")).toBe("a  b") // what follows is compared whole, as before
      expect(Bearer.credentials(hostile(3))).toBe("a   b")
      expect(Bearer.credentials("Bearers3cret")).toBeUndefined() // no blank after the scheme
      expect(Bearer.credentials("Bearer")).toBeUndefined()
      expect(Bearer.credentials("Bearer   ")).toBeUndefined()
      expect(Bearer.credentials("Basic s3cret")).toBeUndefined()
      expect(Bearer.credentials(" Bearer s3cret")).toBeUndefined()
      expect(Bearer.credentials("")).toBeUndefined()
    }))

  it.effect("verifier: true only for the configured token", () =>
    Effect.sync(() => {
      const check = Bearer.verifier("s3cret")
      expect(check("Bearer s3cret")).toBe(true)
      expect(check("bearer\ts3cret  ")).toBe(true)
      expect(check(undefined)).toBe(false)
      expect(check("Bearer s3cre")).toBe(false)
      expect(check("Bearer s3cret2")).toBe(false)
      expect(check("Basic s3cret")).toBe(false)
      expect(check("Bearer")).toBe(false)
      expect(check(hostile(10))).toBe(false)
    }))

  it.effect("a header of 200,000 spaces is checked at once (the backtracking regex took ~40 s)", () =>
    Effect.sync(() => {
      const check = Bearer.verifier("s3cret")
      const start = performance.now()
      expect(check(hostile(200_000))).toBe(false)
      // a generous bound: the scan takes about a millisecond, the regex took 40 s
      expect(performance.now() - start).toBeLessThan(5000)
    }))

})
