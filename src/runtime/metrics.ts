/**
 * The engine's metrics, defined with Effect's `Metric`: events and bytes in and out per source and
 * sink, errors by code, retries, rescued and acked events, queue depth and batch latency. The
 * helpers below are what the engine calls; `prometheus.ts` renders `Metric.snapshot`.
 *
 * @since 0.1.0
 */
import { Effect, FiberRef, Metric, MetricBoundaries, MetricKey, MetricLabel } from "effect"

/** Which side of the pipeline an error came from. */
export type Component = "source" | "sink" | "processor"

/** What a labelled metric needs to record a number (counters add it, gauges set it, histograms observe it). */
interface Recorder {
  unsafeUpdate(input: number, extraTags: ReadonlyArray<MetricLabel.MetricLabel>): void
  /** Reads the value; the first read registers the series (at zero). */
  unsafeValue(extraTags: ReadonlyArray<MetricLabel.MetricLabel>): unknown
}

/** `make(a)`, built once per distinct `a`. */
const memo = <M>(make: (a: string) => M): (a: string) => M => {
  const cache = new Map<string, M>()
  return (a) => {
    let m = cache.get(a)
    if (m === undefined) {
      m = make(a)
      cache.set(a, m)
    }
    return m
  }
}

/**
 * The metric of `key` with labels `names` set to the values given. Each label set is built once:
 * `Metric.tagged` would rebuild (and re-hash) the key on every update.
 */
const labelled = (key: MetricKey.MetricKey.Untyped, names: ReadonlyArray<string>) =>
(values: ReadonlyArray<string>): Recorder =>
  Metric.fromMetricKey(MetricKey.taggedWithLabels(key, names.map((n, i) => MetricLabel.make(n, values[i]!))))

const bySource = (key: MetricKey.MetricKey.Untyped): (source: string) => Recorder => {
  const make = labelled(key, ["source"])
  return memo((source) => make([source]))
}

const bySink = (key: MetricKey.MetricKey.Untyped): (group: string, sink: string) => Recorder => {
  const make = labelled(key, ["group", "sink"])
  const groups = memo((group) => memo((sink) => make([group, sink])))
  return (group, sink) => groups(group)(sink)
}

const counter = (name: string, description: string) => MetricKey.counter(name, { description, incremental: true })
const gauge = (name: string, description: string) => MetricKey.gauge(name, { description })

/** Runs `f` with the fiber's metric labels (as `Metric.update` does), in one step for several metrics. */
const record = (f: (labels: ReadonlyArray<MetricLabel.MetricLabel>) => void): Effect.Effect<void> =>
  FiberRef.getWith(FiberRef.currentMetricLabels, (labels) => Effect.sync(() => f(labels)))

const sourceEvents = bySource(counter("wpc_source_events_total", "Events read from a source."))
const sourceBytes = bySource(counter("wpc_source_bytes_total", "Payload bytes read from a source."))
const ackedEvents = bySource(counter("wpc_acked_events_total", "Events acknowledged to a source after every sink took them."))
const sinkEvents = bySink(counter("wpc_sink_events_total", "Events written by a sink."))
const sinkBytes = bySink(counter("wpc_sink_bytes_total", "Payload bytes written by a sink."))
const retries = bySink(counter("wpc_retries_total", "Retries of a failed sink write."))
const rescuedEvents = bySink(counter("wpc_rescued_events_total", "Events a sink could not take, written to the rescue file."))
const queueEvents = bySink(gauge("wpc_queue_depth_events", "Events queued for a sink (queued and in flight)."))
const queueBytes = bySink(gauge("wpc_queue_depth_bytes", "Payload bytes queued for a sink (queued and in flight)."))

/** Bounds of `wpc_batch_latency_seconds`: 0.5 ms doubling to 16.384 s, then `+Inf`. */
export const batchLatencyBoundaries: ReadonlyArray<number> = Array.from({ length: 16 }, (_, i) => 0.0005 * 2 ** i)

const latency = bySink(
  MetricKey.histogram(
    "wpc_batch_latency_seconds",
    MetricBoundaries.fromIterable(batchLatencyBoundaries),
    "Seconds from a batch entering a sink's queue until the sink has written it."
  )
)

const byProcessor = (key: MetricKey.MetricKey.Untyped): (source: string, processor: string) => Recorder => {
  const make = labelled(key, ["source", "processor"])
  const sources = memo((source) => memo((processor) => make([source, processor])))
  return (source, processor) => sources(source)(processor)
}

const processorIn = byProcessor(counter("wpc_processor_events_in_total", "Events a processor was given."))
const processorOut = byProcessor(counter("wpc_processor_events_out_total", "Events a processor passed on (several per input when it splits)."))
const processorDropped = byProcessor(counter("wpc_processor_dropped_total", "Events a processor dropped (by its rule, or on a failure with on_error = drop)."))
const processorFailed = byProcessor(counter("wpc_processor_failed_total", "Events a processor failed on (rescued, passed or dropped as on_error says)."))
const processorSeconds = byProcessor(counter("wpc_processor_seconds_total", "Seconds a processor spent on its events."))

/** What one processor did with one batch. */
export interface ProcessorCounts {
  readonly in: number
  readonly out: number
  readonly dropped: number
  readonly failed: number
  readonly seconds: number
}

/** Counts what processor `processor` of source `source` did with a batch (`wpc_processor_*`), with the fiber labels `labels`. */
export const unsafeProcessor = (labels: Labels, source: string, processor: string, counts: ProcessorCounts): void => {
  processorIn(source, processor).unsafeUpdate(counts.in, labels)
  processorOut(source, processor).unsafeUpdate(counts.out, labels)
  if (counts.dropped > 0) processorDropped(source, processor).unsafeUpdate(counts.dropped, labels)
  if (counts.failed > 0) processorFailed(source, processor).unsafeUpdate(counts.failed, labels)
  processorSeconds(source, processor).unsafeUpdate(counts.seconds, labels)
}

const sourceUp = bySource(gauge("wpc_source_up", "1 while a source runs, 0 while it waits to be rebuilt or once it failed for good."))
const breakersOpen = bySink(gauge("wpc_sink_breakers_open", "Replicas of a sink whose circuit breaker is open (the last write failed)."))
const queueCapacity = bySink(gauge("wpc_queue_capacity_events", "Events a sink's queues hold at most (all its replicas)."))

const errorsKey = counter("wpc_errors_total", "Errors by component (source or sink), name and code.")
const errorsMake = labelled(errorsKey, ["component", "name", "code"])
const errors = memo((component) => memo((name) => memo((code) => errorsMake([component, name, code]))))

/** A fiber's metric labels, as the `unsafe*` updates take them. */
export type Labels = ReadonlyArray<MetricLabel.MetricLabel>

/** The metric labels of the current fiber, for the `unsafe*` updates of a long-lived loop (read once). */
export const currentLabels: Effect.Effect<Labels> = FiberRef.get(FiberRef.currentMetricLabels)

/** `sourceIn` without an Effect, with the fiber labels `labels` (see `currentLabels`). */
export const unsafeSourceIn = (labels: Labels, source: string, events: number, bytes: number): void => {
  sourceEvents(source).unsafeUpdate(events, labels)
  sourceBytes(source).unsafeUpdate(bytes, labels)
}

/** Counts a batch read from `source`: `wpc_source_events_total` and `wpc_source_bytes_total`. */
export const sourceIn = (source: string, events: number, bytes: number): Effect.Effect<void> =>
  record((labels) => unsafeSourceIn(labels, source, events, bytes))

/** `sinkOut` without an Effect, with the fiber labels `labels` (see `currentLabels`). */
export const unsafeSinkOut = (labels: Labels, group: string, sink: string, events: number, bytes: number): void => {
  sinkEvents(group, sink).unsafeUpdate(events, labels)
  sinkBytes(group, sink).unsafeUpdate(bytes, labels)
}

/** Counts a batch written by `sink` of `group`: `wpc_sink_events_total` and `wpc_sink_bytes_total`. */
export const sinkOut = (group: string, sink: string, events: number, bytes: number): Effect.Effect<void> =>
  record((labels) => unsafeSinkOut(labels, group, sink, events, bytes))

/** Counts an error of a source or sink named `name`, by its code: `wpc_errors_total`. */
export const error = (component: Component, name: string, code: number): Effect.Effect<void> =>
  record((labels) => errors(component)(name)(String(code)).unsafeUpdate(1, labels))

/** Counts a retry of a sink write: `wpc_retries_total`. */
export const retry = (group: string, sink: string): Effect.Effect<void> =>
  record((labels) => retries(group, sink).unsafeUpdate(1, labels))

/** Counts events sent to the rescue file instead of `sink`: `wpc_rescued_events_total`. */
export const rescued = (group: string, sink: string, events: number): Effect.Effect<void> =>
  record((labels) => rescuedEvents(group, sink).unsafeUpdate(events, labels))

/** Counts events acknowledged to `source`: `wpc_acked_events_total`. */
export const acked = (source: string, events: number): Effect.Effect<void> =>
  record((labels) => ackedEvents(source).unsafeUpdate(events, labels))

/** `queueDepth` and `batchLatency` in one step, without an Effect, with the fiber labels `labels`. */
export const unsafeSinkDone = (
  labels: Labels,
  group: string,
  sink: string,
  latencySeconds: number,
  depthEvents: number,
  depthBytes: number
): void => {
  latency(group, sink).unsafeUpdate(latencySeconds, labels)
  queueEvents(group, sink).unsafeUpdate(depthEvents, labels)
  queueBytes(group, sink).unsafeUpdate(depthBytes, labels)
}

/** Sets how much waits in a sink's queue: `wpc_queue_depth_events` and `wpc_queue_depth_bytes`. */
export const queueDepth = (group: string, sink: string, events: number, bytes: number): Effect.Effect<void> =>
  record((labels) => {
    queueEvents(group, sink).unsafeUpdate(events, labels)
    queueBytes(group, sink).unsafeUpdate(bytes, labels)
  })

/** Observes how long a batch took from entering a sink's queue to being written: `wpc_batch_latency_seconds`. */
export const batchLatency = (group: string, sink: string, seconds: number): Effect.Effect<void> =>
  record((labels) => latency(group, sink).unsafeUpdate(seconds, labels))

/** What a run is made of, for `declare`: its source keys, its sinks and the processors of its sources. */
export interface Topology {
  readonly sources: ReadonlyArray<string>
  readonly sinks: ReadonlyArray<{ readonly group: string; readonly name: string }>
  readonly processors: ReadonlyArray<{ readonly source: string; readonly name: string }>
}

/**
 * Registers every series of the run's sources, sinks and processors at zero (counters, gauges and the
 * latency histogram), so that a scrape right after the start lists them all before anything happened.
 */
export const declare = (topology: Topology): Effect.Effect<void> =>
  record((labels) => {
    for (const source of topology.sources) {
      for (const m of [sourceEvents, sourceBytes, ackedEvents, sourceUp]) m(source).unsafeValue(labels)
    }
    for (const { group, name } of topology.sinks) {
      for (const m of [sinkEvents, sinkBytes, retries, rescuedEvents, queueEvents, queueBytes, latency, breakersOpen, queueCapacity]) {
        m(group, name).unsafeValue(labels)
      }
    }
    for (const { name, source } of topology.processors) {
      for (const m of [processorIn, processorOut, processorDropped, processorFailed, processorSeconds]) m(source, name).unsafeValue(labels)
    }
  })

/** The metric keys without labels whose families a scrape lists even before they have a series (`wpc_errors_total`). */
export const declaredFamilies: ReadonlyArray<MetricKey.MetricKey.Untyped> = [errorsKey]

/** What `health` records: per source whether it runs, per sink its open breakers and queue capacity. */
export interface HealthGauges {
  readonly sources: ReadonlyArray<{ readonly name: string; readonly up: boolean }>
  readonly sinks: ReadonlyArray<{
    readonly group: string
    readonly name: string
    readonly breakersOpen: number
    readonly queueCapacity: number
  }>
}

/** Sets `wpc_source_up`, `wpc_sink_breakers_open` and `wpc_queue_capacity_events` (read when scraped, off the hot path). */
export const health = (h: HealthGauges): Effect.Effect<void> =>
  record((labels) => {
    for (const s of h.sources) sourceUp(s.name).unsafeUpdate(s.up ? 1 : 0, labels)
    for (const s of h.sinks) {
      breakersOpen(s.group, s.name).unsafeUpdate(s.breakersOpen, labels)
      queueCapacity(s.group, s.name).unsafeUpdate(s.queueCapacity, labels)
    }
  })
