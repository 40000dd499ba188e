/**
 * `PipelineSpec`: what the engine runs — resolved sources and sink groups, under a work root, with
 * the pipeline's engine options.
 *
 * @since 0.1.0
 */
import type { Option } from "effect"
import type * as Processor from "../processing/processor.js"
import type { ResolvedSinkSpec } from "../sink/factory.js"
import type { ResolvedSourceSpec } from "../source/factory.js"
import type { EngineOptionsInput } from "./engine-options.js"

/** A source of the pipeline; a disabled one is listed but not built. Its events go through `processors`, in order. */
export interface PipelineSource {
  readonly spec: ResolvedSourceSpec
  readonly enabled: boolean
  readonly processors?: ReadonlyArray<Processor.Processor> | undefined
}

/** A sink of a group: its spec, how many replicas share its load, and its rate limit (0 = none). */
export interface PipelineSink {
  readonly spec: ResolvedSinkSpec
  readonly replicaCnt: number
  readonly rateLimitRps: number
}

/**
 * What an infra group takes instead of the events its filter selects: `default`, the events no other group
 * took; `miss`, those a processor failed on with `on_error = "drop"`; `residue`, those a processor dropped by
 * its rule; `error`, those a processor failed on with `on_error = "rescue"` (instead of the rescue file);
 * `monitor`, the engine's own counters, one record per sink and source every `monitorEvery`.
 */
export type GroupRole = "default" | "miss" | "residue" | "error" | "monitor"

/** A sink group: the events its `filter` selects go to each of its sinks (whose own filters narrow further). */
export interface PipelineGroup {
  readonly name: string
  /** An infra group's role (none: a business group). */
  readonly role?: GroupRole | undefined
  readonly filter: Option.Option<string>
  readonly sinks: ReadonlyArray<PipelineSink>
}

/** Everything the engine runs. */
export interface PipelineSpec {
  /** The work root: relative paths in params, checkpoints and the rescue directory are under it. */
  readonly workRoot: string
  readonly sources: ReadonlyArray<PipelineSource>
  readonly groups: ReadonlyArray<PipelineGroup>
  /** Engine options of the pipeline (a project's `[engine]` table); options given to the engine from code win. */
  readonly engine?: EngineOptionsInput | undefined
}

/** The engine's options (see `engine-options.ts`). */
export type { EngineOptions, EngineOptionsInput, StopDeadlines } from "./engine-options.js"
/** The engine's default options. */
export { defaults as defaultOptions } from "./engine-options.js"
