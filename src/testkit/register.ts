/**
 * `register`: makes @effect/vitest tests of the cases of a suite that apply. Imports vitest, so it
 * is reachable only from `wp-connector-api/testkit/vitest`.
 *
 * @since 0.1.0
 */
import { describe, it } from "@effect/vitest"
import type { Check } from "./check.js"

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
