/**
 * Effect metrics in the Prometheus text exposition format (0.0.4): `render` turns a
 * `Metric.snapshot` into text, `serve` answers `GET /metrics`, `GET /health` and `GET /ready` on a
 * port (loopback by default) for a Scope.
 *
 * @since 0.1.0
 */
import { Effect, Metric, MetricKeyType, MetricState, Option, Runtime, type Scope } from "effect"
import type * as MetricKey from "effect/MetricKey"
import type * as MetricLabel from "effect/MetricLabel"
import type * as MetricPair from "effect/MetricPair"
import * as http from "node:http"
import { ConfigError } from "../errors/config.js"
import type * as Health from "./health.js"

/** The `Content-Type` of the text format. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

// ---------------------------------------------------------------------------------------------
// Rendering

const metricName = (name: string): string => {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, "_")
  return /^[0-9]/.test(s) ? `_${s}` : s
}

const labelName = (name: string): string => {
  const s = name.replace(/[^a-zA-Z0-9_]/g, "_")
  return /^[0-9]/.test(s) ? `_${s}` : s
}

const labelValue = (value: string): string => value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))

const helpText = (text: string): string => text.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"))

const num = (n: number | bigint): string =>
  typeof n === "bigint"
    ? n.toString()
    : Number.isNaN(n)
    ? "NaN"
    : n === Infinity
    ? "+Inf"
    : n === -Infinity
    ? "-Inf"
    : String(n)

/** `{a="1",b="2"}` from the key's labels and the extra ones; empty when there are none. */
const braces = (labels: ReadonlyArray<MetricLabel.MetricLabel>, extra?: string): string => {
  const parts = labels.map((l) => `${labelName(l.key)}="${labelValue(l.value)}"`)
  if (extra !== undefined) parts.push(extra)
  return parts.length === 0 ? "" : `{${parts.join(",")}}`
}

interface Series {
  readonly sortKey: string
  readonly lines: ReadonlyArray<string>
}

interface Family {
  readonly name: string
  readonly type: "counter" | "gauge" | "histogram" | "summary"
  readonly help: string | undefined
  readonly series: Array<Series>
}

/** One metric's lines and its Prometheus type. */
const sample = (name: string, pair: MetricPair.MetricPair.Untyped): readonly [Family["type"], Array<string>] => {
  const labels = pair.metricKey.tags
  const state: MetricState.MetricState.Untyped = pair.metricState
  if (MetricState.isCounterState(state)) return ["counter", [`${name}${braces(labels)} ${num(state.count)}`]]
  if (MetricState.isGaugeState(state)) return ["gauge", [`${name}${braces(labels)} ${num(state.value)}`]]
  if (MetricState.isHistogramState(state)) {
    const lines: Array<string> = []
    for (const [bound, count] of state.buckets) {
      if (Number.isFinite(bound)) lines.push(`${name}_bucket${braces(labels, `le="${num(bound)}"`)} ${num(count)}`)
    }
    lines.push(`${name}_bucket${braces(labels, `le="+Inf"`)} ${num(state.count)}`)
    lines.push(`${name}_sum${braces(labels)} ${num(state.sum)}`, `${name}_count${braces(labels)} ${num(state.count)}`)
    return ["histogram", lines]
  }
  if (MetricState.isSummaryState(state)) {
    const lines = state.quantiles.map(([q, v]) =>
      `${name}${braces(labels, `quantile="${num(q)}"`)} ${num(Option.getOrElse(v, () => NaN))}`
    )
    lines.push(`${name}_sum${braces(labels)} ${num(state.sum)}`, `${name}_count${braces(labels)} ${num(state.count)}`)
    return ["summary", lines]
  }
  if (MetricState.isFrequencyState(state)) {
    const words = [...state.occurrences].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return ["counter", words.map(([word, n]) => `${name}${braces(labels, `key="${labelValue(word)}"`)} ${num(n)}`)]
  }
  return ["gauge", []]
}

const byKey = <A>(key: (a: A) => string) => (x: A, y: A): number => {
  const a = key(x)
  const b = key(y)
  return a < b ? -1 : a > b ? 1 : 0
}

/** The Prometheus type of a metric key (frequencies are counters). */
const typeOf = (key: MetricKey.MetricKey.Untyped): Family["type"] =>
  MetricKeyType.isGaugeKey(key.keyType)
    ? "gauge"
    : MetricKeyType.isHistogramKey(key.keyType)
    ? "histogram"
    : MetricKeyType.isSummaryKey(key.keyType)
    ? "summary"
    : "counter"

/**
 * A snapshot in the Prometheus text format 0.0.4: one `# HELP` / `# TYPE` block per metric name,
 * names and label sets sorted, histograms as cumulative `_bucket{le=...}` lines up to `+Inf` with
 * `_sum` and `_count`, frequencies as counters labelled `key`, label values escaped. A `declared`
 * key without a series in the snapshot is listed as its `# HELP` / `# TYPE` lines alone.
 */
export const render = (
  snapshot: ReadonlyArray<MetricPair.MetricPair.Untyped>,
  declared: ReadonlyArray<MetricKey.MetricKey.Untyped> = []
): string => {
  const families = new Map<string, Family>()
  for (const key of declared) {
    const name = metricName(key.name)
    families.set(name, { name, type: typeOf(key), help: Option.getOrUndefined(key.description), series: [] })
  }
  for (const pair of snapshot) {
    const name = metricName(pair.metricKey.name)
    const [type, lines] = sample(name, pair)
    let family = families.get(name)
    if (family === undefined) {
      family = { name, type, help: Option.getOrUndefined(pair.metricKey.description), series: [] }
      families.set(name, family)
    }
    family.series.push({ sortKey: braces(pair.metricKey.tags), lines })
  }
  const out: Array<string> = []
  for (const family of [...families.values()].sort(byKey((f) => f.name))) {
    if (family.help !== undefined && family.help.length > 0) out.push(`# HELP ${family.name} ${helpText(family.help)}`)
    out.push(`# TYPE ${family.name} ${family.type}`)
    for (const series of family.series.sort(byKey((s) => s.sortKey))) out.push(...series.lines)
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`
}

// ---------------------------------------------------------------------------------------------
// Serving

/** What `serve` answers besides the snapshot. */
export interface ServeOptions {
  /** The address to listen on (default `127.0.0.1`: loopback only). */
  readonly host?: string | undefined
  /** Run before each `GET /metrics` renders the snapshot (gauges read on demand: process, health). */
  readonly collect?: Effect.Effect<void> | undefined
  /** What `GET /ready` answers (default: always ready). */
  readonly readiness?: Effect.Effect<Health.Readiness> | undefined
  /** Keys listed by `GET /metrics` even before they have a series (see `render`). */
  readonly declared?: ReadonlyArray<MetricKey.MetricKey.Untyped> | undefined
  /** Which metrics `GET /metrics` exports, by name (default: all of them). */
  readonly include?: ((name: string) => boolean) | undefined
}

const paths = ["/metrics", "/health", "/ready"]

/** Writes `body` with `status` and `type`, without the body for `HEAD`. */
const reply = (req: http.IncomingMessage, res: http.ServerResponse, status: number, type: string, body: string): void => {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) })
  res.end(req.method === "HEAD" ? undefined : body)
}

const answer = (runtime: Runtime.Runtime<never>, options: ServeOptions) => (req: http.IncomingMessage, res: http.ServerResponse): void => {
  const path = (req.url ?? "/").split("?")[0] ?? "/"
  if (!paths.includes(path)) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" })
    res.end("not found: metrics are at /metrics, liveness at /health, readiness at /ready\n")
    return
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { "content-type": "text/plain; charset=utf-8", allow: "GET, HEAD" })
    res.end("method not allowed: use GET\n")
    return
  }
  const runSync = Runtime.runSync(runtime)
  if (path === "/health") return reply(req, res, 200, "application/json", `{"status":"up"}\n`)
  if (path === "/ready") {
    const readiness = options.readiness === undefined ? { ready: true, notReady: [] } : runSync(options.readiness)
    const body = `${JSON.stringify({ status: readiness.ready ? "ready" : "not ready", notReady: readiness.notReady })}\n`
    return reply(req, res, readiness.ready ? 200 : 503, "application/json", body)
  }
  if (options.collect !== undefined) runSync(options.collect)
  const snapshot = runSync(Metric.snapshot)
  const include = options.include
  const exported = include === undefined ? snapshot : snapshot.filter((pair) => include(pair.metricKey.name))
  reply(req, res, 200, contentType, render(exported, options.declared))
}

const reasons: { readonly [code: string]: string } = {
  EADDRINUSE: "address already in use",
  EACCES: "permission denied",
  EADDRNOTAVAIL: "address not available on this machine",
  ENOTFOUND: "host not found"
}

const listen = (server: http.Server, port: number, host: string): Effect.Effect<void, ConfigError> =>
  Effect.async<void, ConfigError>((resume) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const why = (e.code === undefined ? undefined : reasons[e.code]) ?? e.message
      resume(Effect.fail(
        new ConfigError({
          detail: `cannot serve metrics on ${host}:${port}: ${why}`,
          suggestion: "choose another address with --metrics-addr HOST:PORT or --metrics-port (0 picks a free port)",
          cause: e
        })
      ))
    }
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resume(Effect.void)
    })
    return Effect.sync(() => server.close())
  })

const close = (server: http.Server): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
    server.closeAllConnections()
  })

/**
 * Serves the current `Metric.snapshot` at `GET /metrics` on `host:port` (loopback by default) until
 * the Scope closes, `GET /health` (200 while the process is up) and `GET /ready` (200, or 503 with a
 * JSON body listing what is not ready); other paths answer 404. Port 0 picks a free port: the one
 * bound is returned. A port in use, or one that cannot be bound, is a `ConfigError` (300) naming
 * `host:port`. `options` may be the host alone.
 */
export const serve = (
  port: number,
  options: string | ServeOptions = {}
): Effect.Effect<{ readonly port: number }, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const serveOptions: ServeOptions = typeof options === "string" ? { host: options } : options
    const host = serveOptions.host ?? "127.0.0.1"
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return yield* new ConfigError({
        detail: `metrics port ${port} is not a TCP port`,
        expected: "an integer from 0 to 65535 (0 picks a free port)"
      })
    }
    const runtime = yield* Effect.runtime<never>()
    const server = yield* Effect.acquireRelease(
      Effect.suspend(() => {
        const server = http.createServer(answer(runtime, serveOptions))
        return Effect.as(listen(server, port, host), server)
      }),
      close
    )
    server.on("error", (e) => Runtime.runFork(runtime)(Effect.logWarning(`metrics server on ${host}:${port}: ${e.message}`)))
    const address = server.address()
    return { port: typeof address === "object" && address !== null ? address.port : port }
  })
