/**
 * `ProcessingStage`: the processors of one source, as the engine runs them between the source and its
 * router. A batch goes through the chain (`ProcessorChain`); the events it failed on with `on_error =
 * "rescue"` are appended to the rescue file (`<rescue>/processing__<processor>.jsonl`, one line each with
 * the processor's coded error) before the batch goes on, so the batch's ack waits for them; those dropped
 * on failure are counted and logged at most once a second per processor. Counters go to the run's
 * `ProcessorStats` and to the `wpc_processor_*` metrics. With WarpParse's infra groups (`outlets`), what
 * would be set aside goes to them instead, tagged `error_processor` and `error` as `on_error = "pass"`
 * tags: `error` takes the failures of `on_error = "rescue"` (instead of the rescue file), `miss` those of
 * `on_error = "drop"` (instead of the drop log), `residue` the events a processor dropped by its rule.
 *
 * @since 0.2.0
 */
import { Duration, Effect, type Scope } from "effect"
import { SourceError } from "../errors/source.js"
import * as LogThrottle from "./log-throttle.js"
import * as ProcessorChain from "../processing/chain.js"
import type * as Processor from "../processing/processor.js"
import * as Tags from "../model/tags.js"
import * as SourceEvent from "../source/event.js"
import * as Metrics from "./metrics.js"
import type { ProcessorStats } from "./report.js"
import type * as Rescue from "./rescue.js"

/** The group name of processor failures in the rescue directory. */
export const rescueGroup = "processing"

/** What the stage made of a batch besides the events for the business groups: the events for each infra outlet. */
export interface Sides {
  readonly miss: ReadonlyArray<SourceEvent.SourceEvent>
  readonly residue: ReadonlyArray<SourceEvent.SourceEvent>
  readonly error: ReadonlyArray<SourceEvent.SourceEvent>
}

/** What the stage made of a batch: the events for the business groups, and those for each infra outlet. */
export interface StageOutput extends Sides {
  readonly events: ReadonlyArray<SourceEvent.SourceEvent>
}

/** Which infra groups the pipeline has (each takes what its name says instead of the default handling). */
export interface Outlets {
  readonly miss: boolean
  readonly residue: boolean
  readonly error: boolean
}

/** No infra group: failures are rescued or dropped as `on_error` says, rule drops are only counted. */
export const noOutlets: Outlets = { miss: false, residue: false, error: false }

/** The processing stage of one source. */
export interface ProcessingStage {
  /** What `batch` became after every processor; fails only when a failure could not be rescued. */
  readonly run: (batch: ReadonlyArray<SourceEvent.SourceEvent>) => Effect.Effect<StageOutput, SourceError>
  /**
   * `run`, handing the events for the business groups to `onEvents` part by part as they are made (a
   * chain of synchronous processors makes them `partEvents` at a time, so a part's records can be routed
   * and die before the next part is made); the infra outlets' events are returned once the batch is done.
   */
  readonly each: (
    batch: ReadonlyArray<SourceEvent.SourceEvent>,
    onEvents: (events: ReadonlyArray<SourceEvent.SourceEvent>) => void
  ) => Effect.Effect<Sides, SourceError>
}

/**
 * Events per part of a batch through a synchronous chain (`each`): small enough that a part's records
 * (some twenty objects each) stay in the young generation until they are encoded.
 */
export const partEvents = 256

/** What a stage needs: its source's name, its processors, the counters of each, and the rescue. */
export interface StageOptions {
  readonly source: string
  readonly processors: ReadonlyArray<Processor.Processor>
  /** One per processor, in order. */
  readonly stats: ReadonlyArray<ProcessorStats>
  readonly rescue: Rescue.Rescue
  /** The infra groups the pipeline has (default: none). */
  readonly outlets?: Outlets | undefined
}

const none: ReadonlyArray<SourceEvent.SourceEvent> = []

/** A failed event as an infra group gets it: tagged with the processor and the error, as `on_error = "pass"` tags it. */
const tagged = (f: ProcessorChain.Failure): SourceEvent.SourceEvent =>
  SourceEvent.update(f.event, {
    tags: Tags.set(Tags.set(f.event.tags, ProcessorChain.errorProcessorTag, f.processor.name), ProcessorChain.errorTag, f.error.message)
  })

/** The stage of `options.source` (its drop logs are flushed when the Scope closes). */
export const make = (options: StageOptions): Effect.Effect<ProcessingStage, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { processors, rescue, source, stats } = options
    const outlets = options.outlets ?? noOutlets
    const labels = yield* Metrics.currentLabels
    const throttles = yield* Effect.forEach(processors, (p) =>
      LogThrottle.make({
        interval: Duration.seconds(1),
        line: (detail) => `processor ${p.name} of source ${source}: dropped an event it failed on: ${detail}`,
        summary: (count, last) => `processor ${p.name} of source ${source}: dropped ${count} more events it failed on; the last: ${last}`,
        log: (line) => Effect.logWarning(line)
      }))
    const index = new Map(processors.map((p, i) => [p, i]))

    /** Adds a batch's counts to the stats and the metrics. */
    const count = (result: ProcessorChain.Result): void => {
      for (const [i, c] of result.counts.entries()) {
        const s = stats[i]!
        s.in += c.in
        s.out += c.out
        s.dropped += c.dropped
        s.failed += c.failed
        s.seconds += c.seconds
        Metrics.unsafeProcessor(labels, source, c.processor, c)
      }
      // with a miss group, an event failed with on_error = "drop" is not lost: it goes there, unlogged
      if (!outlets.miss) for (const f of result.dropped) throttles[index.get(f.processor)!]!.note(f.error.message)
    }

    /** Appends the failures to the rescue file of their processor, one append per processor. */
    const rescueAll = (failures: ReadonlyArray<ProcessorChain.Failure>): Effect.Effect<void, SourceError> => {
      const byProcessor = new Map<Processor.Processor, Array<readonly [SourceEvent.SourceEvent, Rescue.RescueReason]>>()
      for (const f of failures) {
        const entries = byProcessor.get(f.processor) ?? []
        entries.push([f.event, { code: f.error.code, reason: f.error.reason, detail: f.error.detail ?? f.error.message }])
        byProcessor.set(f.processor, entries)
      }
      return Effect.forEach(byProcessor, ([processor, entries]) =>
        rescue.writeEach(rescueGroup, processor.name, entries).pipe(
          Effect.tap(() => Effect.sync(() => void (stats[index.get(processor)!]!.rescued += entries.length))),
          Effect.mapError((e) => SourceError.supplierError(`processor ${processor.name}: its failures could not be rescued: ${e.message}`, e))
        ), { discard: true })
    }

    /** The outlets' shares of `result` (after its failures to rescue are in the rescue file). */
    const settle = <A extends Sides>(result: ProcessorChain.Result, output: (sides: Sides) => A): Effect.Effect<A, SourceError> => {
      count(result)
      const out = output({
        miss: outlets.miss && result.dropped.length > 0 ? result.dropped.map(tagged) : none,
        residue: outlets.residue ? result.residue : none,
        error: outlets.error && result.rescue.length > 0 ? result.rescue.map(tagged) : none
      })
      return result.rescue.length === 0 || outlets.error ? Effect.succeed(out) : Effect.as(rescueAll(result.rescue), out)
    }
    const sync = ProcessorChain.isSync(processors)

    return {
      run: (batch) =>
        Effect.flatMap(ProcessorChain.process(processors, batch, outlets.residue), (result) =>
          settle(result, (sides): StageOutput => ({ events: result.events, ...sides }))),
      each: (batch, onEvents) =>
        sync
          ? Effect.suspend(() => settle(ProcessorChain.processSyncParts(processors, batch, partEvents, onEvents, outlets.residue), (sides) => sides))
          : Effect.flatMap(ProcessorChain.process(processors, batch, outlets.residue), (result) => {
            onEvents(result.events)
            return settle(result, (sides) => sides)
          })
    }
  })
