/**
 * What one bench scenario reports: events, bytes, seconds, peak RSS; printed as one JSON line.
 */

/** One measured run of a scenario by one implementation. */
export interface Measurement {
  readonly scenario: string
  readonly impl: "engine" | "baseline"
  readonly events: number
  readonly bytes: number
  readonly seconds: number
}

/** Prints `m` as a JSON line with rates and the process's peak RSS. */
export const report = (m: Measurement): void => {
  const usage = process.resourceUsage()
  const peakRssMb = usage.maxRSS / 1024
  console.log(JSON.stringify({
    scenario: m.scenario,
    impl: m.impl,
    events: m.events,
    bytes: m.bytes,
    seconds: Number(m.seconds.toFixed(3)),
    events_per_s: Math.round(m.events / m.seconds),
    mb_per_s: Number((m.bytes / 1e6 / m.seconds).toFixed(1)),
    peak_rss_mb: Math.round(peakRssMb),
    // CPU seconds of the whole process (every thread, start-up included): on a loaded machine, what the work cost
    cpu_s: Number(((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2))
  }))
}

/** Seconds since `t0` (from `performance.now()`). */
export const since = (t0: number): number => (performance.now() - t0) / 1000
