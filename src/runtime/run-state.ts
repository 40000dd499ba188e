/**
 * `RunState`: what the parts of a running pipeline share, as one explicit value they are given — the
 * Stop request, the errors to report, the counters of every source and sink, and how many events
 * completed or matched no sink — with the live `Progress` and the final `RunReport` read from it.
 *
 * @since 0.1.0
 */
import { Clock, Deferred, Effect } from "effect"
import type { PhaseReport, ProcessorStats, RunReport, RunStatus, SinkStats, SourceStats } from "./report.js"

/** Live counters of a run. */
export interface Progress {
  readonly millis: number
  readonly eventsIn: number
  /** UTF-8 payload bytes read. */
  readonly bytesIn: number
  readonly written: number
  readonly rescued: number
  readonly errors: number
  readonly acked: number
  readonly queued: number
  /** Events written by each sink (all its replicas), in the order of the spec. */
  readonly sinks: ReadonlyArray<{ readonly group: string; readonly name: string; readonly events: number }>
}

/** The shared state of one run. Counters are plain fields: every part runs on the one JavaScript thread. */
export interface RunState {
  /** When the run was built (Clock ms). */
  readonly started: number
  /** Completed once a Stop was asked for (by the caller, or because something failed for good). */
  readonly stopRequested: Deferred.Deferred<void>
  /** Why the run failed, in the order found; empty when nothing failed. */
  readonly errors: Array<string>
  /** The counters of each source, in spec order (a reload adds those of new sources after them). */
  readonly sources: Array<SourceStats>
  /** The counters of each sink (all its replicas), in spec order (a reload adds those of new sinks after them). */
  readonly sinks: Array<SinkStats>
  /** The counters of each processor of each source, in spec order (a reload adds those of new ones after them). */
  readonly processors: Array<ProcessorStats>
  /** Events whose batch every sink that had to take it wrote or rescued (unrouted ones included). */
  completed: number
  /** Events that matched no sink. */
  unrouted: number
}

/** A fresh state for sources named `sources`, sinks `sinks` (group and name each) and `processors` (source and name each), started now. */
export const make = (
  sources: ReadonlyArray<string>,
  sinks: ReadonlyArray<{ readonly group: string; readonly name: string }>,
  processors: ReadonlyArray<{ readonly source: string; readonly name: string }> = []
): Effect.Effect<RunState> =>
  Effect.gen(function*() {
    return {
      started: yield* Clock.currentTimeMillis,
      stopRequested: yield* Deferred.make<void>(),
      errors: [],
      sources: sources.map((name): SourceStats => ({ name, events: 0, bytes: 0, acked: 0, restarts: 0, error: undefined })),
      sinks: sinks.map(({ group, name }): SinkStats => ({ group, name, events: 0, bytes: 0, rescued: 0, retries: 0, errors: 0 })),
      processors: processors.map(({ source, name }): ProcessorStats => ({ source, name, in: 0, out: 0, dropped: 0, failed: 0, rescued: 0, seconds: 0 })),
      completed: 0,
      unrouted: 0
    }
  })

/** The counters of the source `name`; added when it has none yet (a source a reload replaces keeps its counters). */
export const sourceStats = (self: RunState, name: string): SourceStats => {
  const found = self.sources.find((s) => s.name === name)
  if (found !== undefined) return found
  const stats: SourceStats = { name, events: 0, bytes: 0, acked: 0, restarts: 0, error: undefined }
  self.sources.push(stats)
  return stats
}

/** The counters of the sink `name` of `group`; added when it has none yet (a sink a reload replaces keeps its counters). */
export const sinkStats = (self: RunState, group: string, name: string): SinkStats => {
  const found = self.sinks.find((s) => s.group === group && s.name === name)
  if (found !== undefined) return found
  const stats: SinkStats = { group, name, events: 0, bytes: 0, rescued: 0, retries: 0, errors: 0 }
  self.sinks.push(stats)
  return stats
}

/**
 * The counters of the processors `names` of `source`, in order: the k-th use of a name by the source has
 * the k-th counters of that name, added when it has none yet (a source a reload replaces keeps them).
 */
export const processorStats = (self: RunState, source: string, names: ReadonlyArray<string>): ReadonlyArray<ProcessorStats> => {
  const uses = new Map<string, number>()
  return names.map((name) => {
    const k = uses.get(name) ?? 0
    uses.set(name, k + 1)
    const found = self.processors.filter((p) => p.source === source && p.name === name)[k]
    if (found !== undefined) return found
    const stats: ProcessorStats = { source, name, in: 0, out: 0, dropped: 0, failed: 0, rescued: 0, seconds: 0 }
    self.processors.push(stats)
    return stats
  })
}

/** Asks for a Stop; `true` when this was the first request. */
export const requestStop = (self: RunState): Effect.Effect<boolean> => Deferred.succeed(self.stopRequested, undefined)

/** Waits until a Stop is asked for. */
export const awaitStop = (self: RunState): Effect.Effect<void> => Deferred.await(self.stopRequested)

/** `true` once a Stop was asked for. */
export const isStopping = (self: RunState): Effect.Effect<boolean> => Deferred.isDone(self.stopRequested)

/** Records why the run failed. */
export const failed = (self: RunState, why: string): Effect.Effect<void> => Effect.sync(() => void self.errors.push(why))

const sum = <A>(items: ReadonlyArray<A>, f: (a: A) => number): number => items.reduce((n, a) => n + f(a), 0)

/** The counters now; `queued` is what the sink queues hold. */
export const progress = (self: RunState, queued: number): Effect.Effect<Progress> =>
  Effect.map(Clock.currentTimeMillis, (now) => ({
    millis: now - self.started,
    eventsIn: sum(self.sources, (s) => s.events),
    bytesIn: sum(self.sources, (s) => s.bytes),
    written: sum(self.sinks, (s) => s.events),
    rescued: sum(self.sinks, (s) => s.rescued),
    errors: sum(self.sinks, (s) => s.errors),
    acked: sum(self.sources, (s) => s.acked),
    queued,
    sinks: self.sinks.map((s) => ({ group: s.group, name: s.name, events: s.events }))
  }))

/** The report of the run as it ended: `stopped` tells whether a Stop was asked for; failures make it `failed`. */
export const report = (self: RunState, stopped: boolean, phases: ReadonlyArray<PhaseReport>): Effect.Effect<RunReport> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const eventsIn = sum(self.sources, (s) => s.events)
    const status: RunStatus = self.errors.length > 0 ? "failed" : stopped ? "stopped" : "completed"
    return {
      status,
      millis: now - self.started,
      eventsIn,
      bytesIn: sum(self.sources, (s) => s.bytes),
      eventsCompleted: self.completed,
      unrouted: self.unrouted,
      acked: sum(self.sources, (s) => s.acked),
      unacked: eventsIn - self.completed,
      sources: self.sources.map((s) => ({ ...s })),
      sinks: self.sinks.map((s) => ({ ...s })),
      processors: self.processors.map((p) => ({ ...p })),
      phases,
      errors: [...self.errors]
    }
  })
