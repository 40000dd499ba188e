/**
 * `Check`: one case of a conformance suite (an id that is also the `check` of its failures, a title,
 * the clock it runs on, and the check itself). A plain Effect: running one needs no test runner
 * (`register`, in `wp-connector-api/testkit/vitest`, makes vitest tests of them).
 *
 * @since 0.1.0
 */
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
