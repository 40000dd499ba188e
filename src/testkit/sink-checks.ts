/**
 * The sink cases of the conformance suite, each a plain Effect that fails with a `ConformanceFailure`
 * saying what the connector broke. `sinkConformance` registers them as tests; connector tests may
 * also run one directly. The fault cases inject failures with `faultySink` and run on a `TestClock`, or
 * break the real target underneath the sink (`breakTarget`).
 *
 * @since 0.1.0
 */
import { Cause, Duration, Effect, Exit, Fiber, Option, Schedule, type Scope, TestClock, TestContext } from "effect"
import { isCoded } from "../errors/coded.js"
import { describeCause } from "../errors/describe.js"
import { SinkError } from "../errors/sink.js"
import * as DataRecord from "../model/record.js"
import * as RawData from "../model/raw.js"
import * as ByteBuilder from "../sink/byte-builder.js"
import * as SinkFactory from "../sink/factory.js"
import type * as RecordEncoder from "../sink/record-encoder.js"
import type { AsyncSink } from "../sink/sink.js"
import * as CaseScope from "./case-scope.js"
import type { Check } from "./check.js"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"
import { faultySink } from "./faults.js"
import * as InvalidSpec from "./invalid-spec.js"
import * as LeakWatch from "./leak-watch.js"
import * as PayloadMatch from "./payload-match.js"
import * as Subject from "./sink-subject.js"
import { withTempWorkRoot } from "./work-root.js"

type Failure = ConformanceFailure.ConformanceFailure

/** One case of the sink suite. */
export type SinkCheck = Check<Subject.SinkConformanceOptions>

const id = (name: string) => `sink.${name}`

const texts = (options: Subject.SinkConformanceOptions): ReadonlyArray<string> => options.payloads ?? Subject.defaultPayloads

const encoder = new TextEncoder()

const bytesOf = (options: Subject.SinkConformanceOptions): ReadonlyArray<Uint8Array> => texts(options).map((t) => encoder.encode(t))

/**
 * One record per payload: `seq` and `msg`. Every other one is held as a parser holds it
 * (`DataRecord.fromPlain`: a class instance whose `fields` is a getter), so a sink that copies records
 * by their own properties (`{ ...record }`, `structuredClone`) instead of reading `fields` is caught.
 */
const recordsOf = (options: Subject.SinkConformanceOptions): ReadonlyArray<DataRecord.DataRecord> =>
  texts(options).map((t, i) =>
    i % 2 === 1
      ? DataRecord.fromPlain({ seq: String(i), msg: t })
      : DataRecord.make([DataRecord.field("seq", DataRecord.chars(String(i))), DataRecord.field("msg", DataRecord.chars(t))])
  )

const encodeRecord = (options: Subject.SinkConformanceOptions) => options.encodeRecord ?? DataRecord.toJsonText

const inScope = <A>(check: string, options: Subject.SinkConformanceOptions, body: Effect.Effect<A, Failure, Scope.Scope>) =>
  CaseScope.inScope(check, Clock.resolveBounds(options).stopWithin, body)

/** Runs a write within `timeout`; a failure of it fails the case, naming the write. */
const write = (check: string, options: Subject.SinkConformanceOptions, what: string, effect: Effect.Effect<void, SinkError>) =>
  Clock.step(effect, Clock.resolveBounds(options).timeout, check, what)

/** `stop` within `stopWithin`; a failure fails the case. */
const stop = (check: string, options: Subject.SinkConformanceOptions, sink: AsyncSink, what = "stop") =>
  write(check, options, what, sink.stop)

/** Fails unless `got` equals `expected`, saying what went wrong `when`. */
const expectSame = (check: string, when: string, expected: ReadonlyArray<RawData.RawData>, got: ReadonlyArray<RawData.RawData>) =>
  Option.match(PayloadMatch.difference(expected, got), {
    onNone: () => Effect.void,
    onSome: (wrong) => Effect.fail(ConformanceFailure.make(check, `${when}: ${wrong}`))
  })

/** Writes `items` in one batch, stops the sink, and compares the output with `expected`. */
const batchKeepsOrder = (
  checkName: string,
  name: "sinkStrBatch" | "sinkBytesBatch" | "sinkRecords",
  writeBatch: (sink: AsyncSink, options: Subject.SinkConformanceOptions) => Effect.Effect<void, SinkError>,
  expected: (options: Subject.SinkConformanceOptions) => ReadonlyArray<RawData.RawData>
) =>
(options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id(checkName)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      yield* write(check, options, name, writeBatch(sink, options))
      yield* stop(check, options, sink)
      return from
    }))
    const want = expected(options)
    const got = yield* Subject.readNew(options, fixture, from, want.length)
    yield* expectSame(check, `${name} did not write the batch whole and in order`, want, got)
  }))
}

/** `sinkStrBatch` writes a batch in order. */
export const sinkStrBatchKeepsOrder = batchKeepsOrder("sinkStrBatchKeepsOrder", "sinkStrBatch", (sink, o) => sink.sinkStrBatch(texts(o)), texts)

/** `sinkBytesBatch` writes a batch in order. */
export const sinkBytesBatchKeepsOrder = batchKeepsOrder("sinkBytesBatchKeepsOrder", "sinkBytesBatch", (sink, o) => sink.sinkBytesBatch(bytesOf(o)), bytesOf)

/** `sinkRecords` writes a batch of records in order. */
export const sinkRecordsKeepOrder = batchKeepsOrder(
  "sinkRecordsKeepOrder",
  "sinkRecords",
  (sink, o) => sink.sinkRecords(recordsOf(o)),
  (o) => recordsOf(o).map(encodeRecord(o))
)

/**
 * A sink's `recordEncoder`, where it has one, writes what `sinkRecords` writes: the records encoded one by
 * one and written as a batch, then (with a `separator`) joined into one text and written again, then (with
 * `bytes`) encoded into bytes, joined, and written in two chunks. The engine writes records these ways, so
 * an encoder that disagrees with `sinkRecords` writes wrong data under `wpc run`.
 */
export const recordEncoderAgrees = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("recordEncoderAgrees")
  const records = recordsOf(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const result = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      const encoder = sink.recordEncoder
      if (encoder === undefined) {
        yield* stop(check, options, sink)
        return undefined
      }
      const encoded: Array<string> = []
      for (const [i, record] of records.entries()) {
        const text = encoder.encode(record)
        if (text === undefined) {
          return yield* Effect.fail(ConformanceFailure.make(check, `recordEncoder.encode declined record #${i}, a record of two text fields that sinkRecords writes`))
        }
        encoded.push(text)
      }
      yield* write(check, options, "recordEncoder.write of the encoded records", encoder.write(encoded))
      const joined = encoder.separator !== undefined
      if (joined) yield* write(check, options, "recordEncoder.write of the encoded records joined by its separator", encoder.write([encoded.join(encoder.separator!)]))
      const bytes = encoder.bytes
      if (bytes !== undefined) {
        const chunks = yield* encodeChunks(check, encoder, bytes, records)
        yield* write(check, options, "recordEncoder.bytes.write of the records encoded into bytes", bytes.write(chunks))
      }
      yield* stop(check, options, sink)
      return { from, writes: 1 + (joined ? 1 : 0) + (bytes !== undefined ? 1 : 0) }
    }))
    if (result === undefined) return
    const once = records.map(encodeRecord(options))
    const got = yield* Subject.readNew(options, fixture, result.from, once.length * result.writes)
    yield* expectSame(check, "recordEncoder.write(records encoded) did not write what sinkRecords writes", once, got.slice(0, once.length))
    if (result.writes > 1) {
      yield* expectSame(check, "recordEncoder.write of the encoded records joined by its separator did not write them all, in order", once, got.slice(once.length, 2 * once.length))
    }
    if (result.writes > 2) {
      yield* expectSame(check, "recordEncoder.bytes.write of the records encoded into bytes did not write them all, in order", once, got.slice(2 * once.length))
    }
  }))
}

/**
 * `records` encoded by `bytes.encodeInto` and joined by the separator, in two chunks (the first record, then
 * the rest); fails when `encodeInto` declines one. (Whether the bytes are right shows in what `write` writes:
 * an encoder may put the time of encoding in its text.)
 */
const encodeChunks = (
  check: string,
  encoder: RecordEncoder.RecordEncoder,
  bytes: RecordEncoder.Bytes,
  records: ReadonlyArray<DataRecord.DataRecord>
): Effect.Effect<ReadonlyArray<Uint8Array>, Failure> =>
  Effect.suspend(() => {
    const out = ByteBuilder.make()
    const chunks: Array<Uint8Array> = []
    for (const [i, record] of records.entries()) {
      if (i === 1) chunks.push(out.take())
      if (i > 1) out.text(encoder.separator ?? "")
      if (!bytes.encodeInto(record, out)) {
        return Effect.fail(ConformanceFailure.make(check, `recordEncoder.bytes.encodeInto declined record #${i}, which recordEncoder.encode encodes`))
      }
    }
    chunks.push(out.take())
    return Effect.succeed(chunks)
  })

/** Single writes and batch writes of the same payloads produce the same output (text, bytes, records). */
export const singleAgreesWithBatch = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("singleAgreesWithBatch")
  const strs = texts(options)
  const bytes = bytesOf(options)
  const records = recordsOf(options)
  const steps: ReadonlyArray<readonly [string, (sink: AsyncSink) => Effect.Effect<void, SinkError>, ReadonlyArray<RawData.RawData>]> = [
    ["sinkStr one at a time", (sink) => Effect.forEach(strs, sink.sinkStr, { discard: true }), strs],
    ["sinkStrBatch", (sink) => sink.sinkStrBatch(strs), strs],
    ["sinkBytes one at a time", (sink) => Effect.forEach(bytes, sink.sinkBytes, { discard: true }), bytes],
    ["sinkBytesBatch", (sink) => sink.sinkBytesBatch(bytes), bytes],
    ["sinkRecord one at a time", (sink) => Effect.forEach(records, sink.sinkRecord, { discard: true }), records.map(encodeRecord(options))],
    ["sinkRecords", (sink) => sink.sinkRecords(records), records.map(encodeRecord(options))]
  ]
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      for (const [name, run] of steps) yield* write(check, options, name, run(sink))
      yield* stop(check, options, sink)
      return from
    }))
    const total = steps.reduce((n, [, , want]) => n + want.length, 0)
    const got = yield* Subject.readNew(options, fixture, from, total)
    let at = 0
    for (const [name, , want] of steps) {
      const segment = got.slice(at, at + want.length)
      yield* expectSame(check, `${name} (payloads ${at}..${at + want.length - 1} of the output) disagrees with what the other form wrote`, want, segment)
      at += want.length
    }
    if (got.length > total) {
      return yield* ConformanceFailure.make(check, `the output holds ${got.length - total} payloads more than were written: ${PayloadMatch.showAll(got.slice(total))}`)
    }
  }))
}

/**
 * After each write of each form returns, a read at once (no grace delay; for an `"eventual"` sink, a
 * read until `timeout`) finds everything written so far, in order: a write is reported done only once
 * its data is at the target, never fired and forgotten.
 */
export const readableOnReturn = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("readableOnReturn")
  const strs = texts(options)
  const bytes = bytesOf(options)
  const records = recordsOf(options)
  const encode = encodeRecord(options)
  const steps: ReadonlyArray<readonly [string, (sink: AsyncSink) => Effect.Effect<void, SinkError>, ReadonlyArray<RawData.RawData>]> = [
    ["sinkStr", (sink) => sink.sinkStr(strs[0]!), [strs[0]!]],
    ["sinkStrBatch", (sink) => sink.sinkStrBatch(strs), strs],
    ["sinkBytes", (sink) => sink.sinkBytes(bytes[0]!), [bytes[0]!]],
    ["sinkBytesBatch", (sink) => sink.sinkBytesBatch(bytes), bytes],
    ["sinkRecord", (sink) => sink.sinkRecord(records[0]!), [encode(records[0]!)]],
    ["sinkRecords", (sink) => sink.sinkRecords(records), records.map(encode)]
  ]
  const when = options.delivery === "eventual"
    ? `within ${Duration.format(Clock.resolveBounds(options).timeout)} of its return`
    : "right after its return, with no grace delay,"
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      const written: Array<RawData.RawData> = []
      for (const [name, run, payloads] of steps) {
        yield* write(check, options, name, run(sink))
        written.push(...payloads)
        const got = yield* Subject.readNew(options, fixture, from, written.length)
        yield* expectSame(
          check,
          `${name} of ${PayloadMatch.showAll(payloads)} reported success, but a read ${when} did not find everything written so far (a write must be reported done only once its data is at the target)`,
          written,
          got
        )
      }
      yield* stop(check, options, sink)
    }))
  }))
}

/**
 * Batches of mixed sizes in a row (8, 8, `largeBatch` = 5000 by default, 8, 8; every payload distinct)
 * come back whole and in order: a sink that splits a large batch into parallel chunks, or lets it
 * overtake smaller batches it buffered, fails here.
 */
export const largeBatchKeepsOrder = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("largeBatchKeepsOrder")
  const base = texts(options)
  const sizes = [base.length, base.length, options.largeBatch ?? 5000, base.length, base.length]
  let next = 0
  const batches = sizes.map((n) => Array.from({ length: n }, () => `${base[next % base.length]!} #${next++}`))
  const all = batches.flat()
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      for (const [i, batch] of batches.entries()) {
        yield* write(check, options, `sinkStrBatch of batch #${i} (${batch.length} payloads)`, sink.sinkStrBatch(batch))
      }
      yield* stop(check, options, sink)
      return from
    }))
    const got = yield* Subject.readNew(options, fixture, from, all.length)
    const at = PayloadMatch.mismatchAt(all, got)
    if (Option.isNone(at)) return
    let batch = 0
    let end = sizes[0]!
    while (batch < sizes.length - 1 && at.value >= end) end += sizes[++batch]!
    const wrong = Option.getOrElse(PayloadMatch.difference(all, got), () => "")
    return yield* ConformanceFailure.make(
      check,
      `batches of sizes ${JSON.stringify(sizes)} written in a row did not come back whole and in order: the first wrong payload is in batch #${batch}: ${wrong}`
    )
  }))
}

/** A write after `stop` must fail with a coded error, within the bound, and reach nothing. */
const refused = (check: string, options: Subject.SinkConformanceOptions, name: string, attempt: Effect.Effect<void, SinkError>) =>
  Effect.gen(function*() {
    const exit = yield* Clock.within(Effect.exit(attempt), Clock.resolveBounds(options).stopWithin, check, `${name} after stop (a stopped sink must fail at once, not hang)`)
    if (Exit.isSuccess(exit)) {
      return yield* ConformanceFailure.make(check, `${name} after stop succeeded: a stopped sink must fail with a coded error (SinkUnavailable "sink stopped"), never accept data silently`)
    }
    const error = Cause.failureOption(exit.cause)
    if (Option.isNone(error)) {
      return yield* ConformanceFailure.make(check, `${name} after stop died instead of failing with a coded error: ${describeCause(Cause.squash(exit.cause))}`)
    }
    if (!isCoded(error.value)) {
      return yield* ConformanceFailure.make(check, `${name} after stop failed with an error that carries no code: ${describeCause(error.value)}`)
    }
  })

/** The writes of every form, each tried after `stop`. */
const everyWrite = (options: Subject.SinkConformanceOptions, sink: AsyncSink): ReadonlyArray<readonly [string, Effect.Effect<void, SinkError>]> => {
  const [text] = texts(options)
  const record = recordsOf(options)[0]!
  return [
    ["sinkStr", sink.sinkStr(text ?? "late")],
    ["sinkStrBatch", sink.sinkStrBatch([text ?? "late"])],
    ["sinkBytes", sink.sinkBytes(encoder.encode(text ?? "late"))],
    ["sinkBytesBatch", sink.sinkBytesBatch([encoder.encode(text ?? "late")])],
    ["sinkRecord", sink.sinkRecord(record)],
    ["sinkRecords", sink.sinkRecords([record])]
  ]
}

/** `stop` twice succeeds; every write after it fails with a coded error (not a hang, not a silent success) and writes nothing. */
export const refusesWritesAfterStop = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("refusesWritesAfterStop")
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      yield* stop(check, options, sink)
      yield* stop(check, options, sink, "stop called a second time (stop must be idempotent)")
      for (const [name, attempt] of everyWrite(options, sink)) yield* refused(check, options, name, attempt)
      return from
    }))
    const got = yield* Subject.readNew(options, fixture, from, 0)
    if (got.length > 0) return yield* ConformanceFailure.make(check, `writes after stop reached the output: ${PayloadMatch.showAll(got)}`)
  }))
}

/** `reconnect` between writes keeps the configuration: everything lands in the same output, in order. */
export const reconnectKeepsConfig = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("reconnectKeepsConfig")
  const [a = "a", b = "b", c = "c", d = "d"] = texts(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      yield* write(check, options, "sinkStr", sink.sinkStr(a))
      yield* write(check, options, "reconnect", sink.reconnect)
      yield* write(check, options, "sinkStr after reconnect", sink.sinkStr(b))
      yield* write(check, options, "a second reconnect", sink.reconnect)
      yield* write(check, options, "sinkStrBatch after reconnect", sink.sinkStrBatch([c, d]))
      yield* stop(check, options, sink)
      return from
    }))
    const got = yield* Subject.readNew(options, fixture, from, 4)
    yield* expectSame(check, "after reconnect the sink lost data or wrote elsewhere", [a, b, c, d], got)
  }))
}

/** Closing the build Scope stops the sink: a write through the old handle then fails with a coded error. */
export const scopeStops = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("scopeStops")
  const [a = "a"] = texts(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const { from, sink } = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      yield* write(check, options, "sinkStr", sink.sinkStr(a))
      return { from, sink }
    }))
    yield* Effect.mapError(
      refused(check, options, "sinkStr after the build scope closed", sink.sinkStr("late")),
      (e) => ConformanceFailure.make(check, `closing the build scope did not stop the sink: ${e.detail}`)
    )
    const got = yield* Subject.readNew(options, fixture, from, 1)
    yield* expectSame(check, "what was written before the build scope closed", [a], got)
  }))
}

/** Bytes that are not UTF-8 come back as written (or, for a `"lossy"` text sink, as their lossy decoding). */
export const bytesRoundTrip = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("bytesRoundTrip")
  const payloads: ReadonlyArray<Uint8Array> = [
    encoder.encode("plain"),
    Uint8Array.of(0xff, 0xfe, 0x00, 0x80),
    Uint8Array.of(0xc3, 0x28, 0xa0, 0xa1, 0x20, 0x41),
    encoder.encode("δ"),
    Uint8Array.of(0xed, 0xa0, 0x80, 0xf8)
  ]
  const expected: ReadonlyArray<RawData.RawData> = options.bytes === "lossy" ? payloads.map((p) => RawData.text(p)) : payloads
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      yield* write(check, options, "sinkBytes", sink.sinkBytes(payloads[0]!))
      yield* write(check, options, "sinkBytesBatch", sink.sinkBytesBatch(payloads.slice(1)))
      yield* stop(check, options, sink)
      return from
    }))
    const got = yield* Subject.readNew(options, fixture, from, expected.length)
    yield* expectSame(
      check,
      options.bytes === "lossy" ? "bytes did not come back as their lossy UTF-8 text" : "bytes that are not UTF-8 did not survive a bytes round trip",
      expected,
      got
    )
  }))
}

/** Runs a fault case on a fresh `TestClock`. */
const onTestClock = <A>(self: Effect.Effect<A, Failure>): Effect.Effect<A, Failure> => Effect.provide(self, TestContext.TestContext)

/** Advances the `TestClock` until `done` holds (wall-clock bounded by `timeout`). */
const advanceUntil = (check: string, options: Subject.SinkConformanceOptions, step: Duration.Duration, done: Effect.Effect<boolean>, what: string) =>
  Clock.within(
    Effect.gen(function*() {
      while (!(yield* done)) {
        yield* TestClock.adjust(step)
        yield* Clock.sleep(Duration.millis(1))
      }
    }),
    Clock.resolveBounds(options).timeout,
    check,
    what
  )

/**
 * Stop arriving while a batch is half written (payloads go through one per second of test time; Stop
 * comes after two): the batch must fail with a coded error, and the two payloads written before Stop
 * must be in the output. (`stopMidBatch` stops the sink's own write of a large batch.)
 */
export const stopDuringWrite = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("stopDuringWrite")
  const items = texts(options)
  return onTestClock(Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const { from, written } = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      const slow = faultySink(sink, { delay: Duration.seconds(1) })
      const writer = yield* Effect.fork(slow.sink.sinkStrBatch(items))
      yield* advanceUntil(check, options, Duration.seconds(1), Effect.map(slow.passed, (n) => n >= 2), "writing the first two payloads of the batch")
      const written = yield* slow.passed
      yield* stop(check, options, sink, "stop while a batch is being written")
      const exit = yield* Effect.exit(Clock.drive(writer, { check, what: "the batch interrupted by Stop", step: Duration.seconds(1) }))
      if (Exit.isSuccess(exit)) {
        return yield* ConformanceFailure.make(check, `the batch reported success although the sink was stopped after ${written} of its ${items.length} payloads: the rest went into a stopped sink`)
      }
      const error = Cause.failureOption(exit.cause)
      if (Option.isNone(error) || !isCoded(error.value)) {
        return yield* ConformanceFailure.make(check, `the payloads after Stop failed without a coded error: ${describeCause(Cause.squash(exit.cause))}`)
      }
      return { from, written }
    }))
    const got = yield* Subject.readNew(options, fixture, from, written)
    yield* expectSame(check, `the ${written} payloads written before Stop are not in the output as written`, items.slice(0, written), got)
  })))
}

/**
 * The upstream fails twice with a retryable error (injected before anything is written); the writer
 * retries with backoff on the `TestClock`, calling the sink's `reconnect` after each failure: the
 * batch must then be written exactly once, in order, where it was configured to go.
 */
export const retryThroughReconnect = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("retryThroughReconnect")
  const items = texts(options)
  return onTestClock(Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      const flaky = faultySink(sink, { failAt: 0, failTimes: 2, error: SinkError.sink("injected: upstream unavailable") })
      let reconnects = 0
      const reconnect = (cause: SinkError): Effect.Effect<never, SinkError | Failure> =>
        Effect.flatMap(Effect.exit(sink.reconnect), (exit): Effect.Effect<never, SinkError | Failure> => {
          reconnects += 1
          return Exit.isSuccess(exit)
            ? Effect.fail(cause)
            : Effect.fail(ConformanceFailure.make(check, `reconnect after a retryable failure failed: ${describeCause(Cause.squash(exit.cause))}`))
        })
      const writer = yield* Effect.fork(flaky.sink.sinkStrBatch(items).pipe(
        Effect.catchAll((e) => (e.retryable ? reconnect(e) : Effect.fail(e))),
        Effect.retry({
          schedule: Schedule.exponential(Duration.millis(100)),
          times: 5,
          while: (e) => e._tag !== "ConformanceFailure" && e.retryable
        })
      ))
      const exit = yield* Effect.exit(Clock.drive(writer, { check, what: "the retried batch", step: Duration.millis(100) }))
      if (Exit.isFailure(exit)) {
        const error = Cause.failureOption(exit.cause)
        if (Option.isSome(error) && error.value._tag === "ConformanceFailure") return yield* error.value
        return yield* ConformanceFailure.make(check, `the batch still failed after two retryable failures and ${reconnects} reconnects: ${describeCause(Cause.squash(exit.cause))}`)
      }
      if ((yield* flaky.injected) !== 2 || reconnects !== 2) {
        return yield* ConformanceFailure.make(check, `expected 2 injected failures and 2 reconnects, saw ${yield* flaky.injected} and ${reconnects}`)
      }
      yield* stop(check, options, sink)
      return from
    }))
    const got = yield* Subject.readNew(options, fixture, from, items.length)
    yield* expectSame(check, "after two retryable failures and two reconnects the batch was not written exactly once, in order", items, got)
  })))
}

/**
 * A batch fails halfway (the 4th payload fails, the first 3 were written): the sink reports the
 * failure; after `reconnect` and a retry of the rest, the output holds every payload once, in order
 * (what was written before the failure survives the reconnect).
 */
export const failedBatchIsFailure = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("failedBatchIsFailure")
  const items = texts(options)
  const half = Math.min(3, items.length - 1)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const injected = SinkError.sink("injected: write failed halfway")
    const from = yield* inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      const from = yield* Subject.mark(fixture)
      const faulty = faultySink(sink, { failAt: half, error: injected })
      const exit = yield* Clock.within(Effect.exit(faulty.sink.sinkStrBatch(items)), Clock.resolveBounds(options).timeout, check, "a batch failing halfway")
      if (Exit.isSuccess(exit)) {
        return yield* ConformanceFailure.make(check, `a batch that failed at payload #${half} reported success`)
      }
      if (!Exit.causeOption(exit).pipe(Option.flatMap(Cause.failureOption), Option.exists((e) => e === injected))) {
        return yield* ConformanceFailure.make(check, `writing the first ${half} payloads of the batch failed: ${describeCause(Cause.squash(exit.cause))}`)
      }
      yield* write(check, options, "reconnect after a batch failed halfway", sink.reconnect)
      yield* write(check, options, "sinkStrBatch of the rest of the batch", sink.sinkStrBatch(items.slice(yield* faulty.passed)))
      yield* stop(check, options, sink)
      return from
    }))
    const got = yield* Subject.readNew(options, fixture, from, items.length)
    yield* expectSame(check, "after a batch failed halfway, a reconnect and a retry of the rest, the output is not each payload once in order", items, got)
  }))
}

/**
 * Stop arriving while the sink itself writes a large batch (no wrapper: its own write path), twice:
 * once racing the start of the write, once as soon as part of the batch shows in the output. Either
 * the batch succeeds and all of it is in the output, or it fails with a coded error having written a
 * prefix of it; never a success with the tail lost.
 */
export const stopMidBatch = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("stopMidBatch")
  const base = texts(options)
  const bounds = Clock.resolveBounds(options)
  const many = Array.from({ length: options.largeBatch ?? 5000 }, (_, i) => `${base[i % base.length]!} #${i}`)
  const attempt = (when: "at the start of the write" | "once part of the batch was in the output") =>
    Effect.scoped(Effect.gen(function*() {
      const fixture = yield* Subject.prepare(check, options)
      const race = yield* inScope(check, options, Effect.gen(function*() {
        const sink = yield* Subject.build(check, options, fixture)
        const from = yield* Subject.mark(fixture)
        const writer = yield* Effect.fork(sink.sinkStrBatch(many))
        let seen = 0
        if (when === "at the start of the write") yield* Effect.yieldNow()
        else {
          const deadline = Date.now() + Duration.toMillis(bounds.timeout)
          while (Option.isNone(yield* Fiber.poll(writer)) && Date.now() < deadline) {
            seen = (yield* fixture.read).length - from
            if (seen > 0) break
            yield* Clock.sleep(Duration.millis(1))
          }
        }
        const midWrite = Option.isNone(yield* Fiber.poll(writer))
        yield* stop(check, options, sink, `stop ${when}`)
        const exit = yield* Clock.within(Fiber.await(writer), bounds.timeout, check, `a batch of ${many.length} payloads stopped ${when}`)
        return { from, exit, midWrite, seen }
      }))
      const stopped = race.midWrite
        ? `Stop arrived ${when}${race.seen > 0 ? ` (${race.seen} of its ${many.length} payloads were in the output)` : ""}`
        : "Stop arrived after it was done"
      if (Exit.isSuccess(race.exit)) {
        const out = yield* Subject.readNew(options, fixture, race.from, many.length)
        return yield* expectSame(check, `a batch of ${many.length} payloads reported success (${stopped}), but it is not in the output whole and in order (the tail was lost)`, many, out)
      }
      const error = Cause.failureOption(race.exit.cause)
      if (Option.isNone(error) || !isCoded(error.value)) {
        return yield* ConformanceFailure.make(check, `a batch of ${many.length} payloads stopped ${when} failed without a coded error: ${describeCause(Cause.squash(race.exit.cause))}`)
      }
      const out = yield* Subject.readNew(options, fixture, race.from, 0)
      yield* expectSame(check, `a batch of ${many.length} payloads failed (${stopped}), and what it wrote is not a prefix of it`, many.slice(0, out.length), out)
    }))
  return Effect.zipRight(attempt("at the start of the write"), attempt("once part of the batch was in the output"))
}

/**
 * Writes batches of 256 payloads (one every 20 ms, at most 25) until one fails; returns the payloads
 * reported written before that, and the failure (`None` when every batch reported success).
 */
const firstFailure = (
  check: string,
  options: Subject.SinkConformanceOptions,
  sink: AsyncSink,
  how: string
): Effect.Effect<{ readonly reported: ReadonlyArray<string>; readonly failure: Option.Option<Cause.Cause<SinkError>> }, Failure> =>
  Effect.gen(function*() {
    const base = texts(options)
    const reported: Array<string> = []
    for (let i = 0; i < 25; i++) {
      // 256 payloads (some KiB): more than a page or a socket buffer has room for
      const batch = Array.from({ length: 256 }, (_, j) => `${base[j % base.length]!} after ${how} #${i}.${j}`)
      const exit = yield* Clock.within(
        Effect.exit(sink.sinkStrBatch(batch)),
        Clock.resolveBounds(options).timeout,
        check,
        `sinkStrBatch #${i} after the target was broken (${how})`
      )
      if (Exit.isFailure(exit)) return { reported, failure: Option.some(exit.cause) }
      reported.push(...batch)
      yield* Clock.sleep(Duration.millis(20))
    }
    return { reported, failure: Option.none() }
  })

/**
 * For each way of `breakTarget`, on a fresh sink: a batch is written, the real target is broken
 * underneath the open sink, then batches of 256 payloads are written (one every 20 ms, at most 25):
 * one must fail with a coded error. A sink that swallows its target's write errors fails here.
 */
export const targetFailureIsFailure = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("targetFailureIsFailure")
  const bounds = Clock.resolveBounds(options)
  const base = texts(options)
  /** Builds a sink in `fixture`, writes, breaks its target with the `i`th way, and expects a coded failure. */
  const breakOne = (fixture: Subject.Fixture, i: number) =>
    inScope(check, options, Effect.gen(function*() {
      const way = fixture.breakTarget?.[i]
      if (way === undefined) return yield* ConformanceFailure.make(check, `the setup gave no breakTarget #${i} this time (it must give the same ways each time)`)
      const sink = yield* Subject.build(check, options, fixture)
      yield* write(check, options, "sinkStrBatch before the target was broken", sink.sinkStrBatch(base.slice(0, 2)))
      yield* Clock.step(way.run(fixture), bounds.timeout, check, `breaking the target (${way.name})`)
      const { failure, reported } = yield* firstFailure(check, options, sink, way.name)
      if (Option.isNone(failure)) {
        return yield* ConformanceFailure.make(
          check,
          `after the target was broken (${way.name}), 25 batches in a row (${reported.length} payloads: ${PayloadMatch.showAll(reported)}) reported success: the sink swallows its target's write errors; expected a write to fail with a coded SinkError`
        )
      }
      const error = Cause.failureOption(failure.value)
      if (Option.isNone(error)) {
        return yield* ConformanceFailure.make(check, `a write after the target was broken (${way.name}) died instead of failing with a coded error: ${describeCause(Cause.squash(failure.value))}`)
      }
      if (!isCoded(error.value)) {
        return yield* ConformanceFailure.make(check, `a write after the target was broken (${way.name}) failed with an error that carries no code: ${describeCause(error.value)}`)
      }
      // stop may fail (the target is broken) but must not hang
      yield* Clock.within(Effect.exit(sink.stop), bounds.stopWithin, check, `stop after the target was broken (${way.name})`)
    }))
  return Effect.gen(function*() {
    const count = yield* Effect.scoped(Effect.gen(function*() {
      const fixture = yield* Subject.prepare(check, options)
      if (fixture.breakTarget === undefined) {
        return yield* ConformanceFailure.make(
          check,
          "no `breakTarget` was given (in the options or the setup): the suite cannot make the real target fail underneath the sink, so it cannot tell a sink that swallows its target's write errors; give one or more ways to break the target (fill its disk, reset its connections), or `breakTarget: []` for a target that cannot fail"
        )
      }
      if (fixture.breakTarget.length > 0) yield* breakOne(fixture, 0)
      return fixture.breakTarget.length
    }))
    for (let i = 1; i < count; i++) yield* Effect.scoped(Effect.flatMap(Subject.prepare(check, options), (fixture) => breakOne(fixture, i)))
  })
}

/** Each spec of `invalid` is refused by `validateSpec` or `build` with a coded error. */
export const refusesInvalid = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> =>
  InvalidSpec.refuseEach(
    id("refusesInvalid"),
    options.invalid ?? [],
    Clock.resolveBounds(options).timeout,
    options.ctx === undefined ? Effect.map(withTempWorkRoot, (workRoot) => SinkFactory.buildCtx({ workRoot })) : Effect.succeed(options.ctx),
    (spec, ctx) => Effect.zipRight(options.factory.validateSpec(spec), options.factory.build(spec, ctx))
  )

/** Build, write, stop, close: nothing stays open or running (fibers, timers, sockets, file descriptors). */
export const leavesNoHandles = (options: Subject.SinkConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("leavesNoHandles")
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const watch = yield* LeakWatch.start
    yield* watch.supervise(inScope(check, options, Effect.gen(function*() {
      const sink = yield* Subject.build(check, options, fixture)
      yield* write(check, options, "sinkStrBatch", sink.sinkStrBatch(texts(options)))
      yield* stop(check, options, sink)
    })))
    yield* watch.expectNoneLeft(check)
  }))
}

const always = () => true

/** Every sink case, in the order `sinkConformance` registers them. */
export const all: ReadonlyArray<SinkCheck> = [
  { id: id("sinkStrBatchKeepsOrder"), title: "sinkStrBatch keeps order", clock: "live", applies: always, run: sinkStrBatchKeepsOrder },
  { id: id("sinkBytesBatchKeepsOrder"), title: "sinkBytesBatch keeps order", clock: "live", applies: always, run: sinkBytesBatchKeepsOrder },
  { id: id("sinkRecordsKeepOrder"), title: "sinkRecords keeps order", clock: "live", applies: always, run: sinkRecordsKeepOrder },
  { id: id("singleAgreesWithBatch"), title: "single and batch writes agree", clock: "live", applies: always, run: singleAgreesWithBatch },
  { id: id("recordEncoderAgrees"), title: "records encoded ahead are written as sinkRecords writes them", clock: "live", applies: always, run: recordEncoderAgrees },
  { id: id("readableOnReturn"), title: "each write is readable at the target as soon as it returns", clock: "live", applies: always, run: readableOnReturn },
  { id: id("largeBatchKeepsOrder"), title: "a large batch among small ones keeps order, inside it and across batches", clock: "live", applies: always, run: largeBatchKeepsOrder },
  { id: id("refusesWritesAfterStop"), title: "stop is idempotent and a write after stop fails with a coded error", clock: "live", applies: always, run: refusesWritesAfterStop },
  { id: id("reconnectKeepsConfig"), title: "reconnect keeps the configuration", clock: "live", applies: always, run: reconnectKeepsConfig },
  { id: id("scopeStops"), title: "closing the build scope stops the sink", clock: "live", applies: always, run: scopeStops },
  { id: id("bytesRoundTrip"), title: "bytes that are not UTF-8 survive a bytes round trip", clock: "live", applies: always, run: bytesRoundTrip },
  { id: id("stopDuringWrite"), title: "fault: Stop arriving while a batch is being written", clock: "test", applies: always, run: stopDuringWrite },
  { id: id("retryThroughReconnect"), title: "fault: a retryable upstream failure recovers through reconnect", clock: "test", applies: always, run: retryThroughReconnect },
  { id: id("failedBatchIsFailure"), title: "fault: a write failing halfway through a batch is reported as a failure", clock: "live", applies: always, run: failedBatchIsFailure },
  { id: id("stopMidBatch"), title: "fault: Stop arriving while the sink writes a large batch loses no tail", clock: "live", applies: always, run: stopMidBatch },
  {
    id: id("targetFailureIsFailure"),
    title: "fault: a target broken underneath the sink makes a write fail with a coded error",
    clock: "live",
    applies: (o) => o.breakTarget === undefined || o.breakTarget.length > 0,
    run: targetFailureIsFailure
  },
  { id: id("refusesInvalid"), title: "invalid specs are refused with coded errors", clock: "live", applies: (o) => (o.invalid?.length ?? 0) > 0, run: refusesInvalid },
  { id: id("leavesNoHandles"), title: "leaves no fiber, timer or handle running afterwards", clock: "live", applies: always, run: leavesNoHandles }
]
