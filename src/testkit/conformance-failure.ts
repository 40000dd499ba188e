/**
 * `ConformanceFailure`: what a conformance check fails with, naming the check and saying what the
 * connector broke ("close ran 2 times, expected exactly once").
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** A connector broke a rule of the contract (or a case could not run); `message` is `"<check>: <detail>"`. */
export class ConformanceFailure extends Schema.TaggedError<ConformanceFailure>()("ConformanceFailure", {
  /** The check that failed, e.g. `"source.releasesOnce"`. */
  check: Schema.String,
  /** What was broken, for people. */
  detail: Schema.String
}) {
  /** `"<check>: <detail>"`. */
  override get message(): string {
    return `${this.check}: ${this.detail}`
  }
}

/** A `ConformanceFailure` of `check` saying `detail`. */
export const make = (check: string, detail: string): ConformanceFailure => new ConformanceFailure({ check, detail })
