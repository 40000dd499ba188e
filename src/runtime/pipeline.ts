/**
 * `PipelineSpec`: what the engine runs — resolved sources and sink groups — and `EngineOptions`,
 * the knobs of queues, batching, retries, rescue and shutdown, with production defaults.
 *
 * @since 0.1.0
 */
import { Duration, Option } from "effect"
import * as path from "node:path"
import type { ResolvedSinkSpec } from "../sink/factory.js"
import type { ResolvedSourceSpec } from "../source/factory.js"

/** A source of the pipeline; a disabled one is listed but not built. */
export interface PipelineSource {
  readonly spec: ResolvedSourceSpec
  readonly enabled: boolean
}

/** A sink of a group: its spec, how many replicas share its load, and its rate limit (0 = none). */
export interface PipelineSink {
  readonly spec: ResolvedSinkSpec
  readonly replicaCnt: number
  readonly rateLimitRps: number
}

/** A sink group: the events its `filter` selects go to each of its sinks (whose own filters narrow further). */
export interface PipelineGroup {
  readonly name: string
  readonly filter: Option.Option<string>
  readonly sinks: ReadonlyArray<PipelineSink>
}

/** Everything the engine runs. */
export interface PipelineSpec {
  readonly workRoot: string
  readonly sources: ReadonlyArray<PipelineSource>
  readonly groups: ReadonlyArray<PipelineGroup>
}

/** How long each phase of a Stop may take before what is left is abandoned (and replayed on restart). */
export interface StopDeadlines {
  readonly stopSources: Duration.DurationInput
  readonly drain: Duration.DurationInput
  readonly acks: Duration.DurationInput
  readonly close: Duration.DurationInput
}

/** Engine knobs. */
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
  /** Retries of a retryable failure before the batch is rescued. */
  readonly maxRetries: number
  /** First retry delay of a sink (doubles, with jitter). */
  readonly retryBaseDelay: Duration.DurationInput
  /** Longest retry delay / circuit-breaker cool-down. */
  readonly retryMaxDelay: Duration.DurationInput
  /** Consecutive failures before a sink's breaker starts doubling its cool-down. */
  readonly breakerThreshold: number
  /** Where rescued batches are written (default `<workRoot>/rescue`). */
  readonly rescueDir: string | undefined
  /** First delay before a source that failed with a retryable error is rebuilt (doubles, capped by `retryMaxDelay`). */
  readonly sourceRestartDelay: Duration.DurationInput
  /** Deadlines of the Stop phases. */
  readonly deadlines: StopDeadlines
}

/** The defaults: 16k events / 64 MiB per sink queue, writes of up to 8192 events / 4 MiB, 5 ms batch wait, 10 retries. */
export const defaultOptions: EngineOptions = {
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
  sourceRestartDelay: Duration.millis(500),
  deadlines: {
    stopSources: Duration.seconds(10),
    drain: Duration.seconds(30),
    acks: Duration.seconds(10),
    close: Duration.seconds(10)
  }
}

/** `options` over the defaults (deadlines merged key by key). */
export const resolveOptions = (options: Partial<EngineOptions> = {}): EngineOptions => ({
  ...defaultOptions,
  ...options,
  deadlines: { ...defaultOptions.deadlines, ...options.deadlines }
})

/** The rescue directory of a pipeline. */
export const rescueDirOf = (spec: PipelineSpec, options: EngineOptions): string =>
  options.rescueDir ?? path.join(spec.workRoot, "rescue")
