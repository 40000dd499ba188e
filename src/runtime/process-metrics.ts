/**
 * `ProcessMetrics`: the health of the Node process as Effect metrics — event-loop delay
 * (`perf_hooks.monitorEventLoopDelay`), heap used and total, resident memory, garbage collections
 * and their time by kind (a `PerformanceObserver` of `gc` entries), and active resources by type
 * (`process.getActiveResourcesInfo`). Gauges are read when `collect` runs (at each scrape); the
 * event-loop delay is the last complete window of `windowMillis`.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Metric, MetricKey, MetricLabel, Schedule, type Scope } from "effect"
import * as perf from "node:perf_hooks"

/** The length of one event-loop delay window: the delay gauges describe the last complete one. */
export const windowMillis = 5000

const gauge = (name: string, description: string) => Metric.fromMetricKey(MetricKey.gauge(name, { description }))

const delayP50 = gauge("wpc_process_event_loop_delay_p50_seconds", "Median event-loop delay over the last window.")
const delayP99 = gauge("wpc_process_event_loop_delay_p99_seconds", "99th percentile of the event-loop delay over the last window.")
const delayMax = gauge("wpc_process_event_loop_delay_max_seconds", "Largest event-loop delay over the last window.")
const heapUsed = gauge("wpc_process_heap_used_bytes", "V8 heap in use.")
const heapTotal = gauge("wpc_process_heap_total_bytes", "V8 heap reserved.")
const rss = gauge("wpc_process_resident_memory_bytes", "Resident set size of the process.")

const resourcesKey = MetricKey.gauge("wpc_process_active_resources", { description: "Active libuv resources (handles and requests) by type." })
const gcCountKey = MetricKey.counter("wpc_process_gc_total", { description: "Garbage collections by kind.", incremental: true })
const gcSecondsKey = MetricKey.counter("wpc_process_gc_seconds_total", { description: "Seconds spent in garbage collection by kind.", incremental: true })

/** The kinds of a `gc` performance entry (`entry.detail.kind`), by their Prometheus label value. */
const gcKinds: ReadonlyArray<readonly [number, string]> = [
  [perf.constants.NODE_PERFORMANCE_GC_MINOR, "minor"],
  [perf.constants.NODE_PERFORMANCE_GC_MAJOR, "major"],
  [perf.constants.NODE_PERFORMANCE_GC_INCREMENTAL, "incremental"],
  [perf.constants.NODE_PERFORMANCE_GC_WEAKCB, "weakcb"]
]

const byKind = (key: MetricKey.MetricKey.Counter<number>) =>
  new Map(gcKinds.map(([kind, label]) => [kind, Metric.fromMetricKey(MetricKey.tagged(key, "kind", label))]))

/** The `detail.kind` of a `gc` entry (Node 16+), or undefined. */
const kindOf = (entry: perf.PerformanceEntry): number | undefined => {
  const detail: unknown = "detail" in entry ? entry.detail : undefined
  return typeof detail === "object" && detail !== null && "kind" in detail && typeof detail.kind === "number" ? detail.kind : undefined
}

/** How often the delay monitor samples (ms): each sample is the timer's lateness plus this. */
const resolutionMillis = 10

/** A delay sample of the monitor in seconds, without the sampling interval it includes. */
const seconds = (nanos: number): number => (Number.isFinite(nanos) ? Math.max(0, nanos / 1e9 - resolutionMillis / 1000) : 0)

/**
 * Starts watching the process for the Scope (the delay monitor and the GC observer stop with it) and
 * returns `collect`, which sets the gauges; every process metric exists, at zero, once this returns.
 * The event-loop delay gauges describe the last complete window of `window` ms.
 */
export const make = (window: number = windowMillis): Effect.Effect<Effect.Effect<void>, never, Scope.Scope> => Effect.gen(function*() {
  const gcCount = byKind(gcCountKey)
  const gcSeconds = byKind(gcSecondsKey)
  for (const m of [...gcCount.values(), ...gcSeconds.values()]) m.unsafeValue([])
  for (const m of [delayP50, delayP99, delayMax]) m.unsafeUpdate(0, [])

  const monitor = yield* Effect.acquireRelease(
    Effect.sync(() => {
      const h = perf.monitorEventLoopDelay({ resolution: resolutionMillis })
      h.enable()
      return h
    }),
    (h) => Effect.sync(() => h.disable())
  )
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      const observer = new perf.PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const kind = kindOf(entry)
          if (kind === undefined) continue
          gcCount.get(kind)?.unsafeUpdate(1, [])
          gcSeconds.get(kind)?.unsafeUpdate(entry.duration / 1000, [])
        }
      })
      observer.observe({ entryTypes: ["gc"] })
      return observer
    }),
    (observer) => Effect.sync(() => observer.disconnect())
  )
  const endWindow = Effect.sync(() => {
    if (monitor.count > 0) {
      delayP50.unsafeUpdate(seconds(monitor.percentile(50)), [])
      delayP99.unsafeUpdate(seconds(monitor.percentile(99)), [])
      delayMax.unsafeUpdate(seconds(monitor.max), [])
    }
    monitor.reset()
  })
  yield* Effect.forkScoped(Effect.repeat(Effect.delay(endWindow, Duration.millis(window)), Schedule.forever))

  const resources = new Map<string, Metric.Metric.Gauge<number>>()
  const resource = (type: string) => {
    let m = resources.get(type)
    if (m === undefined) {
      m = Metric.fromMetricKey(MetricKey.taggedWithLabels(resourcesKey, [MetricLabel.make("type", type)]))
      resources.set(type, m)
    }
    return m
  }
  const collect = Effect.sync(() => {
    const memory = process.memoryUsage()
    heapUsed.unsafeUpdate(memory.heapUsed, [])
    heapTotal.unsafeUpdate(memory.heapTotal, [])
    rss.unsafeUpdate(memory.rss, [])
    const counts = new Map<string, number>()
    for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1)
    // a type seen before and gone now reads 0, not its last count
    for (const type of resources.keys()) if (!counts.has(type)) counts.set(type, 0)
    for (const [type, n] of counts) resource(type).unsafeUpdate(n, [])
  })
  yield* collect
  return collect
})
