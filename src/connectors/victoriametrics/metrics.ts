/**
 * The counters of a `victoriametrics` sink, labelled `group` and `sink` (rendered by `wpc`'s `/metrics`
 * with the engine's): records that yielded no sample (by `reason`), samples pushed again after a lost
 * connection, and samples dropped from the replay window for want of room.
 *
 * @since 0.2.0
 */
import { Effect, Metric } from "effect"
import type { SkipReason } from "./samples.js"

/**
 * Why something was left out: a record's `SkipReason`; `too_long`, a sample whose Prometheus line is over
 * VictoriaMetrics' 256 KiB limit (a huge label); `nan`, a raw line whose value is NaN.
 */
export type Skipped = SkipReason | "too_long" | "nan"

const skippedTotal = Metric.counter("wpc_victoriametrics_skipped_total", {
  description: "Records (or raw lines) a victoriametrics sink left out: they held no sample it could push.",
  incremental: true
})
const replayedTotal = Metric.counter("wpc_victoriametrics_replayed_samples_total", {
  description: "Samples a victoriametrics sink pushed again after losing its connection (stored twice where the server had kept them).",
  incremental: true
})
const evictedTotal = Metric.counter("wpc_victoriametrics_replay_evicted_samples_total", {
  description: "Samples dropped from a victoriametrics sink's replay window before their time was up (replay_max_mb was reached).",
  incremental: true
})

/** Every reason a record or line is left out. */
export const skipReasons: ReadonlyArray<Skipped> = ["no_value", "no_metric_name", "bad_timestamp", "too_long", "nan"]

/** What a sink counted so far. */
export interface Counts {
  readonly skipped: { readonly [reason in Skipped]: number }
  readonly replayed: number
  readonly evicted: number
}

/** The counters of one sink. */
export interface SinkMetrics {
  readonly skipped: (reason: Skipped, n: number) => Effect.Effect<void>
  readonly replayed: (n: number) => Effect.Effect<void>
  readonly evicted: (n: number) => Effect.Effect<void>
  /** Their values now. */
  readonly counts: Effect.Effect<Counts>
}

/** The counters of sink `group`/`sink`. */
export const forSink = (group: string, sink: string): SinkMetrics => {
  const tag = (m: Metric.Metric.Counter<number>): Metric.Metric.Counter<number> =>
    m.pipe(Metric.tagged("group", group), Metric.tagged("sink", sink))
  const skipped = tag(skippedTotal)
  const replayed = tag(replayedTotal)
  const evicted = tag(evictedTotal)
  const byReason = new Map(skipReasons.map((reason) => [reason, Metric.tagged(skipped, "reason", reason)] as const))
  const count = (m: Metric.Metric.Counter<number>) => Effect.map(Metric.value(m), (state) => state.count)
  return {
    skipped: (reason, n) => (n === 0 ? Effect.void : Metric.incrementBy(byReason.get(reason)!, n)),
    replayed: (n) => (n === 0 ? Effect.void : Metric.incrementBy(replayed, n)),
    evicted: (n) => (n === 0 ? Effect.void : Metric.incrementBy(evicted, n)),
    counts: Effect.all({
      skipped: Effect.all({
        no_value: count(byReason.get("no_value")!),
        no_metric_name: count(byReason.get("no_metric_name")!),
        bad_timestamp: count(byReason.get("bad_timestamp")!),
        too_long: count(byReason.get("too_long")!),
        nan: count(byReason.get("nan")!)
      }),
      replayed: count(replayed),
      evicted: count(evicted)
    })
  }
}
