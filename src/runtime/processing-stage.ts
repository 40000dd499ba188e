/**
 * `ProcessingStage`: the processors of one source, as the engine runs them between the source and its
 * router. A batch goes through the chain (`ProcessorChain`); the events it failed on with `on_error =
 * "rescue"` are appended to the rescue file (`<rescue>/processing__<processor>.jsonl`, one line each with
 * the processor's coded error) before the batch goes on, so the batch's ack waits for them; those dropped
 * on failure are counted and logged at most once a second per processor. Counters go to the run's
 * `ProcessorStats` and to the `wpc_processor_*` metrics.
 *
 * @since 0.2.0
 */
import { Duration, Effect, type Scope } from "effect"
import { SourceError } from "../errors/source.js"
import * as LogThrottle from "./log-throttle.js"
import * as ProcessorChain from "../processing/chain.js"
import type * as Processor from "../processing/processor.js"
import type { SourceEvent } from "../source/event.js"
import * as Metrics from "./metrics.js"
import type { ProcessorStats } from "./report.js"
import type * as Rescue from "./rescue.js"

/** The group name of processor failures in the rescue directory. */
export const rescueGroup = "processing"

/** The processing stage of one source. */
export interface ProcessingStage {
  /** The events of `batch` after every processor; fails only when a failure could not be rescued. */
  readonly run: (batch: ReadonlyArray<SourceEvent>) => Effect.Effect<ReadonlyArray<SourceEvent>, SourceError>
}

/** What a stage needs: its source's name, its processors, the counters of each, and the rescue. */
export interface StageOptions {
  readonly source: string
  readonly processors: ReadonlyArray<Processor.Processor>
  /** One per processor, in order. */
  readonly stats: ReadonlyArray<ProcessorStats>
  readonly rescue: Rescue.Rescue
}

/** The stage of `options.source` (its drop logs are flushed when the Scope closes). */
export const make = (options: StageOptions): Effect.Effect<ProcessingStage, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { processors, rescue, source, stats } = options
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
      for (const f of result.dropped) throttles[index.get(f.processor)!]!.note(f.error.message)
    }

    /** Appends the failures to the rescue file of their processor, one append per processor. */
    const rescueAll = (failures: ReadonlyArray<ProcessorChain.Failure>): Effect.Effect<void, SourceError> => {
      const byProcessor = new Map<Processor.Processor, Array<readonly [SourceEvent, Rescue.RescueReason]>>()
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

    return {
      run: (batch) =>
        Effect.flatMap(ProcessorChain.process(processors, batch), (result) => {
          count(result)
          return result.rescue.length === 0 ? Effect.succeed(result.events) : Effect.as(rescueAll(result.rescue), result.events)
        })
    }
  })
