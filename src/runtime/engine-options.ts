/**
 * `EngineOptions`: the engine's knobs — queue and write bounds, retries and the breaker's cool-down,
 * source rebuilds, the rescue directory and the Stop deadlines — with their production defaults, and
 * `resolve`, which lays options given from code (or a project's `[engine]` table) over the defaults,
 * refusing unknown keys and bad values with a `ConfigError` naming the key.
 *
 * @since 0.1.0
 */
import { Duration, Either, Option } from "effect"
import { didYouMean } from "../config/suggest.js"
import { ConfigError } from "../errors/config.js"

/** How long each phase of a Stop may take before what is left is abandoned (and replayed on restart). */
export interface StopDeadlines {
  readonly stopSources: Duration.DurationInput
  readonly drain: Duration.DurationInput
  /** The ack drain: how long completed batches may take to be acked to their sources. */
  readonly acks: Duration.DurationInput
  readonly close: Duration.DurationInput
}

/** Engine knobs. Byte counts are UTF-8 bytes of the payloads (bytes as they are for binary payloads). */
export interface EngineOptions {
  /** Events a sink replica's queue holds at most (queued + in flight). */
  readonly queueEvents: number
  /** Payload bytes a sink replica's queue holds at most. */
  readonly queueBytes: number
  /** Events per sink write at most. */
  readonly batchEvents: number
  /** Payload bytes per sink write at most. */
  readonly batchBytes: number
  /** How long a sink waits to fill a write when its queue runs dry. */
  readonly batchWait: Duration.DurationInput
  /** Retries of a retryable write failure before the batch is rescued. */
  readonly maxRetries: number
  /** The breaker's first cool-down before a retry (doubles past `breakerThreshold` failures, jittered). */
  readonly retryBaseDelay: Duration.DurationInput
  /** The breaker's longest cool-down, and the longest wait before a source is rebuilt. */
  readonly retryMaxDelay: Duration.DurationInput
  /** Consecutive failures of a sink before its breaker's cool-down starts doubling. */
  readonly breakerThreshold: number
  /** Where rescued batches are written (default `<workRoot>/rescue`; a relative path is under the work root). */
  readonly rescueDir: string | undefined
  /** Events per second all sources together read at most (0: unlimited); a WarpParse `[performance] rate_limit_rps`. */
  readonly readRateLimitRps: number
  /** How often the `monitor` infra group gets the engine's counters (and once more at the end of the run). */
  readonly monitorInterval: Duration.DurationInput
  /** First wait before a source that failed with a retryable error is rebuilt (doubles, capped by `retryMaxDelay`, jittered). */
  readonly sourceRestartDelay: Duration.DurationInput
  /** Deadlines of the Stop phases. */
  readonly deadlines: StopDeadlines
}

/** Options as a caller gives them: some or all of them, and `deadlines` key by key. */
export type EngineOptionsInput = Partial<Omit<EngineOptions, "deadlines">> & {
  readonly deadlines?: Partial<StopDeadlines> | undefined
}

/** The defaults: 16k events / 64 MiB per sink queue, writes of up to 8192 events / 4 MiB, 5 ms batch wait, 10 retries. */
export const defaults: EngineOptions = {
  queueEvents: 16_384,
  queueBytes: 64 * 1024 * 1024,
  batchEvents: 8192,
  batchBytes: 4 * 1024 * 1024,
  batchWait: Duration.millis(5),
  // with the doubling cool-down (100 ms .. 30 s) a sink rides out an outage of about 25 s before rescuing
  maxRetries: 10,
  retryBaseDelay: Duration.millis(100),
  retryMaxDelay: Duration.seconds(30),
  breakerThreshold: 3,
  rescueDir: undefined,
  readRateLimitRps: 0,
  monitorInterval: Duration.seconds(10),
  sourceRestartDelay: Duration.millis(500),
  deadlines: {
    stopSources: Duration.seconds(10),
    drain: Duration.seconds(30),
    acks: Duration.seconds(10),
    close: Duration.seconds(10)
  }
}

/**
 * What an option holds: a `count` (an integer >= 1), `retries` (an integer >= 0), a `delay` (a finite
 * duration), a `deadline` (a duration, `Infinity` for none) or a `directory` (a non-empty path).
 */
export type OptionKind = "count" | "retries" | "delay" | "deadline" | "directory"

/** Every option but `deadlines`, with its kind and its key in a project's `[engine]` table. */
export const fields: { readonly [K in Exclude<keyof EngineOptions, "deadlines">]: { readonly kind: OptionKind; readonly toml: string } } = {
  queueEvents: { kind: "count", toml: "queue_events" },
  queueBytes: { kind: "count", toml: "queue_bytes" },
  batchEvents: { kind: "count", toml: "batch_events" },
  batchBytes: { kind: "count", toml: "batch_bytes" },
  batchWait: { kind: "delay", toml: "batch_wait_ms" },
  maxRetries: { kind: "retries", toml: "max_retries" },
  retryBaseDelay: { kind: "delay", toml: "retry_base_delay_ms" },
  retryMaxDelay: { kind: "delay", toml: "retry_max_delay_ms" },
  breakerThreshold: { kind: "count", toml: "breaker_threshold" },
  rescueDir: { kind: "directory", toml: "rescue_dir" },
  readRateLimitRps: { kind: "retries", toml: "read_rate_limit_rps" },
  monitorInterval: { kind: "delay", toml: "monitor_interval_ms" },
  sourceRestartDelay: { kind: "delay", toml: "source_restart_delay_ms" }
}

/** The Stop deadlines, with their keys in a project's `[engine.deadlines]` table. */
export const deadlineFields: { readonly [K in keyof StopDeadlines]: { readonly kind: OptionKind; readonly toml: string } } = {
  stopSources: { kind: "deadline", toml: "stop_sources_ms" },
  drain: { kind: "deadline", toml: "drain_ms" },
  acks: { kind: "deadline", toml: "acks_ms" },
  close: { kind: "deadline", toml: "close_ms" }
}

/** What an option of `kind` must be, for messages. */
export const expectedOf = (kind: OptionKind): string => {
  switch (kind) {
    case "count":
      return "an integer >= 1"
    case "retries":
      return "an integer >= 0"
    case "delay":
      return "a finite duration >= 0 (e.g. 100, \"100 millis\", Duration.seconds(1))"
    case "deadline":
      return "a duration >= 0 (e.g. 10000, \"10 seconds\"; Infinity: no deadline)"
    case "directory":
      return "a non-empty path"
  }
}

/** `value` as an option of `kind`, or `None` when it is not one. */
export const checkValue = (kind: OptionKind, value: unknown): Option.Option<unknown> => {
  switch (kind) {
    case "count":
    case "retries":
      return Number.isSafeInteger(value) && (value as number) >= (kind === "count" ? 1 : 0) ? Option.some(value) : Option.none()
    case "delay":
    case "deadline":
      // a negative or NaN number would decode as zero: refuse it rather than guess
      if (typeof value === "number" && !(value >= 0)) return Option.none()
      return Option.filter(
        Duration.decodeUnknown(value),
        (d) => Duration.greaterThanOrEqualTo(d, Duration.zero) && (kind === "deadline" || Duration.isFinite(d))
      )
    case "directory":
      return value === undefined || (typeof value === "string" && value.length > 0) ? Option.some(value) : Option.none()
  }
}

/** One problem with options given from code: its key path (`batchEvents`, `deadlines.drain`). */
const problem = (path: string, detail: string, expected: string, suggestion?: string): ConfigError =>
  new ConfigError({ detail, path, expected, ...(suggestion === undefined ? {} : { suggestion }) })

const isRecord = (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u)

/** Every problem of `input` as engine options from code: unknown keys (with the nearest known one) and bad values. */
export const check = (input: unknown): ReadonlyArray<ConfigError> => {
  if (!isRecord(input)) return [problem("engine options", `engine options must be an object, not ${String(input)}`, "an object of engine options")]
  const problems: Array<ConfigError> = []
  const known = [...Object.keys(fields), "deadlines"]
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue
    if (key === "deadlines") {
      if (!isRecord(value)) {
        problems.push(problem("deadlines", `invalid value ${String(value)}`, "an object of stop deadlines"))
        continue
      }
      const phases = Object.keys(deadlineFields)
      for (const [phase, deadline] of Object.entries(value)) {
        if (deadline === undefined) continue
        const field = (deadlineFields as { readonly [k: string]: { readonly kind: OptionKind } | undefined })[phase]
        if (field === undefined) {
          problems.push(problem(`deadlines.${phase}`, `unknown stop phase "${phase}"`, `one of: ${phases.join(", ")}`, didYouMean(phase, phases)))
        } else if (Option.isNone(checkValue(field.kind, deadline))) {
          problems.push(problem(`deadlines.${phase}`, `invalid value ${String(deadline)}`, expectedOf(field.kind)))
        }
      }
      continue
    }
    const field = (fields as { readonly [k: string]: { readonly kind: OptionKind } | undefined })[key]
    if (field === undefined) {
      problems.push(problem(key, `unknown engine option "${key}"`, `one of: ${known.join(", ")}`, didYouMean(key, known)))
    } else if (Option.isNone(checkValue(field.kind, value))) {
      problems.push(problem(key, `invalid value ${typeof value === "string" ? JSON.stringify(value) : String(value)}`, expectedOf(field.kind)))
    }
  }
  return problems
}

/** `over` laid over `base`: each option of `over` wins, `deadlines` merged key by key. */
export const merge = (base: EngineOptionsInput, over: EngineOptionsInput): EngineOptionsInput => ({
  ...base,
  ...over,
  deadlines: { ...base.deadlines, ...over.deadlines }
})

/**
 * `input` over the defaults (deadlines merged key by key). The first problem `check` finds is a
 * `ConfigError` with the option's key as `path`; the others are named in its `detail`.
 */
export const resolve = (input: EngineOptionsInput = {}): Either.Either<EngineOptions, ConfigError> => {
  const problems = check(input)
  const first = problems[0]
  if (first !== undefined) {
    const more = problems.slice(1).map((p) => p.path).join(", ")
    return Either.left(more.length === 0 ? first : new ConfigError({ ...first.fields, detail: `${first.detail} (also wrong: ${more})` }))
  }
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as EngineOptionsInput
  const deadlines = Object.fromEntries(Object.entries(input.deadlines ?? {}).filter(([, v]) => v !== undefined))
  return Either.right({ ...defaults, ...defined, deadlines: { ...defaults.deadlines, ...deadlines } } as EngineOptions)
}
