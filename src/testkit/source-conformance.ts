/**
 * `sourceConformance`: registers the source cases (`SourceChecks.all`) as @effect/vitest tests.
 *
 * @since 0.1.0
 */
import { register } from "./register.js"
import * as SourceChecks from "./source-checks.js"
import type { SourceConformanceOptions } from "./source-subject.js"

/** Registers the conformance suite of a source under `describe("<name>: source conformance")`, one test per case that applies. */
export const sourceConformance = (
  name: string,
  options: SourceConformanceOptions & { readonly testTimeout?: number | undefined }
): void => register(`${name}: source conformance`, SourceChecks.all, options, options.testTimeout)
