/**
 * Configuration errors (code 300): bad TOML, unknown connector, refused override, bad URL, bad param.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { codedMessage } from "./describe.js"
import { ConfigErrorScope } from "./unified.js"

/** A configuration problem, naming where it is (file, line, key path), what was expected, and the fix. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  detail: Schema.String,
  file: Schema.optional(Schema.String),
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number),
  path: Schema.optional(Schema.String),
  expected: Schema.optional(Schema.String),
  suggestion: Schema.optional(Schema.String),
  scope: Schema.optional(ConfigErrorScope),
  cause: Schema.optional(Schema.Defect)
}) {
  /** Always 300. */
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
  /** `"file:line:col"` (as much of it as is known), or `undefined`. */
  get location(): string | undefined {
    if (this.file === undefined) return undefined
    if (this.line === undefined) return this.file
    return this.column === undefined ? `${this.file}:${this.line}` : `${this.file}:${this.line}:${this.column}`
  }
  /** `"[300 ConfigError] file:line: path: detail (expected ...; suggestion)"`. */
  override get message(): string {
    const where = [this.location, this.path].filter((s): s is string => s !== undefined).join(": ")
    const hints = [
      this.expected === undefined ? undefined : `expected ${this.expected}`,
      this.suggestion
    ].filter((s): s is string => s !== undefined)
    const text = `${where.length > 0 ? `${where}: ` : ""}${this.detail}${hints.length > 0 ? ` (${hints.join("; ")})` : ""}`
    return codedMessage(300, "ConfigError", text)
  }

  /** A copy of this error located in `file` (keeps a location it already has). */
  inFile(file: string): ConfigError {
    return this.file === undefined ? new ConfigError({ ...this.fields, file }) : this
  }

  /** A copy of this error whose key path is prefixed with `prefix`. */
  under(prefix: string): ConfigError {
    return new ConfigError({ ...this.fields, path: this.path === undefined ? prefix : `${prefix}.${this.path}` })
  }

  /** The fields this error was built from. */
  get fields(): ConfigError.Fields {
    const out: { -readonly [K in keyof ConfigError.Fields]: ConfigError.Fields[K] } = { detail: this.detail }
    if (this.file !== undefined) out.file = this.file
    if (this.line !== undefined) out.line = this.line
    if (this.column !== undefined) out.column = this.column
    if (this.path !== undefined) out.path = this.path
    if (this.expected !== undefined) out.expected = this.expected
    if (this.suggestion !== undefined) out.suggestion = this.suggestion
    if (this.scope !== undefined) out.scope = this.scope
    if (this.cause !== undefined) out.cause = this.cause
    return out
  }
}

/** Types that go with `ConfigError`. */
export declare namespace ConfigError {
  /** The constructor argument of `ConfigError`. */
  export type Fields = ConstructorParameters<typeof ConfigError>[0]
}
