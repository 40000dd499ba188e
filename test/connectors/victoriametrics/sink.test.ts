import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Schedule, Scope } from "effect"
import * as http from "node:http"
import * as Vm from "../../../src/connectors/victoriametrics/index.js"
import { ByteBuilder, DataRecord, SinkFactory } from "../../../src/index.js"
import { freePort } from "../../../src/testkit/ports.js"
import { leakChecked } from "../tcp/harness.js"
import { type VmServer, vmServer, vmServerWith } from "./server.js"

// one victoria-metrics for the file; each case labels its samples with its own `case` tag
const serverScope = Effect.runSync(Scope.make())
let running: VmServer | undefined
beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(vmServer, serverScope), (s) => void (running = s))), 30_000)
afterAll(() => Effect.runPromise(Scope.close(serverScope, Exit.void)))

const server = Effect.suspend(() => (running === undefined ? Effect.die(new Error("victoria-metrics is not running")) : Effect.succeed(running)))

let cases = 0
/** A case id no other case uses: its tag `case:<id>` labels every sample it writes. */
const freshCase = Effect.sync(() => `c${++cases}`)

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

const spec = (name: string, params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name,
  kind: Vm.kind,
  connectorId: "victoriametrics_sink",
  params: params as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

/** Builds a sink for case `id` pushing to `url` (default: the file's server, Prometheus format). */
const build = (id: string, params: Record<string, unknown> = {}, url?: string) =>
  Effect.flatMap(server, (s) =>
    Effect.map(
      Vm.VictoriaMetricsSink.factory.build(
        spec(id, { insert_url: url ?? `${s.url}/api/v1/import/prometheus`, tags: [`case:${id}`], ...params }),
        ctx
      ),
      (h) => h.sink
    ))

const { chars, field, float } = DataRecord
const digit = (n: number | bigint) => Option.getOrThrow(DataRecord.digit(n))

/** The samples of case `id`, without its `case` label (waiting until there are `atLeast`). */
const read = (id: string, atLeast = 0) =>
  Effect.flatMap(server, (s) =>
    Effect.map(s.samples(`{case="${id}"}`, atLeast), (all) =>
      all.map(({ labels: { case: _, ...labels }, ...rest }) => ({ ...rest, labels }))))

const t0 = 1_700_000_000_000

/** Records of a web log: host and path label, bytes and rt values, a timestamp field. */
const records = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    DataRecord.make([
      field("host", chars(`web-${i % 3}`)),
      field("path", chars(i % 2 === 0 ? "/a \"quoted\" \\ path" : "/ünï\ncode")),
      field("bytes", digit(1000 + i)),
      field("rt", float(i / 8)),
      field("ts", digit(t0 + i * 1000)),
      field("msg", chars("not a value"))
    ]))

/** What the export API must give back for `records(n)` with metric `web_{field}`. */
const expected = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const labels = { host: `web-${i % 3}`, path: i % 2 === 0 ? "/a \"quoted\" \\ path" : "/ünï\ncode" }
    return [
      { name: "web_bytes", labels, value: 1000 + i, timestamp: t0 + i * 1000 },
      { name: "web_rt", labels, value: i / 8, timestamp: t0 + i * 1000 }
    ]
  }).flat()

describe("victoriametrics sink", () => {
  for (const format of ["prometheus", "json"] as const) {
    it.live(`records become samples: names, labels (escapes, non-ASCII, newlines), values and times come back identical (${format})`, () =>
      leakChecked(Effect.gen(function*() {
        const id = yield* freshCase
        const s = yield* server
        const url = `${s.url}${format === "json" ? "/api/v1/import" : "/api/v1/import/prometheus"}`
        const sink = yield* build(id, { metric: "web_{field}", labels: ["host", "path"], timestamp_field: "ts", tags: [`case:${id}`, "env:test"] }, url)
        yield* sink.sinkRecords(records(40))
        yield* sink.sinkRecord(DataRecord.make([field("v", float(Infinity)), field("w", float(-Infinity)), field("ts", digit(t0 - 1))]))
        const got = yield* read(id, 82)
        expect(got.filter((x) => x.name === "web_bytes" || x.name === "web_rt")).toEqual(
          expected(40).map((x) => ({ ...x, labels: { env: "test", ...x.labels } })).sort((a, b) => a.timestamp - b.timestamp || (a.name < b.name ? -1 : 1))
        )
        expect(got.filter((x) => x.name !== "web_bytes" && x.name !== "web_rt").map((x) => x.name)).toEqual(["web_v", "web_w"])
        // the record without a label field: the template names it; infinities come back as infinities
        const inf = yield* Effect.map(s.samples(`{case="${id}",__name__=~"web_v|web_w"}`, 2), (xs) => xs.map((x) => [x.name, x.value, x.timestamp]))
        expect(inf).toEqual([["web_v", Infinity, t0 - 1], ["web_w", -Infinity, t0 - 1]])
      })))
  }

  for (const format of ["prometheus", "json"] as const) {
    it.live(`records through the encoder (texts, joined texts, bytes in chunks) are the samples sinkRecords writes (${format})`, () =>
      leakChecked(Effect.gen(function*() {
        const id = yield* freshCase
        const s = yield* server
        const url = `${s.url}${format === "json" ? "/api/v1/import" : "/api/v1/import/prometheus"}`
        const sink = yield* build(id, { metric: "web_{field}", labels: ["host", "path"], timestamp_field: "ts" }, url)
        const encoder = sink.recordEncoder!
        const all = records(40)
        // distinct samples down each path: a time-series store keeps one copy of a series at a time
        yield* sink.sinkRecords(all.slice(0, 10))
        yield* encoder.write(all.slice(10, 20).map((r) => encoder.encode(r)!))
        yield* encoder.write([all.slice(20, 30).map((r) => encoder.encode(r)!).join(encoder.separator!)])
        const out = ByteBuilder.make(16)
        const chunks: Array<Uint8Array> = []
        for (const [i, record] of all.slice(30).entries()) {
          if (i === 4) chunks.push(out.take())
          else if (i > 0) out.text(encoder.separator!)
          expect(encoder.bytes!.encodeInto(record, out)).toBe(true)
        }
        chunks.push(out.take())
        yield* encoder.bytes!.write(chunks)
        const got = yield* read(id, 80)
        expect(got).toEqual(expected(40).sort((a, b) => a.timestamp - b.timestamp || (a.name < b.name ? -1 : 1)))
        // a record with no sample is declined by both forms, and leaves the builder as it was
        const none = DataRecord.make([field("msg", chars("no value"))])
        expect(encoder.encode(none)).toBeUndefined()
        out.text("kept")
        expect(encoder.bytes!.encodeInto(none, out)).toBe(false)
        expect(out.textOf(0)).toBe("kept")
      })))
  }

  it.live("each write was accepted by the server when it returns: after each, every write so far reads back", () =>
    leakChecked(Effect.gen(function*() {
      const id = yield* freshCase
      const sink = yield* build(id, { metric: "r_{field}", timestamp_field: "ts", fields: ["n"] })
      for (let i = 0; i < 5; i++) {
        yield* sink.sinkRecords(Array.from({ length: 3 }, (_, j) => DataRecord.make([field("n", digit(i * 3 + j)), field("ts", digit(t0 + i * 3 + j))])))
        yield* sink.sinkStr(`r_raw ${i} ${t0 + 100 + i}`)
        const got = yield* read(id, (i + 1) * 4)
        expect(got.filter((x) => x.name === "r_n").map((x) => x.value)).toEqual(Array.from({ length: (i + 1) * 3 }, (_, k) => k))
        expect(got.filter((x) => x.name === "r_raw").map((x) => x.value)).toEqual(Array.from({ length: i + 1 }, (_, k) => k))
      }
    })))

  it.live("raw lines are pushed as they are (a missing timestamp gets the push time); a large batch among small ones keeps every sample", () =>
    leakChecked(Effect.gen(function*() {
      const id = yield* freshCase
      const sink = yield* build(id)
      const sizes = [8, 8, 5000, 8, 8]
      let next = 0
      for (const size of sizes) {
        yield* sink.sinkStrBatch(Array.from({ length: size }, () => {
          const i = next++
          return `big{i="${i}"} ${i} ${t0 + i}`
        }))
      }
      const before = Date.now()
      yield* sink.sinkStr("# a comment\nnow_stamped{k=\"v\"} 7")
      const got = yield* read(id, next + 1)
      const big = got.filter((x) => x.name === "big")
      expect(big.map((x) => [x.labels["i"], x.value, x.timestamp])).toEqual(Array.from({ length: next }, (_, i) => [String(i), i, t0 + i]))
      const stamped = got.filter((x) => x.name === "now_stamped")
      expect(stamped).toHaveLength(1)
      expect(stamped[0]!.timestamp).toBeGreaterThanOrEqual(before)
      expect(stamped[0]!.timestamp).toBeLessThanOrEqual(Date.now())
    })))

  it.live("a write over 8 Mi characters goes in several pushes, in order, none lost; stop arriving during it lets it finish, and later writes fail", () =>
    leakChecked(Effect.gen(function*() {
      const id = yield* freshCase
      const sink = yield* build(id)
      // one series (a new series costs the server far more than a sample), 100k samples, ~11 Mi characters
      const pad = "p".repeat(80)
      const lines = Array.from({ length: 100_000 }, (_, i) => `chunked{pad="${pad}"} ${i} ${t0 + i}`)
      expect(lines.reduce((n, l) => n + l.length + 1, 0)).toBeGreaterThan(Vm.VictoriaMetricsBodies.maxPushChars)
      const writer = yield* Effect.fork(sink.sinkStrBatch(lines))
      yield* Effect.yieldNow()
      yield* sink.stop
      const exit = yield* Fiber.await(writer)
      expect(Exit.isSuccess(exit)).toBe(true)
      const got = yield* read(id, lines.length)
      expect(got.map((x) => x.value)).toEqual(lines.map((_, i) => i))
      const late = yield* Effect.flip(sink.sinkStr("late 1 5"))
      expect(late.message).toContain("sink stopped")
    })), 60_000)

  it.live("every write form pushes the same samples for the same content: single and batch, text and bytes, record and records", () =>
    leakChecked(Effect.gen(function*() {
      const id = yield* freshCase
      const forms = ["str", "strBatch", "bytes", "bytesBatch", "record", "records"] as const
      const sinks = yield* Effect.forEach(forms, (form) => build(id, { tags: [`case:${id}`, `form:${form}`], metric: "same_{field}", labels: ["k"], timestamp_field: "ts" }))
      const lines = [0, 1, 2].map((i) => `same_v{k="k${i}"} ${i} ${t0 + i}`)
      const recs = [0, 1, 2].map((i) => DataRecord.make([field("k", chars(`k${i}`)), field("v", digit(i)), field("ts", digit(t0 + i))]))
      const bytes = lines.map((l) => new TextEncoder().encode(l))
      yield* Effect.forEach(lines, sinks[0]!.sinkStr, { discard: true })
      yield* sinks[1]!.sinkStrBatch(lines)
      yield* Effect.forEach(bytes, sinks[2]!.sinkBytes, { discard: true })
      yield* sinks[3]!.sinkBytesBatch(bytes)
      yield* Effect.forEach(recs, sinks[4]!.sinkRecord, { discard: true })
      yield* sinks[5]!.sinkRecords(recs)
      const got = yield* read(id, 18)
      const of = (form: string) => got.filter((x) => x.labels["form"] === form).map(({ labels: { form: _, ...labels }, ...rest }) => ({ ...rest, labels }))
      expect(of("str")).toEqual([0, 1, 2].map((i) => ({ name: "same_v", labels: { k: `k${i}` }, value: i, timestamp: t0 + i })))
      for (const form of forms) expect(of(form), form).toEqual(of("str"))
    })))

  it.live("records without a sample are left out and counted by reason; a NaN raw line too; the rest is pushed", () =>
    leakChecked(Effect.gen(function*() {
      const id = yield* freshCase
      const sink = yield* build(id, { metric: "{name}", timestamp_field: "ts" })
      yield* sink.sinkRecords([
        DataRecord.make([field("name", chars("kept")), field("v", digit(1)), field("ts", digit(t0))]),
        DataRecord.make([field("name", chars("text_only")), field("v", chars("one")), field("ts", digit(t0))]),
        DataRecord.make([field("v", digit(2)), field("ts", digit(t0))]),
        DataRecord.make([field("name", chars("no_time")), field("v", digit(3))]),
        DataRecord.make([field("name", chars("nan")), field("v", float(NaN)), field("ts", digit(t0))])
      ])
      yield* sink.sinkStrBatch(["raw_nan NaN 5", "raw_ok 1 5"])
      const got = yield* read(id, 2)
      expect(got.map((x) => x.name).sort()).toEqual(["kept", "raw_ok"])
      const counts = yield* Vm.VictoriaMetricsMetrics.forSink("g", id).counts
      expect(counts.skipped).toEqual({ no_value: 2, no_metric_name: 1, bad_timestamp: 1, too_long: 0, nan: 1 })
    })))

  it.live("a raw line that is not a sample, or bytes that are not UTF-8, fail the write (DataError 200, not retryable) naming the line; nothing of it is pushed", () =>
    leakChecked(Effect.gen(function*() {
      const id = yield* freshCase
      const sink = yield* build(id)
      const bad = yield* Effect.flip(sink.sinkStrBatch(["good 1 5", "alpha beta"]))
      expect(bad.code).toBe(200)
      expect(bad.retryable).toBe(false)
      expect(bad.message).toContain("payload #1 of 2, line 1, is not a Prometheus text line")
      expect(bad.message).toContain("\"alpha beta\"")
      const bytes = yield* Effect.flip(sink.sinkBytesBatch([new TextEncoder().encode("good 1 5"), Uint8Array.of(0xff, 0x20, 0x31)]))
      expect(bytes.code).toBe(200)
      expect(bytes.message).toContain("payload #1 of 2 is not UTF-8 text")
      // a marker written after them: once it shows, anything the failed writes had pushed would show too
      yield* sink.sinkStr("marker 1 6")
      expect((yield* read(id, 1)).map((x) => x.name)).toEqual(["marker"])
    })))

  it.live("the server refusing a push (400) fails it with its message, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const id = yield* freshCase
      const s = yield* server
      // VictoriaMetrics refuses an extra_label without "=": the sink's tags always have one, so set it in the URL
      const sink = yield* build(id, {}, `${s.url}/api/v1/import/prometheus?extra_label=broken`)
      const error = yield* Effect.flip(sink.sinkStr("x 1 5"))
      expect(error.code).toBe(200)
      expect(error.retryable).toBe(false)
      expect(error.message).toContain("answered 400")
      expect(error.message).toContain("`extra_label` query arg must have the format `name=value`")
    })))

  it.live("an unreachable server fails the build (202, retryable); a server lost under an open sink fails writes with 202 until it is back", () =>
    leakChecked(Effect.gen(function*() {
      const own = yield* vmServer
      const id = yield* freshCase
      const url = `${own.url}/api/v1/import/prometheus`
      const sink = yield* build(id, {}, url)
      yield* sink.sinkStr("before 1 5")
      yield* own.stop
      const lost = yield* Effect.flip(sink.sinkStr("during 1 6"))
      expect(lost.code).toBe(202)
      expect(lost.retryable).toBe(true)
      expect(lost.message).toContain(`127.0.0.1:${own.port}`)
      expect((yield* Effect.flip(sink.reconnect)).code).toBe(202)
      const unbuilt = yield* Effect.flip(Effect.scoped(build(`${id}b`, {}, url)))
      expect(unbuilt.code).toBe(202)
      yield* own.start
      yield* Effect.retry(sink.reconnect, Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds")))
      yield* sink.sinkStr("after 1 7")
      const got = yield* own.samples(`{case="${id}",__name__="after"}`, 1)
      expect(got.map((x) => x.name)).toEqual(["after"])
    })), 60_000)

  it.live("kill -9 right after a push was accepted: the sink pushes it again after the lost connection, so nothing is lost; the replay is counted", () =>
    leakChecked(Effect.gen(function*() {
      const own = yield* vmServer
      const id = yield* freshCase
      const sink = yield* build(id, { flush_interval_secs: 60 }, `${own.url}/api/v1/import/prometheus`)
      yield* sink.sinkStrBatch(Array.from({ length: 100 }, (_, i) => `acked{i="${i}"} ${i} ${t0 + i}`))
      // VictoriaMetrics writes what it accepted to disk seconds later: a kill now loses it
      yield* own.stop
      yield* own.start
      yield* Effect.retry(sink.sinkStr(`next 1 ${t0 + 1000}`), Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds")))
      const got = yield* own.samples(`{case="${id}"}`, 101)
      expect(got.filter((x) => x.name === "acked").map((x) => x.value)).toEqual(Array.from({ length: 100 }, (_, i) => i))
      expect(got.filter((x) => x.name === "next")).toHaveLength(1)
      const counts = yield* Vm.VictoriaMetricsMetrics.forSink("g", id).counts
      expect(counts.replayed).toBe(100)
    })), 60_000)

  it.live("a connection the server closes for being idle is no restart: nothing is pushed again; a real restart then is one", () =>
    leakChecked(Effect.gen(function*() {
      const own = yield* vmServerWith(["-http.idleConnTimeout=500ms"])
      // a start seen in the server's first seconds cannot tell a restart in the same second apart
      yield* Effect.sleep("2100 millis")
      const id = yield* freshCase
      const sink = yield* build(id, {}, `${own.url}/api/v1/import/prometheus`)
      yield* sink.sinkStr(`idle_a 1 ${t0}`)
      yield* Effect.sleep("1200 millis") // the server closes the idle keep-alive connection
      yield* sink.sinkStr(`idle_b 1 ${t0 + 1}`)
      const metrics = Vm.VictoriaMetricsMetrics.forSink("g", id)
      expect((yield* metrics.counts).replayed).toBe(0)
      expect((yield* own.samples(`{case="${id}"}`, 2)).map((x) => x.name)).toEqual(["idle_a", "idle_b"])
      yield* own.stop
      yield* own.start
      yield* Effect.retry(sink.sinkStr(`idle_c 1 ${t0 + 2}`), Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds")))
      expect((yield* metrics.counts).replayed).toBe(2)
      expect((yield* own.samples(`{case="${id}"}`, 3)).map((x) => x.name)).toEqual(["idle_a", "idle_b", "idle_c"])
    })), 60_000)

  it.live("without the replay (flush_interval_secs = 0) the same kill loses the accepted samples: the window is what saves them", () =>
    leakChecked(Effect.gen(function*() {
      const own = yield* vmServer
      const id = yield* freshCase
      const sink = yield* build(id, { flush_interval_secs: 0 }, `${own.url}/api/v1/import/prometheus`)
      yield* sink.sinkStrBatch(Array.from({ length: 100 }, (_, i) => `acked{i="${i}"} ${i} ${t0 + i}`))
      yield* own.stop
      yield* own.start
      yield* Effect.retry(sink.sinkStr(`next 1 ${t0 + 1000}`), Schedule.spaced("100 millis").pipe(Schedule.upTo("10 seconds")))
      // `next` was pushed after the restart: once it shows, so would anything left of the first batch
      const got = yield* own.samples(`{case="${id}"}`, 1)
      expect(got.map((x) => x.name)).toEqual(["next"])
      expect((yield* Vm.VictoriaMetricsMetrics.forSink("g", id).counts).replayed).toBe(0)
    })), 60_000)
})

/** A plain server answering every request with `status` (and `Retry-After: 3`), or never when `status` is 0. */
const misbehaving = (status: number) =>
  Effect.acquireRelease(
    Effect.flatMap(freePort, (port) =>
      Effect.async<{ readonly server: http.Server; readonly url: string }>((resume) => {
        const server = http.createServer((req, res) => {
          req.resume()
          if (status === 0) return
          if (req.url === "/health") return void res.end("OK")
          res.writeHead(status, { "retry-after": "3" })
          res.end(`status ${status} on purpose`)
        })
        server.listen(port, "127.0.0.1", () => resume(Effect.succeed({ server, url: `http://127.0.0.1:${port}` })))
      })),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

describe("victoriametrics sink against a misbehaving server", () => {
  for (const [status, code, retryable] of [[503, 202, true], [429, 202, true], [500, 202, true], [401, 103, false], [404, 301, false]] as const) {
    it.live(`${status} fails the push with ${code} (${retryable ? "retryable" : "not retryable"}) and the server's message`, () =>
      leakChecked(Effect.gen(function*() {
        const { url } = yield* misbehaving(status)
        const sink = yield* build(`m${status}`, {}, `${url}/api/v1/import/prometheus`)
        const error = yield* Effect.flip(sink.sinkStr("x 1 5"))
        expect(error.code).toBe(code)
        expect(error.retryable).toBe(retryable)
        expect(error.message).toContain(`answered ${status}: status ${status} on purpose`)
        if (retryable) expect(error.message).toContain("Retry-After: 3")
        if (status === 401) expect(error.message).toContain("check params.username and params.password")
      })))
  }

  it.live("no answer within request_timeout_ms fails the push with a TimeoutError (204, retryable)", () =>
    leakChecked(Effect.gen(function*() {
      const { url } = yield* misbehaving(0)
      const error = yield* Effect.flip(Effect.scoped(build("hang", { request_timeout_ms: 200 }, `${url}/api/v1/import/prometheus`)))
      expect(error.code).toBe(204)
      expect(error.retryable).toBe(true)
      expect(error.message).toContain("got no answer within 200 ms")
    })))
})
