/**
 * `wpc top [--metrics-addr HOST:PORT | --url URL] [--once]`: a live table of a running `wpc run`, read
 * from its metrics endpoint — per source its events/s, events and acked, whether it runs; per sink
 * its events/s, queue fill, written, retries, rescued and breaker state; and the process's memory and
 * event-loop delay. On a terminal it redraws every second; with `--once`, or when stdout is not a
 * terminal, it prints one snapshot (rates over one second) and exits. Exit 1 when the endpoint cannot
 * be read.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Clock, Console, Effect, Either, Option } from "effect"
import * as ExitCode from "./exit-code.js"
import * as MetricsAddress from "./metrics-address.js"
import * as Scrape from "./scrape.js"
import * as Table from "./table.js"

/** One source as `top` shows it. */
export interface SourceRow {
  readonly name: string
  readonly events: number
  readonly acked: number
  readonly up: boolean
}

/** One sink as `top` shows it. */
export interface SinkRow {
  readonly group: string
  readonly name: string
  readonly written: number
  readonly queued: number
  readonly capacity: number
  readonly retries: number
  readonly rescued: number
  readonly breakersOpen: number
}

/** What one scrape says, at `millis` (Clock time of the scrape). */
export interface Snapshot {
  readonly millis: number
  readonly sources: ReadonlyArray<SourceRow>
  readonly sinks: ReadonlyArray<SinkRow>
  readonly rss: number
  readonly heapUsed: number
  readonly loopDelayP99: number
}

/** The sum of the samples named `name` whose labels match `labels`. */
const sum = (samples: ReadonlyArray<Scrape.Sample>, name: string, labels: { readonly [k: string]: string } = {}): number =>
  samples.reduce(
    (n, s) => (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) ? n + s.value : n),
    0
  )

/** The distinct values of `keys` over the samples named `name`, in the order first seen. */
const distinct = (samples: ReadonlyArray<Scrape.Sample>, name: string, keys: ReadonlyArray<string>): Array<Array<string>> => {
  const seen = new Map<string, Array<string>>()
  for (const s of samples) {
    if (s.name !== name) continue
    const values = keys.map((k) => s.labels[k] ?? "")
    seen.set(JSON.stringify(values), values)
  }
  return [...seen.values()]
}

/** The sources and sinks of a scrape, taken at `millis`. */
export const snapshot = (samples: ReadonlyArray<Scrape.Sample>, millis: number): Snapshot => ({
  millis,
  sources: distinct(samples, "wpc_source_events_total", ["source"]).map(([name = ""]) => ({
    name,
    events: sum(samples, "wpc_source_events_total", { source: name }),
    acked: sum(samples, "wpc_acked_events_total", { source: name }),
    up: samples.every((s) => s.name !== "wpc_source_up" || s.labels["source"] !== name || s.value > 0)
  })),
  sinks: distinct(samples, "wpc_sink_events_total", ["group", "sink"]).map(([group = "", name = ""]) => {
    const l = { group, sink: name }
    return {
      group,
      name,
      written: sum(samples, "wpc_sink_events_total", l),
      queued: sum(samples, "wpc_queue_depth_events", l),
      capacity: sum(samples, "wpc_queue_capacity_events", l),
      retries: sum(samples, "wpc_retries_total", l),
      rescued: sum(samples, "wpc_rescued_events_total", l),
      breakersOpen: sum(samples, "wpc_sink_breakers_open", l)
    }
  }),
  rss: sum(samples, "wpc_process_resident_memory_bytes"),
  heapUsed: sum(samples, "wpc_process_heap_used_bytes"),
  loopDelayP99: sum(samples, "wpc_process_event_loop_delay_p99_seconds")
})

const count = (n: number): string => Math.round(n).toLocaleString("en-US")

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** Events per second between two counts, or "-" without a previous scrape. */
const perSecond = (now: number, before: number | undefined, seconds: number): string =>
  before === undefined || seconds <= 0 ? "-" : count(Math.max(0, now - before) / seconds)

/** The table of `current`, with rates since `previous` (none: rates are "-"). */
export const view = (current: Snapshot, previous: Snapshot | undefined): string => {
  const seconds = previous === undefined ? 0 : (current.millis - previous.millis) / 1000
  const sources = Table.render(
    ["SOURCE", "EVENTS/S", "EVENTS", "ACKED", "STATE"],
    current.sources.map((s) => [
      s.name,
      perSecond(s.events, previous?.sources.find((p) => p.name === s.name)?.events, seconds),
      count(s.events),
      count(s.acked),
      s.up ? "up" : "down"
    ])
  )
  const sinks = Table.render(
    ["SINK", "EVENTS/S", "QUEUE", "WRITTEN", "RETRIES", "RESCUED", "BREAKER"],
    current.sinks.map((s) => [
      `${s.group}/${s.name}`,
      perSecond(s.written, previous?.sinks.find((p) => p.group === s.group && p.name === s.name)?.written, seconds),
      s.capacity > 0 ? `${((100 * s.queued) / s.capacity).toFixed(1)}%` : count(s.queued),
      count(s.written),
      count(s.retries),
      count(s.rescued),
      s.breakersOpen > 0 ? `open (${count(s.breakersOpen)})` : "closed"
    ])
  )
  const process = `process: rss ${mib(current.rss)}, heap used ${mib(current.heapUsed)}, event-loop delay p99 ${(current.loopDelayP99 * 1000).toFixed(1)} ms`
  return `${sources}\n\n${sinks}\n\n${process}`
}

/** `--url URL`: the metrics URL to read (instead of `--metrics-addr`). */
export const url = Options.text("url").pipe(
  Options.optional,
  Options.withDescription("the metrics URL of the running wpc (e.g. http://127.0.0.1:9464/metrics)")
)

/** `--metrics-addr HOST:PORT` of the running wpc (default 127.0.0.1:9464). */
export const metricsAddr = MetricsAddress.addrOption("where the running wpc serves its metrics (default 127.0.0.1:9464)")

/** `--once`: print one snapshot and exit (what `top` does anyway when stdout is not a terminal). */
export const once = Options.boolean("once").pipe(
  Options.withDescription("print one snapshot (rates over one second) and exit; the default when stdout is not a terminal")
)

/** The port `top` reads when given no address (the one docs/metrics.md uses). */
export const defaultPort = 9464

/** One scrape of `target`, as a snapshot. */
const take = (target: string) =>
  Effect.flatMap(Scrape.scrape(target), (samples) => Effect.map(Clock.currentTimeMillis, (now) => snapshot(samples, now)))

/** Shows the table of the metrics at `target`: one snapshot when `single`, else a redraw every second. */
export const top = (target: string, single: boolean): Effect.Effect<void, ExitCode.Exit> =>
  Effect.gen(function*() {
    let previous = yield* take(target)
    if (single) {
      yield* Effect.sleep("1 second")
      yield* Console.log(view(yield* take(target), previous))
      return
    }
    yield* Console.log(`\u001b[H\u001b[2J${view(previous, undefined)}`)
    while (true) {
      yield* Effect.sleep("1 second")
      const current = yield* take(target)
      yield* Console.log(`\u001b[H\u001b[2J${target}\n\n${view(current, previous)}`)
      previous = current
    }
  }).pipe(
    Effect.catchAll((e) => Effect.zipRight(Console.error(`wpc top: ${e.message}`), new ExitCode.Exit({ code: ExitCode.configErrors })))
  )

/**
 * The metrics URL `top` reads: `--url` (an http or https URL), else `--metrics-addr`, else
 * 127.0.0.1:9464; both at once, or a `--url` that is not such a URL, is an error saying so.
 */
export const targetOf = (u: Option.Option<string>, addr: Option.Option<MetricsAddress.Address>): Either.Either<string, string> => {
  if (Option.isSome(u) && Option.isSome(addr)) return Either.left("give --metrics-addr HOST:PORT or --url URL, not both")
  if (Option.isSome(u)) {
    return /^https?:$/.test(URL.canParse(u.value) ? new URL(u.value).protocol : "")
      ? Either.right(u.value)
      : Either.left(`--url ${JSON.stringify(u.value)} is not an http:// or https:// URL (e.g. http://127.0.0.1:9464/metrics)`)
  }
  const address = Option.getOrElse(addr, () => ({ host: MetricsAddress.defaultHost, port: defaultPort }))
  return Either.right(`http://${MetricsAddress.format(address)}/metrics`)
}

/** The `top` command. */
export const command = Command.make("top", { metricsAddr, url, once }, (o) =>
  Either.match(targetOf(o.url, o.metricsAddr), {
    onLeft: (why) => Effect.zipRight(Console.error(`wpc top: ${why}`), new ExitCode.Exit({ code: ExitCode.usage })),
    onRight: (target) => top(target, o.once || process.stdout.isTTY !== true)
  })).pipe(
    Command.withDescription(
      "Show a live table of a running wpc (wpc run --metrics-addr/--metrics-port): per source and sink events/s, queue fill, acked, retries, breaker state. Redraws every second on a terminal; --once (or a pipe) prints one snapshot. Exit 1 when the endpoint cannot be read."
    )
  )
