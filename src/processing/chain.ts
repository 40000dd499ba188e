/**
 * `ProcessorChain`: the processing stage of one source, its processors in order. A batch goes through
 * each processor in turn (processor after processor, so each one's time is measured per batch); the
 * events that come out of the last are what the sink groups get. An event a processor fails on goes where
 * its `on_error` says: `rescue` (kept aside with the error, for the rescue file: the batch is acked only
 * once that holds them), `pass` (it continues unchanged, tagged `error_processor` and `error`) or `drop`
 * (counted and logged at a rate limit). A chain of synchronous processors runs a batch in one
 * synchronous step.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { describeCause } from "../errors/describe.js"
import { type ProcessorError, processorError, withProcessor } from "../errors/processor.js"
import * as Tags from "../model/tags.js"
import * as SourceEvent from "../source/event.js"
import * as Processor from "./processor.js"

/** One event a processor failed on, with the error (naming the processor). */
export interface Failure {
  readonly processor: Processor.Processor
  readonly event: SourceEvent.SourceEvent
  readonly error: ProcessorError
}

/** What one processor did with one batch: events in, out, dropped (by rule or failure), failed, and seconds spent. */
export interface Counts {
  readonly processor: string
  in: number
  out: number
  dropped: number
  failed: number
  seconds: number
}

/**
 * What a batch became: the events to route, the failures to rescue, the failures dropped, the events
 * dropped by a processor's rule (`residue`, as they came to it; kept only when asked for), and the
 * counts per processor.
 */
export interface Result {
  readonly events: ReadonlyArray<SourceEvent.SourceEvent>
  readonly rescue: ReadonlyArray<Failure>
  readonly dropped: ReadonlyArray<Failure>
  readonly residue: ReadonlyArray<SourceEvent.SourceEvent>
  readonly counts: ReadonlyArray<Counts>
}

/** The tag that names the processor an event passed on with `on_error = "pass"` failed in. */
export const errorProcessorTag = "error_processor"

/** The tag that holds the error of an event passed on with `on_error = "pass"` (`[540 Process] ...`). */
export const errorTag = "error"

/** Mutable state of one batch's run. */
interface Run {
  readonly rescue: Array<Failure>
  readonly dropped: Array<Failure>
  /** Only when asked for (a `residue` infra group exists): no array otherwise. */
  readonly residue: Array<SourceEvent.SourceEvent> | undefined
  readonly counts: Array<Counts>
}

/**
 * Adds `outcome` of `event` to `out`, or files the failure as `processor.onError` says. Outcomes are told
 * apart by shape (an array, `_tag` `Dropped` or `ProcessorError`, else an event), not by class: a custom
 * processor's module may hold its own copy of this package's classes.
 */
const settle = (
  processor: Processor.Processor,
  event: SourceEvent.SourceEvent,
  outcome: Processor.Outcome | ProcessorError,
  out: Array<SourceEvent.SourceEvent>,
  counts: Counts,
  run: Run
): void => {
  if (Array.isArray(outcome)) {
    for (const e of outcome as ReadonlyArray<SourceEvent.SourceEvent>) out.push(e)
    counts.out += (outcome as ReadonlyArray<SourceEvent.SourceEvent>).length
    return
  }
  const tag = (outcome as { readonly _tag?: unknown })._tag
  if (tag === undefined) {
    out.push(outcome as SourceEvent.SourceEvent)
    counts.out += 1
    return
  }
  if (tag === "Dropped") {
    counts.dropped += 1
    run.residue?.push(event)
    return
  }
  const error = withProcessor(
    tag === "ProcessorError" ? outcome as ProcessorError : processorError(`returned ${describeCause(outcome)}, not an outcome`),
    processor.name
  )
  counts.failed += 1
  const failure: Failure = { processor, event, error }
  switch (processor.onError) {
    case "rescue":
      run.rescue.push(failure)
      return
    case "drop":
      counts.dropped += 1
      run.dropped.push(failure)
      return
    case "pass": {
      const tags = Tags.set(Tags.set(event.tags, errorProcessorTag, processor.name), errorTag, error.message)
      out.push(SourceEvent.update(event, { tags }))
      counts.out += 1
    }
  }
}

/** A step that threw: its exception as the event's `ProcessorError` (a processor's bug must not end the run). */
const thrown = (cause: unknown): ProcessorError =>
  processorError(`threw: ${cause instanceof Error ? String(cause) : describeCause(cause)}`, cause)

const newCounts = (processor: Processor.Processor, n: number): Counts => ({
  processor: processor.name,
  in: n,
  out: 0,
  dropped: 0,
  failed: 0,
  seconds: 0
})

/** Runs a synchronous processor over `events`. */
const runSync = (
  processor: Processor.Processor & { readonly _tag: "Sync" },
  events: ReadonlyArray<SourceEvent.SourceEvent>,
  run: Run
): Array<SourceEvent.SourceEvent> => {
  const counts = newCounts(processor, events.length)
  const started = performance.now()
  const out: Array<SourceEvent.SourceEvent> = []
  const step = processor.step
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!
    let outcome: Processor.Outcome | ProcessorError
    try {
      outcome = step(event)
    } catch (cause) {
      outcome = thrown(cause)
    }
    settle(processor, event, outcome, out, counts, run)
  }
  counts.seconds = (performance.now() - started) / 1000
  run.counts.push(counts)
  return out
}

/** Runs a processor whose step is an Effect over `events`, one event after another. */
const runEffect = (
  processor: Processor.Processor & { readonly _tag: "Effect" },
  events: ReadonlyArray<SourceEvent.SourceEvent>,
  run: Run
): Effect.Effect<Array<SourceEvent.SourceEvent>> =>
  Effect.suspend(() => {
    const counts = newCounts(processor, events.length)
    const started = performance.now()
    const out: Array<SourceEvent.SourceEvent> = []
    return Effect.as(
      Effect.forEach(
        events,
        (event) =>
          Effect.map(Effect.either(Effect.catchAllDefect(Effect.suspend(() => processor.step(event)), (d) => Effect.fail(thrown(d)))), (either) =>
            settle(processor, event, either._tag === "Right" ? either.right : either.left, out, counts, run)),
        { discard: true }
      ),
      out
    ).pipe(Effect.ensuring(Effect.sync(() => {
      counts.seconds = (performance.now() - started) / 1000
      run.counts.push(counts)
    })))
  })

/** The `residue` of a result when it was not asked for. */
const noResidue: ReadonlyArray<SourceEvent.SourceEvent> = []

/** `true` when every processor of `processors` is synchronous. */
export const isSync = (processors: ReadonlyArray<Processor.Processor>): boolean => processors.every((p) => p._tag === "Sync")

/** Runs `batch` through synchronous `processors` in one step (every one must be `Sync`: see `isSync`). */
export const processSync = (
  processors: ReadonlyArray<Processor.Processor>,
  batch: ReadonlyArray<SourceEvent.SourceEvent>,
  keepResidue = false
): Result => {
  let events: ReadonlyArray<SourceEvent.SourceEvent> = batch
  // the whole batch as its one part
  const result = processSyncParts(processors, batch, Math.max(1, batch.length), (out) => void (events = out), keepResidue)
  return { ...result, events }
}

/** The `events` of a result whose events were handed over part by part. */
const handedOver: ReadonlyArray<SourceEvent.SourceEvent> = []

/**
 * `processSync` in parts of `part` events: each part goes through every processor and its events to
 * `onEvents` before the next part starts, so what a processor made of a part (its records) can die young
 * instead of living until the whole batch is processed. The counts are the batch's; `events` is empty.
 */
export const processSyncParts = (
  processors: ReadonlyArray<Processor.Processor>,
  batch: ReadonlyArray<SourceEvent.SourceEvent>,
  part: number,
  onEvents: (events: ReadonlyArray<SourceEvent.SourceEvent>) => void,
  keepResidue = false
): Result => {
  const run: Run = { rescue: [], dropped: [], residue: keepResidue ? [] : undefined, counts: [] }
  const total = processors.map((p) => newCounts(p, 0))
  for (let from = 0; from < batch.length; from += part) {
    let events: ReadonlyArray<SourceEvent.SourceEvent> = from === 0 && batch.length <= part ? batch : batch.slice(from, from + part)
    run.counts.length = 0
    for (const processor of processors) {
      if (processor._tag !== "Sync") throw new Error(`processSync: processor ${processor.name} is not synchronous`)
      events = runSync(processor, events, run)
    }
    for (let i = 0; i < total.length; i++) {
      const t = total[i]!
      const c = run.counts[i]!
      t.in += c.in
      t.out += c.out
      t.dropped += c.dropped
      t.failed += c.failed
      t.seconds += c.seconds
    }
    onEvents(events)
  }
  return { events: handedOver, rescue: run.rescue, dropped: run.dropped, residue: run.residue ?? noResidue, counts: total }
}

/**
 * Runs `batch` through `processors`, in order; never fails (failures are in the result). The events
 * dropped by a rule are kept in `residue` only with `keepResidue`.
 */
export const process = (
  processors: ReadonlyArray<Processor.Processor>,
  batch: ReadonlyArray<SourceEvent.SourceEvent>,
  keepResidue = false
): Effect.Effect<Result> =>
  isSync(processors)
    ? Effect.sync(() => processSync(processors, batch, keepResidue))
    : Effect.suspend(() => {
      const run: Run = { rescue: [], dropped: [], residue: keepResidue ? [] : undefined, counts: [] }
      let events: Effect.Effect<ReadonlyArray<SourceEvent.SourceEvent>> = Effect.succeed(batch)
      for (const processor of processors) {
        events = Effect.flatMap(events, (input) =>
          processor._tag === "Sync" ? Effect.sync(() => runSync(processor, input, run)) : runEffect(processor, input, run))
      }
      return Effect.map(events, (out): Result => ({ events: out, ...run, residue: run.residue ?? noResidue }))
    })
