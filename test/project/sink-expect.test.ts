/**
 * `SinkExpect.check`: a sink's share of the input against `ratio ± tol` or `[min, max]`, with rounding
 * at the bounds, `min_samples`, and no verdict without input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as SinkExpect from "../../src/project/sink-expect.js"

const resolved = (own: SinkExpect.SinkExpect, group?: SinkExpect.GroupExpect) =>
  Either.getOrThrowWith(SinkExpect.resolve(own, group, undefined), (p) => new Error(p.detail))

describe("SinkExpect.check", () => {
  it("ratio ± tol: within (bounds included, 0.1 + 0.2 is not above 0.3), outside on either side", () => {
    const e = resolved({ ratio: 0.2, tol: 0.1 })
    expect(SinkExpect.check("g", "s", e, 30, 100)).toMatchObject({ ratio: 0.3, ok: true, expected: "ratio 0.2 ± 0.1", mode: "warn" })
    expect(SinkExpect.check("g", "s", e, 10, 100).ok).toBe(true)
    expect(SinkExpect.check("g", "s", e, 31, 100).ok).toBe(false)
    expect(SinkExpect.check("g", "s", e, 9, 100).ok).toBe(false)
  })

  it("min and max, alone or together", () => {
    expect(SinkExpect.check("g", "s", resolved({ min: 0.5 }), 49, 100).ok).toBe(false)
    expect(SinkExpect.check("g", "s", resolved({ max: 0.5 }), 51, 100).ok).toBe(false)
    const both = resolved({ min: 0.1, max: 0.2 })
    expect(SinkExpect.text(both)).toBe("share in [0.1, 0.2]")
    expect([5, 10, 20, 21].map((n) => SinkExpect.check("g", "s", both, n, 100).ok)).toEqual([false, true, true, false])
  })

  it("no verdict before min_samples events, nor without input; the group's mode applies", () => {
    const e = resolved({ ratio: 1, tol: 0 }, { mode: "fail", min_samples: 10 })
    expect(e.mode).toBe("error")
    expect(SinkExpect.check("g", "s", e, 0, 9)).toMatchObject({ ratio: null, ok: true })
    expect(SinkExpect.check("g", "s", e, 0, 10)).toMatchObject({ ratio: 0, ok: false })
    expect(SinkExpect.check("g", "s", resolved({ min: 0.5 }), 0, 0)).toMatchObject({ ratio: null, ok: true })
  })

  it("the progress line's part names each sink's share and verdict", () => {
    const e = resolved({ min: 0.5 })
    const outcomes = SinkExpect.checkAll(
      [{ group: "a", sink: "x", expectation: e }, { group: "b", sink: "y", expectation: e }],
      [{ group: "a", name: "x", events: 6 }, { group: "b", name: "y", events: 1 }],
      10
    )
    expect(SinkExpect.progressText(outcomes)).toBe(" expect: a/x=0.6 ok, b/y=0.1 MISS")
    expect(SinkExpect.progressText([])).toBe("")
  })
})
