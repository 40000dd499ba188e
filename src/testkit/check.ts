/**
 * `Check`: one case of a conformance suite (an id that is also the `check` of its failures, a title,
 * the clock it runs on, and the check itself), and `register`, which makes @effect/vitest tests of
 * the cases that apply.
 *
 * @since 0.1.0
 */
import { describe, it } from "@effect/vitest"
import type { Effect } from "effect"
import type { ConformanceFailure } from "./conformance-failure.js"

/** One case of a suite over options `O`. */
export interface Check<O> {
  /** `"source.releasesOnce"`: also the `check` of the case's failures. */
  readonly id: string
  /** The test's title. */
  readonly title: string
  /** `"test"`: the case runs on a `TestClock` (it provides one itself); `"live"`: real time. */
  readonly clock: "live" | "test"
  /** `false` when the options give this case nothing to test (it is then not registered). */
  readonly applies: (options: O) => boolean
  /** The check: succeeds, or fails saying what the connector broke. */
  readonly run: (options: O) => Effect.Effect<void, ConformanceFailure>
}

/** Registers `describe(title)` with one test per case that applies: `it.effect` on a TestClock, `it.live` otherwise. */
export const register = <O>(
  title: string,
  checks: ReadonlyArray<Check<O>>,
  options: O,
  testTimeout: number | undefined
): void => {
  describe(title, () => {
    for (const check of checks) {
      if (!check.applies(options)) continue
      const test = check.clock === "test" ? it.effect : it.live
      test(check.title, () => check.run(options), testTimeout ?? 30_000)
    }
  })
}
