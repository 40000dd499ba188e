/**
 * `ProjectErrors` (code 300): every configuration problem one load of a project found.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ConfigError } from "../errors/config.js"
import { codedMessage } from "../errors/describe.js"

/** The problems of a project, each a located `ConfigError`; the message lists them all, one per line. */
export class ProjectErrors extends Schema.TaggedError<ProjectErrors>()("ProjectErrors", {
  workRoot: Schema.String,
  errors: Schema.NonEmptyArray(ConfigError)
}) {
  /** Always 300 (a configuration error). */
  get code(): 300 {
    return 300
  }
  /** Always `"ConfigError"`. */
  get reason(): "ConfigError" {
    return "ConfigError"
  }
  /** Configuration errors are never retried. */
  get retryable(): false {
    return false
  }
  /** `"N problem(s) in project <root>"`. */
  get detail(): string {
    const n = this.errors.length
    return `${n} problem${n === 1 ? "" : "s"} in project ${this.workRoot}`
  }
  /** `"[300 ConfigError] N problems in project <root>:"`, then each problem's message on its own line. */
  override get message(): string {
    return [`${codedMessage(300, "ConfigError", this.detail)}:`, ...this.errors.map((e) => `  ${e.message}`)].join("\n")
  }
}
