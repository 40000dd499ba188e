import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Metric, MetricBoundaries, MetricKey, Scope } from "effect"
import type * as MetricPair from "effect/MetricPair"
import * as http from "node:http"
import * as Health from "../../src/runtime/health.js"
import * as Metrics from "../../src/runtime/metrics.js"
import * as Prometheus from "../../src/runtime/prometheus.js"

// Effect's metric registry is global to the process: every test uses label values of its own.

/** The snapshot's series that carry a label whose value is `value`. */
const withLabel = (value: string): Effect.Effect<Array<MetricPair.MetricPair.Untyped>> =>
  Effect.map(Metric.snapshot, (all) => all.filter((p) => p.metricKey.tags.some((t) => t.value === value)))

interface Reply {
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
}

/** A real HTTP request to 127.0.0.1 on a fresh connection. */
const request = (port: number, path: string, method = "GET"): Effect.Effect<Reply, Error> =>
  Effect.async<Reply, Error>((resume) => {
    const req = http.request({ host: "127.0.0.1", port, path, method, agent: false }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (body += chunk))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], body })))
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end()
    return Effect.sync(() => req.destroy())
  })

const servers = (): number => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length

/**
 * The count of server handles once it reaches `expected`, or after 100 ms. A closed server's handle
 * leaves libuv's list in the close phase of the loop turn after `close` returns, so wait for it.
 */
const serversSettle = (expected: number): Effect.Effect<number> =>
  Effect.gen(function*() {
    for (let i = 0; i < 50 && servers() !== expected; i++) yield* Effect.sleep("2 millis")
    return servers()
  })

describe("Prometheus.render", () => {
  it.effect("lists a declared family without series as its HELP and TYPE lines alone", () =>
    Effect.sync(() => {
      const key = MetricKey.counter("render_declared_total", { description: "Declared.", incremental: true })
      expect(Prometheus.render([], [key])).toBe("# HELP render_declared_total Declared.\n# TYPE render_declared_total counter\n")
    }))

  it.effect("renders sink counters and the batch latency histogram line by line", () =>
    Effect.gen(function*() {
      const sink = "render-s1"
      yield* Metrics.sinkOut("g1", sink, 3, 120)
      yield* Metrics.sinkOut("g1", sink, 2, 80)
      yield* Metrics.batchLatency("g1", sink, 0.0004)
      yield* Metrics.batchLatency("g1", sink, 0.003)
      yield* Metrics.batchLatency("g1", sink, 20)
      const text = Prometheus.render(yield* withLabel(sink))
      const l = `group="g1",sink="${sink}"`
      const cumulative = [1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
      expect(text).toBe(
        [
          "# HELP wpc_batch_latency_seconds Seconds from a batch entering a sink's queue until the sink has written it.",
          "# TYPE wpc_batch_latency_seconds histogram",
          ...["0.0005", "0.001", "0.002", "0.004", "0.008", "0.016", "0.032", "0.064", "0.128", "0.256", "0.512", "1.024", "2.048", "4.096", "8.192", "16.384"]
            .map((le, i) => `wpc_batch_latency_seconds_bucket{${l},le="${le}"} ${cumulative[i]}`),
          `wpc_batch_latency_seconds_bucket{${l},le="+Inf"} 3`,
          `wpc_batch_latency_seconds_sum{${l}} 20.0034`,
          `wpc_batch_latency_seconds_count{${l}} 3`,
          "# HELP wpc_sink_bytes_total Payload bytes written by a sink.",
          "# TYPE wpc_sink_bytes_total counter",
          `wpc_sink_bytes_total{${l}} 200`,
          "# HELP wpc_sink_events_total Events written by a sink.",
          "# TYPE wpc_sink_events_total counter",
          `wpc_sink_events_total{${l}} 5`,
          ""
        ].join("\n")
      )
    }))

  it.effect("counts every helper's metric under its labels", () =>
    Effect.gen(function*() {
      yield* Metrics.sourceIn("render-src2", 4, 400)
      yield* Metrics.sourceIn("render-src2", 1, 10)
      yield* Metrics.acked("render-src2", 5)
      yield* Metrics.error("source", "render-src2", 503)
      yield* Metrics.error("source", "render-src2", 503)
      yield* Metrics.error("source", "render-src2", 500)
      yield* Metrics.retry("g2", "render-src2")
      yield* Metrics.rescued("g2", "render-src2", 7)
      yield* Metrics.queueDepth("g2", "render-src2", 9, 900)
      yield* Metrics.queueDepth("g2", "render-src2", 3, 300)
      const lines = Prometheus.render(yield* withLabel("render-src2")).split("\n").filter((s) => !s.startsWith("#"))
      expect(lines).toEqual([
        `wpc_acked_events_total{source="render-src2"} 5`,
        `wpc_errors_total{component="source",name="render-src2",code="500"} 1`,
        `wpc_errors_total{component="source",name="render-src2",code="503"} 2`,
        `wpc_queue_depth_bytes{group="g2",sink="render-src2"} 300`,
        `wpc_queue_depth_events{group="g2",sink="render-src2"} 3`,
        `wpc_rescued_events_total{group="g2",sink="render-src2"} 7`,
        `wpc_retries_total{group="g2",sink="render-src2"} 1`,
        `wpc_source_bytes_total{source="render-src2"} 410`,
        `wpc_source_events_total{source="render-src2"} 5`,
        ""
      ])
    }))

  it.effect("keeps the fiber's metric labels (Effect.tagMetrics) on the series", () =>
    Effect.gen(function*() {
      yield* Metrics.sourceIn("render-src3", 2, 20).pipe(Effect.tagMetrics("pipeline", "p1"))
      yield* Metrics.sourceIn("render-src3", 1, 10)
      const lines = Prometheus.render(yield* withLabel("render-src3")).split("\n")
      expect(lines).toContain(`wpc_source_events_total{source="render-src3",pipeline="p1"} 2`)
      expect(lines).toContain(`wpc_source_events_total{source="render-src3"} 1`)
    }))

  it.effect("escapes label values and help text, and sanitizes names", () =>
    Effect.gen(function*() {
      const nasty = "render\"q\\b\nn"
      yield* Metrics.retry("g4", nasty)
      yield* Metric.incrementBy(
        Metric.counter("render.custom-total", { description: "a \\ b\nc" }).pipe(Metric.tagged("9 bad-label", "render-v4")),
        2
      )
      expect(Prometheus.render(yield* withLabel(nasty))).toContain(
        `wpc_retries_total{group="g4",sink="render\\"q\\\\b\\nn"} 1\n`
      )
      expect(Prometheus.render(yield* withLabel("render-v4"))).toBe(
        [
          "# HELP render_custom_total a \\\\ b\\nc",
          "# TYPE render_custom_total counter",
          `render_custom_total{_9_bad_label="render-v4"} 2`,
          ""
        ].join("\n")
      )
    }))

  it.effect("renders frequencies as counters by key, summaries with quantiles, and sorts series stably", () =>
    Effect.gen(function*() {
      const freq = Metric.frequency("render_freq").pipe(Metric.tagged("t", "render-v5"))
      yield* Metric.update(freq, "b")
      yield* Metric.update(freq, "a")
      yield* Metric.update(freq, "b")
      const summary = Metric.summary({
        name: "render_summary",
        maxAge: "1 hour",
        maxSize: 10,
        error: 0,
        quantiles: [0.5]
      }).pipe(Metric.tagged("t", "render-v5"))
      yield* Metric.update(summary, 4)
      const hist = Metric.histogram("render_hist", MetricBoundaries.fromIterable([1])).pipe(Metric.tagged("t", "render-v5"))
      yield* Metric.update(hist, 0.5)
      const gaugeZ = Metric.gauge("render_gauge").pipe(Metric.tagged("t", "render-v5"), Metric.tagged("z", "2"))
      const gaugeA = Metric.gauge("render_gauge").pipe(Metric.tagged("t", "render-v5"), Metric.tagged("z", "1"))
      yield* Metric.set(gaugeZ, -1.5)
      yield* Metric.set(gaugeA, 7)
      expect(Prometheus.render(yield* withLabel("render-v5"))).toBe(
        [
          "# TYPE render_freq counter",
          `render_freq{t="render-v5",key="a"} 1`,
          `render_freq{t="render-v5",key="b"} 2`,
          "# TYPE render_gauge gauge",
          `render_gauge{t="render-v5",z="1"} 7`,
          `render_gauge{t="render-v5",z="2"} -1.5`,
          "# TYPE render_hist histogram",
          `render_hist_bucket{t="render-v5",le="1"} 1`,
          `render_hist_bucket{t="render-v5",le="+Inf"} 1`,
          `render_hist_sum{t="render-v5"} 0.5`,
          `render_hist_count{t="render-v5"} 1`,
          "# TYPE render_summary summary",
          `render_summary{t="render-v5",quantile="0.5"} 4`,
          `render_summary_sum{t="render-v5"} 4`,
          `render_summary_count{t="render-v5"} 1`,
          ""
        ].join("\n")
      )
      expect(Prometheus.render([])).toBe("")
    }))
})

describe("Prometheus.serve", () => {
  it.live("answers GET /metrics on 127.0.0.1 with the current snapshot, 404 elsewhere, and closes with its scope", () =>
    Effect.gen(function*() {
      const before = servers()
      const scope = yield* Scope.make()
      const { port } = yield* Scope.extend(Prometheus.serve(0), scope)
      expect(port).toBeGreaterThan(0)
      expect(servers()).toBe(before + 1)

      yield* Metrics.sourceIn("serve-src1", 11, 1100)
      const reply = yield* request(port, "/metrics")
      expect(reply.status).toBe(200)
      expect(reply.contentType).toBe("text/plain; version=0.0.4; charset=utf-8")
      expect(reply.body).toContain(`wpc_source_events_total{source="serve-src1"} 11\n`)
      expect(reply.body).toContain(`wpc_source_bytes_total{source="serve-src1"} 1100\n`)
      expect(reply.body).toContain("# TYPE wpc_source_events_total counter\n")

      // A later scrape sees later counts.
      yield* Metrics.sourceIn("serve-src1", 1, 1)
      expect((yield* request(port, "/metrics?x=1")).body).toContain(`wpc_source_events_total{source="serve-src1"} 12\n`)

      const head = yield* request(port, "/metrics", "HEAD")
      expect([head.status, head.body]).toEqual([200, ""])
      expect((yield* request(port, "/")).status).toBe(404)
      expect((yield* request(port, "/metricsx")).status).toBe(404)
      expect((yield* request(port, "/metrics", "POST")).status).toBe(405)

      yield* Scope.close(scope, Exit.void)
      const refused = yield* Effect.flip(request(port, "/metrics"))
      expect((refused as NodeJS.ErrnoException).code).toBe("ECONNREFUSED")
      expect(yield* serversSettle(before)).toBe(before)
    }))

  it.live("a port in use is a ConfigError naming host:port, and the first server keeps serving", () =>
    Effect.scoped(Effect.gen(function*() {
      const { port } = yield* Prometheus.serve(0)
      const before = servers()
      const e = yield* Effect.flip(Prometheus.serve(port))
      expect(e._tag).toBe("ConfigError")
      expect(e.code).toBe(300)
      expect(e.detail).toBe(`cannot serve metrics on 127.0.0.1:${port}: address already in use`)
      expect(e.suggestion).toBe("choose another address with --metrics-addr HOST:PORT or --metrics-port (0 picks a free port)")
      expect(yield* serversSettle(before)).toBe(before)
      expect((yield* request(port, "/metrics")).status).toBe(200)
    })))

  it.live("answers /health 200 always, /ready 200 or 503 with what is not ready, and runs collect before each scrape", () =>
    Effect.scoped(Effect.gen(function*() {
      let readiness: Health.Readiness = Health.starting
      let collected = 0
      const { port } = yield* Prometheus.serve(0, {
        readiness: Effect.sync(() => readiness),
        collect: Effect.sync(() => void (collected += 1))
      })
      const health = yield* request(port, "/health")
      expect([health.status, health.contentType, JSON.parse(health.body)]).toEqual([200, "application/json", { status: "up" }])
      const starting = yield* request(port, "/ready")
      expect(starting.status).toBe(503)
      expect(JSON.parse(starting.body)).toEqual({
        status: "not ready",
        notReady: [{ component: "run", name: "pipeline", reason: "starting: the sources and sinks are being built" }]
      })
      readiness = Health.readiness({
        stopping: false,
        sources: [{ name: "a", up: true }, { name: "b", up: false }],
        sinks: [{ group: "g", name: "s", replicas: 2, breakersOpen: 1, queueCapacity: 10 }]
      })
      expect(JSON.parse((yield* request(port, "/ready")).body)).toEqual({
        status: "not ready",
        notReady: [
          { component: "source", name: "b", reason: "not running (failed, or waiting to be rebuilt)" },
          { component: "sink", name: "g/s", reason: "circuit breaker open on 1 of 2 replicas" }
        ]
      })
      readiness = Health.readiness({ stopping: false, sources: [{ name: "a", up: true }], sinks: [] })
      const ready = yield* request(port, "/ready")
      expect([ready.status, JSON.parse(ready.body)]).toEqual([200, { status: "ready", notReady: [] }])
      expect((yield* request(port, "/ready", "POST")).status).toBe(405)
      expect(collected).toBe(0)
      yield* request(port, "/metrics")
      yield* request(port, "/metrics")
      expect(collected).toBe(2)
    })))

  it.live("listens on the host it is given", () =>
    Effect.scoped(Effect.gen(function*() {
      const { port } = yield* Prometheus.serve(0, { host: "127.0.0.2" })
      const reply = yield* Effect.async<number, Error>((resume) => {
        const req = http.get({ host: "127.0.0.2", port, path: "/health", agent: false }, (res) => {
          res.resume()
          resume(Effect.succeed(res.statusCode ?? 0))
        })
        req.on("error", (e) => resume(Effect.fail(e)))
      })
      expect(reply).toBe(200)
      const refused = yield* Effect.flip(request(port, "/health"))
      expect((refused as NodeJS.ErrnoException).code).toBe("ECONNREFUSED")
    })))

  it.live("rejects a port that is not a TCP port", () =>
    Effect.scoped(Effect.gen(function*() {
      for (const bad of [-1, 65536, 1.5, Number.NaN]) {
        const e = yield* Effect.flip(Prometheus.serve(bad))
        expect([e._tag, e.code, e.detail]).toEqual(["ConfigError", 300, `metrics port ${bad} is not a TCP port`])
        expect(e.expected).toBe("an integer from 0 to 65535 (0 picks a free port)")
      }
    })))
})
