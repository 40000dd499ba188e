/**
 * `RunReport`: what a run moved — events in, written, rescued, acked and left unacked (which a
 * restart replays) — and how each Stop phase went. `Progress` is the same, live.
 *
 * @since 0.1.0
 */

/** Counters of one source. */
export interface SourceStats {
  readonly name: string
  events: number
  bytes: number
  acked: number
  restarts: number
  error: string | undefined
}

/** Counters of one sink (all its replicas). */
export interface SinkStats {
  readonly group: string
  readonly name: string
  events: number
  bytes: number
  rescued: number
  retries: number
  errors: number
}

/** Counters of one processor of one source. */
export interface ProcessorStats {
  readonly source: string
  readonly name: string
  /** Events it was given. */
  in: number
  /** Events it passed on. */
  out: number
  /** Events it dropped (by its rule, or failed with `on_error = "drop"`). */
  dropped: number
  /** Events it failed on (whatever `on_error` then did). */
  failed: number
  /** Events it failed on that went to the rescue file. */
  rescued: number
  /** Seconds it spent. */
  seconds: number
}

/** One phase of a Stop. */
export interface PhaseReport {
  readonly phase: "stopSources" | "drain" | "acks" | "close"
  readonly millis: number
  readonly timedOut: boolean
}

/** How a run ended: the sources ended, a Stop was asked for, or something failed. */
export type RunStatus = "completed" | "stopped" | "failed"

/** What a run did. */
export interface RunReport {
  readonly status: RunStatus
  readonly millis: number
  readonly eventsIn: number
  readonly bytesIn: number
  /** Events every sink that had to take them wrote or rescued (the batch completed). */
  readonly eventsCompleted: number
  /** Events that matched no sink (they count as completed). */
  readonly unrouted: number
  /** Events acknowledged to their sources. */
  readonly acked: number
  /** Events read but not completed: a restart replays them (for sources that can ack). */
  readonly unacked: number
  readonly sources: ReadonlyArray<SourceStats>
  readonly sinks: ReadonlyArray<SinkStats>
  /** The processors of each source, in order (none when no source has any). */
  readonly processors: ReadonlyArray<ProcessorStats>
  readonly phases: ReadonlyArray<PhaseReport>
  /** Why the run failed, when it did. */
  readonly errors: ReadonlyArray<string>
}

/** Totals over sinks: written and rescued events, retries and errors. */
export const sinkTotals = (sinks: ReadonlyArray<SinkStats>) =>
  sinks.reduce(
    (t, s) => ({
      written: t.written + s.events,
      rescued: t.rescued + s.rescued,
      retries: t.retries + s.retries,
      errors: t.errors + s.errors
    }),
    { written: 0, rescued: 0, retries: 0, errors: 0 }
  )

/** A one-line summary: `completed in 1.2s: 10000 in, 10000 written, 0 rescued, 0 unacked` (rescued by sinks and processors). */
export const summary = (report: RunReport): string => {
  const t = sinkTotals(report.sinks)
  // events a processor failed on and rescued are in the rescue directory too
  const rescued = t.rescued + report.processors.reduce((n, p) => n + p.rescued, 0)
  return `${report.status} in ${(report.millis / 1000).toFixed(1)}s: ${report.eventsIn} in, ${t.written} written, ${rescued} rescued, ${report.acked} acked, ${report.unacked} unacked, ${t.errors} sink errors`
}
