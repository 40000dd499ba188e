/**
 * `AsyncSink`: one interface for runtime control (`stop`, `reconnect`), structured records and
 * raw text/bytes, whose methods return Effects. `make` fills the batch methods from the single ones.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { SinkError } from "../errors/sink.js"
import { UnifiedReason } from "../errors/unified.js"
import * as DataRecord from "../model/record.js"
import * as RawData from "../model/raw.js"
import * as RecordEncoder from "./record-encoder.js"

/** A sink (`AsyncCtrl + AsyncRecordSink + AsyncRawDataSink`). */
export interface AsyncSink {
  /** Stops and releases everything; idempotent. Writes after it fail with a coded error. */
  readonly stop: Effect.Effect<void, SinkError>
  /** Rebuilds connections or resets state, keeping configuration. */
  readonly reconnect: Effect.Effect<void, SinkError>
  /** Writes one record. */
  readonly sinkRecord: (record: DataRecord.DataRecord) => Effect.Effect<void, SinkError>
  /** Writes records in order. */
  readonly sinkRecords: (records: ReadonlyArray<DataRecord.DataRecord>) => Effect.Effect<void, SinkError>
  /** Writes one text payload. */
  readonly sinkStr: (data: string) => Effect.Effect<void, SinkError>
  /** Writes one bytes payload. */
  readonly sinkBytes: (data: Uint8Array) => Effect.Effect<void, SinkError>
  /** Writes text payloads in order. */
  readonly sinkStrBatch: (data: ReadonlyArray<string>) => Effect.Effect<void, SinkError>
  /** Writes bytes payloads in order. */
  readonly sinkBytesBatch: (data: ReadonlyArray<Uint8Array>) => Effect.Effect<void, SinkError>
  /** How the sink writes records encoded ahead (the engine encodes at routing time), when it can. */
  readonly recordEncoder?: RecordEncoder.RecordEncoder | undefined
}

/** What `make` needs: `sinkStr`, and whatever else the sink does better than the defaults. */
export interface AsyncSinkOptions {
  /** A name used in the "sink stopped" error. */
  readonly identifier?: string | undefined
  readonly sinkStr: (data: string) => Effect.Effect<void, SinkError>
  /** Defaults to `sinkStr` of the bytes decoded lossily. */
  readonly sinkBytes?: ((data: Uint8Array) => Effect.Effect<void, SinkError>) | undefined
  /** Defaults to `sinkStr` of the record as a JSON line. */
  readonly sinkRecord?: ((record: DataRecord.DataRecord) => Effect.Effect<void, SinkError>) | undefined
  /** Defaults to `sinkRecord` for each, in order. */
  readonly sinkRecords?: ((records: ReadonlyArray<DataRecord.DataRecord>) => Effect.Effect<void, SinkError>) | undefined
  /**
   * Records encoded ahead: `sinkRecord` / `sinkRecords` default to it (encode each, one `write`), so the
   * two ways of writing a record are the same.
   */
  readonly recordEncoder?: RecordEncoder.RecordEncoder | undefined
  /** Defaults to `sinkStr` for each, in order. */
  readonly sinkStrBatch?: ((data: ReadonlyArray<string>) => Effect.Effect<void, SinkError>) | undefined
  /** Defaults to `sinkBytes` for each, in order. */
  readonly sinkBytesBatch?: ((data: ReadonlyArray<Uint8Array>) => Effect.Effect<void, SinkError>) | undefined
  /** Defaults to doing nothing. Runs at most once. */
  readonly stop?: Effect.Effect<void, SinkError> | undefined
  /** Defaults to doing nothing. */
  readonly reconnect?: Effect.Effect<void, SinkError> | undefined
}

/** The failure of a record the sink's encoder declines, when the sink has no `sinkRecords` of its own to say why. */
const declined = (identifier: string | undefined) => (record: DataRecord.DataRecord): Effect.Effect<never, SinkError> =>
  Effect.fail(SinkError.uvs(UnifiedReason.data(
    `${identifier ?? "sink"}: cannot encode a record of ${record.fields.length} fields (${record.fields.map((f) => f.name).join(", ")})`
  )))

const each = <A>(single: (a: A) => Effect.Effect<void, SinkError>) => (items: ReadonlyArray<A>): Effect.Effect<void, SinkError> =>
  Effect.forEach(items, single, { discard: true })

/** `encoder` with its writes (of texts and of bytes) behind `guard`. */
const guarded = (
  encoder: RecordEncoder.RecordEncoder,
  guard: <A>(write: (a: A) => Effect.Effect<void, SinkError>) => (a: A) => Effect.Effect<void, SinkError>
): RecordEncoder.RecordEncoder => ({
  ...encoder,
  write: guard(encoder.write),
  ...(encoder.bytes === undefined ? {} : { bytes: { encodeInto: encoder.bytes.encodeInto, write: guard(encoder.bytes.write) } })
})

/**
 * An `AsyncSink` from `options`: batch methods default to the single ones in order, `stop` runs
 * at most once (later calls succeed at once), and every write or reconnect after `stop` fails with
 * `SinkUnavailable` "sink stopped" instead of hanging or succeeding silently.
 */
export const make = (options: AsyncSinkOptions): AsyncSink => {
  let stopped = false
  const stoppedError = SinkError.stopped(options.identifier)
  const guard = <A>(write: (a: A) => Effect.Effect<void, SinkError>) => (a: A): Effect.Effect<void, SinkError> =>
    Effect.suspend(() => (stopped ? Effect.fail(stoppedError) : write(a)))
  const sinkStr = options.sinkStr
  const sinkBytes = options.sinkBytes ?? ((data: Uint8Array) => sinkStr(RawData.text(data)))
  const encoder = options.recordEncoder
  const encodedRecords = encoder === undefined ? undefined : RecordEncoder.sinkRecords(encoder, declined(options.identifier))
  const sinkRecord = options.sinkRecord ??
    (encodedRecords !== undefined
      ? (record: DataRecord.DataRecord) => encodedRecords([record])
      : (record: DataRecord.DataRecord) => sinkStr(DataRecord.toJsonText(record)))
  const stop = options.stop ?? Effect.void
  const reconnect = options.reconnect ?? Effect.void
  return {
    stop: Effect.suspend(() => {
      if (stopped) return Effect.void
      stopped = true
      return stop
    }),
    reconnect: Effect.suspend(() => (stopped ? Effect.fail(stoppedError) : reconnect)),
    sinkStr: guard(sinkStr),
    sinkBytes: guard(sinkBytes),
    sinkRecord: guard(sinkRecord),
    sinkRecords: guard(options.sinkRecords ?? encodedRecords ?? each(sinkRecord)),
    sinkStrBatch: guard(options.sinkStrBatch ?? each(sinkStr)),
    sinkBytesBatch: guard(options.sinkBytesBatch ?? each(sinkBytes)),
    ...(encoder === undefined ? {} : { recordEncoder: guarded(encoder, guard) })
  }
}

/** What `fromBatches` needs: the text and bytes batch writes, and `sinkRecords` or a `recordEncoder` (or both). */
export type BatchSinkOptions = BatchWrites & (
  | {
    readonly sinkRecords: (records: ReadonlyArray<DataRecord.DataRecord>) => Effect.Effect<void, SinkError>
    readonly recordEncoder?: RecordEncoder.RecordEncoder | undefined
  }
  | {
    readonly sinkRecords?: undefined
    /** Records encoded ahead; `sinkRecords` is encode each, one `write`. */
    readonly recordEncoder: RecordEncoder.RecordEncoder
  }
)

/** The writes every batch sink has. */
export interface BatchWrites {
  readonly identifier?: string | undefined
  readonly sinkStrBatch: (data: ReadonlyArray<string>) => Effect.Effect<void, SinkError>
  readonly sinkBytesBatch: (data: ReadonlyArray<Uint8Array>) => Effect.Effect<void, SinkError>
  readonly stop?: Effect.Effect<void, SinkError> | undefined
  readonly reconnect?: Effect.Effect<void, SinkError> | undefined
}

/** An `AsyncSink` (as `make` builds it) for a sink that writes in batches: each single write is a batch of one. */
export const fromBatches = (options: BatchSinkOptions): AsyncSink => {
  const sinkRecords = options.sinkRecords !== undefined
    ? options.sinkRecords
    : RecordEncoder.sinkRecords(options.recordEncoder, declined(options.identifier))
  return make({
    ...options,
    sinkRecords,
    sinkStr: (data) => options.sinkStrBatch([data]),
    sinkBytes: (data) => options.sinkBytesBatch([data]),
    sinkRecord: (record) => sinkRecords([record])
  })
}

/** Writes a payload with the raw method that fits it: `sinkStr` for text, `sinkBytes` for bytes. */
export const sinkRaw = (self: AsyncSink, data: RawData.RawData): Effect.Effect<void, SinkError> =>
  typeof data === "string" ? self.sinkStr(data) : self.sinkBytes(data)
