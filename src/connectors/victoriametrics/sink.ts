/**
 * The `victoriametrics` sink. A record becomes samples (`Samples`), written as Prometheus text or JSON
 * import lines (`Encode`); a payload without a record is taken as lines in that format, checked first
 * (`RawLine`). Each write is pushed before it returns, in order: the engine's batching does the
 * gathering, and a write that returned is in the server. Records that hold no sample are left out and
 * counted (`wpc_victoriametrics_skipped_total`, and a warning at most every 10 s); a raw line that is
 * not a sample fails its write with a `DataError` (200, not retried: the engine rescues the batch).
 * Lines go into push bodies (`Bodies`) before the push starts. Bodies the server accepted are kept for
 * `flush_interval_secs` (`ReplayWindow`) and pushed again after a lost connection when the server
 * restarted (`ServerStart`), since it may have crashed before writing them to disk.
 *
 * @since 0.2.0
 */
import { Clock, Effect, type Scope } from "effect"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import type * as DataRecord from "../../model/record.js"
import * as RawData from "../../model/raw.js"
import type { ByteBuilder } from "../../sink/byte-builder.js"
import * as RecordEncoder from "../../sink/record-encoder.js"
import * as AsyncSink from "../../sink/sink.js"
import * as SinkFactory from "../../sink/factory.js"
import * as Bodies from "./bodies.js"
import * as Encode from "./encode.js"
import * as SinkMetrics from "./metrics.js"
import { formatOf, kind, SinkParams } from "./params.js"
import type { ConfigError } from "../../errors/config.js"
import * as Tls from "../net/tls.js"
import * as Push from "./push.js"
import * as RawLine from "./raw-line.js"
import * as ReplayWindow from "./replay.js"
import * as Samples from "./samples.js"
import * as ServerStart from "./server-start.js"

/** How often, at most, the sink logs what it left out. */
const skipReportMs = 10_000

/** Where the sink pushes: its `insert_url` with one `extra_label=name=value` per tag. */
export const pushUrl = (params: SinkParams): URL => {
  const url = new URL(params.insert_url)
  for (const tag of params.tags) {
    const at = tag.indexOf(":")
    url.searchParams.append("extra_label", `${tag.slice(0, at)}=${tag.slice(at + 1)}`)
  }
  return url
}

/** `true` when a Prometheus text line may be longer than VictoriaMetrics takes (checked in bytes only when its characters could be). */
const tooLong = (line: string): boolean =>
  line.length * 3 > RawLine.maxPrometheusLineBytes && Buffer.byteLength(line, "utf8") > RawLine.maxPrometheusLineBytes

/** A short excerpt of a line for messages. */
const excerpt = (line: string): string => JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)

/**
 * Builds the sink of `params` in the current Scope (its connection closes with it): a `GET /health`
 * first, so that an unreachable server fails the build (202, retryable) and refused credentials too
 * (103, not retryable), and a refused TLS certificate (301, not retryable; `tls`: an `https:`
 * `insert_url` only, else a `ConfigError`). `group`/`name` label its counters.
 */
export const make = (params: SinkParams, group: string, name: string): Effect.Effect<AsyncSink.AsyncSink, SinkError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const format = formatOf(params)
    const url = pushUrl(params)
    const pusher = yield* Push.open({
      url,
      tls: yield* Tls.httpsOptions(params.tls, url, "insert_url", "victoriametrics sink"),
      contentType: format === "json" ? "application/x-ndjson" : "text/plain; version=0.0.4",
      username: params.username,
      password: params.password,
      timeoutMs: params.request_timeout_ms
    })
    const probe = Effect.flatMap(pusher.get("/health"), (answer) =>
      answer.status === 401 || answer.status === 403 ? Effect.fail(Push.classify(pusher.target, answer)) : Effect.void)
    yield* probe
    const mapping = Samples.mapping(params)
    const writeLine = Encode.lineWriter(format)
    const lineInto = Encode.lineInto(format)
    const window = ReplayWindow.make(params.flush_interval_secs * 1000, params.replay_max_mb * 1024 * 1024)
    const metrics = SinkMetrics.forSink(group, name)
    const serial = yield* Effect.makeSemaphore(1)

    const pending = new Map<SinkMetrics.Skipped, number>()
    let lastReport = Number.NEGATIVE_INFINITY
    /** Logs what was left out since the last report (at most every `skipReportMs`, unless `force`). */
    const reportSkips = (now: number, force: boolean): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (pending.size === 0 || (!force && now - lastReport < skipReportMs)) return Effect.void
        lastReport = now
        const counts = [...pending].map(([reason, n]) => `${reason}: ${n}`).join(", ")
        const total = [...pending.values()].reduce((a, b) => a + b, 0)
        pending.clear()
        return Effect.logWarning(`victoriametrics sink ${group}/${name}: left out ${total} records or lines without a sample to push (${counts}); see docs/connectors/victoriametrics.md`)
      })
    const skipped = (reason: SinkMetrics.Skipped, n: number): Effect.Effect<void> =>
      Effect.suspend(() => {
        pending.set(reason, (pending.get(reason) ?? 0) + n)
        return metrics.skipped(reason, n)
      })

    const restarts = ServerStart.make(pusher.get, yield* ServerStart.read(pusher.get))

    /** Pushes again, oldest first, what is due after `losses` losses. */
    const replayFrom = (losses: number): Effect.Effect<void, SinkError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const due = window.nextDue(now, losses)
        if (due === undefined) return Effect.void
        return pusher.push(due.body).pipe(
          Effect.zipRight(Effect.suspend(() => {
            window.replayed(now, losses)
            return metrics.replayed(due.samples)
          })),
          Effect.zipRight(replayFrom(losses))
        )
      })

    /**
     * After a lost connection, while the window holds bodies from before it: pushes them again when the
     * server may have restarted (`ServerStart`), else settles them (an idle connection closed, a blip).
     */
    const replayDue: Effect.Effect<void, SinkError> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const losses = pusher.losses()
      if (window.nextDue(now, losses) === undefined) return Effect.void
      return Effect.flatMap(restarts.restarted, (restarted) => (restarted ? replayFrom(losses) : Effect.sync(() => window.settle(losses))))
    })

    /** Pushes one body holding `samples` samples (after what is due for a replay) and keeps it in the window. */
    const pushBody = (body: Buffer, samples: number): Effect.Effect<void, SinkError> =>
      Effect.zipRight(
        replayDue,
        Effect.suspend(() => {
          const losses = pusher.losses()
          return Effect.zipRight(
            pusher.push(body),
            Effect.flatMap(Clock.currentTimeMillis, (now) => {
              window.keep(body, samples, now, losses)
              return metrics.evicted(window.takeEvicted())
            })
          )
        })
      )

    /**
     * Pushes `bodies` in order; one write at a time. The bodies are made before (`Bodies`), so that the
     * lines are garbage before the push waits for its answer (kept alive across the wait, they were
     * promoted to the old generation: the GC then took over half of the sink's time).
     */
    const pushBodies = (bodies: ReadonlyArray<Bodies.Body>): Effect.Effect<void, SinkError> =>
      bodies.length === 0
        ? Effect.void
        : serial.withPermits(1)(
          bodies.length === 1 ? pushBody(bodies[0]!.body, bodies[0]!.samples) : Effect.forEach(bodies, (b) => pushBody(b.body, b.samples), { discard: true })
        )

    const sinkRecords = (records: ReadonlyArray<DataRecord.DataRecord>): Effect.Effect<void, SinkError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const bodies = Bodies.make()
        let long = 0
        const emit: Samples.Emit = (metric, labels, value, timestamp) => {
          const line = writeLine(metric, labels, value, timestamp)
          if (format === "prometheus" && tooLong(line)) long += 1
          else bodies.add(line)
        }
        let noValue = 0
        let noMetricName = 0
        let badTimestamp = 0
        for (const record of records) {
          const reason = Samples.collect(mapping, record, now, emit)
          if (reason === "no_value") noValue += 1
          else if (reason === "no_metric_name") noMetricName += 1
          else if (reason === "bad_timestamp") badTimestamp += 1
        }
        const counted = noValue + noMetricName + badTimestamp + long === 0
          ? Effect.void
          : Effect.all([
            skipped("no_value", noValue),
            skipped("no_metric_name", noMetricName),
            skipped("bad_timestamp", badTimestamp),
            skipped("too_long", long),
            reportSkips(now, false)
          ], { discard: true })
        return Effect.zipRight(counted, pushBodies(bodies.done()))
      })

    /**
     * A record's sample lines, made when the engine routes it (its time, if it has none, is then); a record
     * with no sample to push, or a line too long, is declined: `sinkRecords` counts why it was left out.
     */
    const encodeRecord = (record: DataRecord.DataRecord): string | undefined => {
      let text: string | undefined = undefined
      let long = false
      const reason = Samples.collect(mapping, record, Date.now(), (metric, labels, value, timestamp) => {
        const line = writeLine(metric, labels, value, timestamp)
        if (format === "prometheus" && tooLong(line)) long = true
        text = text === undefined ? line : `${text}\n${line}`
      })
      return reason !== undefined || long ? undefined : text
    }
    /** `encodeRecord` straight into bytes: a record's lines joined by `\n`, or nothing (`false`) where `encodeRecord` declines it. */
    const encodeInto = (record: DataRecord.DataRecord, out: ByteBuilder): boolean => {
      const start = out.length
      let long = false
      let lines = 0
      const reason = Samples.collect(mapping, record, Date.now(), (metric, labels, value, timestamp) => {
        if (lines++ > 0) out.byte(0x0a)
        const from = out.length
        lineInto(out, metric, labels, value, timestamp)
        if (format === "prometheus" && out.length - from > RawLine.maxPrometheusLineBytes) long = true
      })
      if (reason === undefined && !long) return true
      out.truncate(start)
      return false
    }
    const writeEncoded = (texts: ReadonlyArray<string>): Effect.Effect<void, SinkError> =>
      Effect.suspend(() => {
        const bodies = Bodies.make()
        for (const text of texts) bodies.addLines(text)
        return pushBodies(bodies.done())
      })

    const sinkStrBatch = (payloads: ReadonlyArray<string>): Effect.Effect<void, SinkError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const lines: Array<string> = []
        let nan = 0
        for (let i = 0; i < payloads.length; i++) {
          const result = RawLine.collect(format, payloads[i]!, now, lines)
          if (RawLine.isBad(result)) {
            const line = payloads[i]!.split("\n")[result.line - 1] ?? ""
            return Effect.fail(SinkError.uvs(UnifiedReason.data(
              `victoriametrics sink: payload #${i} of ${payloads.length}, line ${result.line}, is not a ${format === "json" ? "JSON import" : "Prometheus text"} line: ${result.detail}: ${excerpt(line)}; nothing of the batch was pushed`
            )))
          }
          nan += result.nan
        }
        const counted = nan === 0 ? Effect.void : Effect.zipRight(skipped("nan", nan), reportSkips(now, false))
        const bodies = Bodies.make()
        for (const line of lines) bodies.add(line)
        return Effect.zipRight(counted, pushBodies(bodies.done()))
      })

    const sinkBytesBatch = (payloads: ReadonlyArray<Uint8Array>): Effect.Effect<void, SinkError> =>
      Effect.suspend(() => {
        const texts: Array<string> = new Array(payloads.length)
        for (let i = 0; i < payloads.length; i++) {
          const text = RawData.textStrict(payloads[i]!)
          if (text === undefined) {
            return Effect.fail(SinkError.uvs(UnifiedReason.data(`victoriametrics sink: payload #${i} of ${payloads.length} is not UTF-8 text; nothing of the batch was pushed`)))
          }
          texts[i] = text
        }
        return sinkStrBatch(texts)
      })

    return AsyncSink.make({
      identifier: `victoriametrics:${pusher.target}`,
      sinkStr: (data) => sinkStrBatch([data]),
      sinkBytes: (data) => sinkBytesBatch([data]),
      sinkStrBatch,
      sinkBytesBatch,
      sinkRecord: (record) => sinkRecords([record]),
      sinkRecords,
      // a record is its sample lines, written into bytes when the engine routes it (its time, if it has none, is then)
      recordEncoder: RecordEncoder.make(encodeRecord, writeEncoded, {
        separator: "\n",
        bytes: { encodeInto, write: (chunks) => Effect.suspend(() => pushBodies(Bodies.ofChunks(chunks))) }
      }),
      reconnect: probe,
      stop: Effect.flatMap(Clock.currentTimeMillis, (now) => reportSkips(now, true))
    })
  })

/** The `victoriametrics` sink factory: probes the server at build (an unreachable one fails it with 202). */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params, spec) => Effect.map(make(params, spec.group, spec.name), SinkFactory.handle)
})
