/**
 * `Processor`: one step of the processing stage between a source and the sink groups. It takes an event
 * (payload, record, tags) and yields zero, one or several events: it may turn the payload into a
 * `DataRecord`, change the record, set tags, or drop the event. A step is synchronous (`sync`, the
 * built-ins: no Effect per event) or an Effect (`effect`, for custom processors that need one).
 *
 * @since 0.2.0
 */
import type { Effect } from "effect"
import type { ProcessorError } from "../errors/processor.js"
import type { SourceEvent } from "../source/event.js"

/** What a step yields for one event: the event (changed or not), several events, or `dropped`. */
export type Outcome = SourceEvent | ReadonlyArray<SourceEvent> | Dropped

/** The outcome "this event goes no further" (counted as dropped, acked with its batch). */
export interface Dropped {
  readonly _tag: "Dropped"
}

/** The one `Dropped` value. */
export const dropped: Dropped = { _tag: "Dropped" }

/** `true` for the `dropped` outcome. */
export const isDropped = (outcome: Outcome): outcome is Dropped => outcome === dropped

/** A synchronous step: an outcome, or the `ProcessorError` it failed with (returned, not thrown). */
export type SyncStep = (event: SourceEvent) => Outcome | ProcessorError

/** A step that is an Effect (a custom processor that reads a file, calls a service, ...). */
export type EffectStep = (event: SourceEvent) => Effect.Effect<Outcome, ProcessorError>

/** What a processor does with an event it failed on: rescue it (default), pass it on tagged, or drop it. */
export type OnError = "rescue" | "pass" | "drop"

/**
 * One processor as the engine runs it: its name in the project, its kind, its step and its `on_error`; `definition`,
 * when set, is what it was built from (a reload compares it: see `ReloadPlan`).
 */
export type Processor =
  | { readonly _tag: "Sync"; readonly name: string; readonly kind: string; readonly onError: OnError; readonly step: SyncStep; readonly fields?: ReadonlyArray<string> | undefined; readonly definition?: string | undefined }
  | { readonly _tag: "Effect"; readonly name: string; readonly kind: string; readonly onError: OnError; readonly step: EffectStep; readonly fields?: ReadonlyArray<string> | undefined; readonly definition?: string | undefined }

/** What both constructors take besides the step. */
export interface ProcessorOptions {
  /** The processor's name (in metrics, logs, rescue lines); defaults to its kind. */
  readonly name?: string | undefined
  /** Its kind (`json`, `regex`, a custom module's path, ...). */
  readonly kind: string
  /** What happens to an event it fails on; default `rescue`. */
  readonly onError?: OnError | undefined
  /** The record fields it is known to produce, when that is fixed (lets filters be checked at load). */
  readonly fields?: ReadonlyArray<string> | undefined
}

/** The fields both kinds of processor share, from `options`. */
const common = (options: ProcessorOptions) => ({
  name: options.name ?? options.kind,
  kind: options.kind,
  onError: options.onError ?? "rescue",
  fields: options.fields
})

/** A processor whose step is synchronous. */
export const sync = (options: ProcessorOptions, step: SyncStep): Processor => ({ _tag: "Sync", ...common(options), step })

/** A processor whose step is an Effect. */
export const effect = (options: ProcessorOptions, step: EffectStep): Processor => ({ _tag: "Effect", ...common(options), step })
