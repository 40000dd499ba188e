/**
 * `sinkConformance`: registers the sink cases (`SinkChecks.all`) as @effect/vitest tests.
 *
 * @since 0.1.0
 */
import { register } from "./register.js"
import * as SinkChecks from "./sink-checks.js"
import type { SinkConformanceOptions } from "./sink-subject.js"

/**
 * Registers the conformance suite of a sink under `describe("<name>: sink conformance")`, one test per
 * case that applies: `it.effect` (TestClock) for the fault cases that need one, `it.live` for the others.
 */
export const sinkConformance = (
  name: string,
  options: SinkConformanceOptions & { readonly testTimeout?: number | undefined }
): void => register(`${name}: sink conformance`, SinkChecks.all, options, options.testTimeout)
