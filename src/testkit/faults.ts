/**
 * Injected failures for connector tests: `faultySink` wraps a sink so that writes are slowed down
 * or fail at a chosen payload, `flakySource` wraps a source so that chosen `receive` calls fail.
 * Delays run on the fiber's `Clock`, so a `TestClock` controls them.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option } from "effect"
import { SinkError } from "../errors/sink.js"
import { SourceError } from "../errors/source.js"
import type * as DataRecord from "../model/record.js"
import type { AsyncSink } from "../sink/sink.js"
import type { DataSource } from "../source/data-source.js"
import type { SourceBatch } from "../source/event.js"

/** What `faultySink` does to the writes that go through it. */
export interface SinkFaults {
  /** Waits this long (on the fiber's Clock) before passing each payload on, one at a time. */
  readonly delay?: Duration.DurationInput | undefined
  /** The payload with this index, counting every payload passed on through the wrapper from 0, fails. */
  readonly failAt?: number | undefined
  /** How many times it fails before it goes through (default 1). */
  readonly failTimes?: number | undefined
  /** The injected failure (default `SinkUnavailable` "injected failure": 500, retryable). */
  readonly error?: SinkError | undefined
}

/** A wrapped sink and what happened to the writes that went through it. */
export interface FaultySink {
  /** The wrapper: write through this one. */
  readonly sink: AsyncSink
  /** How many payloads were passed on to the wrapped sink and written. */
  readonly passed: Effect.Effect<number>
  /** How many failures were injected. */
  readonly injected: Effect.Effect<number>
}

/**
 * Wraps `sink`: a batch goes through as one batch up to the payload `failAt`, which then fails with
 * `error` (`failTimes` times; a retry of the batch writes the payloads before it again, as a real
 * sink that failed halfway would). With `delay`, payloads go through one at a time after the delay,
 * so a test can act while a batch is half written. `stop` and `reconnect` go straight through.
 */
export const faultySink = (sink: AsyncSink, faults: SinkFaults = {}): FaultySink => {
  const error = faults.error ?? SinkError.sink("injected failure")
  const delay = faults.delay === undefined ? undefined : Duration.decode(faults.delay)
  let failuresLeft = faults.failTimes ?? 1
  let position = 0
  let injected = 0

  /** Writes `items` through `write` (which takes a contiguous slice), injecting delays and the failure. */
  const run = <A>(items: ReadonlyArray<A>, write: (slice: ReadonlyArray<A>) => Effect.Effect<void, SinkError>) =>
    Effect.gen(function*() {
      let at = 0
      while (at < items.length) {
        if (faults.failAt === position && failuresLeft > 0) {
          failuresLeft -= 1
          injected += 1
          return yield* Effect.fail(error)
        }
        const failInBatch = faults.failAt !== undefined && failuresLeft > 0 && faults.failAt > position
          ? at + (faults.failAt - position)
          : items.length
        const end = delay === undefined ? Math.min(items.length, failInBatch) : at + 1
        if (delay !== undefined) yield* Effect.sleep(delay)
        yield* write(items.slice(at, end))
        position += end - at
        at = end
      }
    })

  const batch = <A>(write: (items: ReadonlyArray<A>) => Effect.Effect<void, SinkError>) => (items: ReadonlyArray<A>) =>
    run(items, write)
  const single = <A>(write: (item: A) => Effect.Effect<void, SinkError>) => (item: A) =>
    run([item], (slice) => write(slice[0]!))

  return {
    sink: {
      stop: sink.stop,
      reconnect: sink.reconnect,
      sinkStr: single(sink.sinkStr),
      sinkBytes: single(sink.sinkBytes),
      sinkRecord: single<DataRecord.DataRecord>(sink.sinkRecord),
      sinkStrBatch: batch(sink.sinkStrBatch),
      sinkBytesBatch: batch(sink.sinkBytesBatch),
      sinkRecords: batch(sink.sinkRecords)
    },
    passed: Effect.sync(() => position),
    injected: Effect.sync(() => injected)
  }
}

/** What `flakySource` does to `receive`. */
export interface SourceFaults {
  /** The `receive` call (counting from 0) that fails. */
  readonly failAt: number
  /** How many calls in a row fail from there (default 1). */
  readonly failTimes?: number | undefined
  /** The injected failure (default `SourceDisconnect` "injected disconnect": 503, retryable). */
  readonly error?: SourceError | undefined
}

/** A wrapped source and how many failures it injected. */
export interface FlakySource {
  /** The wrapper: pull from this one. */
  readonly source: DataSource
  /** How many failures were injected. */
  readonly injected: Effect.Effect<number>
}

const noBatch = (): Option.Option<SourceBatch> => Option.none()

/**
 * Wraps `source` so that its `receive` calls `failAt` .. `failAt + failTimes - 1` fail with `error`
 * instead of reading (nothing is consumed from the source by a failed call). The try-receive fast
 * path is turned off so that every pull is a counted `receive`; everything else goes straight through.
 */
export const flakySource = (source: DataSource, faults: SourceFaults): FlakySource => {
  const error = faults.error ?? SourceError.disconnect("injected disconnect")
  const last = faults.failAt + (faults.failTimes ?? 1)
  let calls = 0
  let injected = 0
  return {
    source: {
      ...source,
      supportsTryReceive: false,
      canTryReceive: () => false,
      tryReceive: noBatch,
      receive: Effect.suspend(() => {
        const call = calls++
        if (call >= faults.failAt && call < last) {
          injected += 1
          return Effect.fail(error)
        }
        return source.receive
      })
    },
    injected: Effect.sync(() => injected)
  }
}
