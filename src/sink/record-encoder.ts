/**
 * `RecordEncoder`: how a sink writes records that were encoded ahead of the write. `encode` turns one
 * record into the sink's own text of it (a JSON line, a row of a `COPY`, the frame of a syslog message);
 * `write` writes a batch of those texts exactly as `sinkRecords` would write the records they came from.
 *
 * The engine encodes a record for each sink that has an encoder when it routes the event, and queues the
 * text instead of the record: a record is some twenty objects, and while a batch waits for its write
 * (an fsync, an INSERT) every young-generation collection copies what the queue holds; a text is one.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { SinkError } from "../errors/sink.js"
import type * as DataRecord from "../model/record.js"
import type { ByteBuilder } from "./byte-builder.js"

/**
 * A sink's record encoding: `write(records.map(encode))` writes what `sinkRecords(records)` writes. With a
 * `separator`, texts may also be joined: `write([a + separator + b])` writes what `write([a, b])` does, so
 * the engine queues one text per routed batch (one object for the collector to copy, not thousands).
 */
export interface RecordEncoder {
  /**
   * The sink's text of one record (pure, synchronous: it runs on the routing path), or `undefined` when
   * the sink declines to encode it (a value it cannot write): the record then goes to `sinkRecords`, whose
   * coded error says why.
   */
  readonly encode: (record: DataRecord.DataRecord) => string | undefined
  /** What joins encoded records into one text that `write` reads as them all; `undefined`: texts are not joined. */
  readonly separator: string | undefined
  /** Writes encoded records (or joins of them, with a `separator`) in order, as one write. */
  readonly write: (encoded: ReadonlyArray<string>) => Effect.Effect<void, SinkError>
  /**
   * The same encoding written straight into bytes (only with a `separator`): the engine then queues one
   * `Buffer` per routed batch, the UTF-8 of the joined texts, and no string at all.
   */
  readonly bytes?: Bytes | undefined
}

/**
 * An encoding into bytes that agrees with the texts: `encodeInto(r, out)` appends the UTF-8 of `encode(r)`
 * to `out` (and appends nothing, returning `false`, where `encode` declines), and `write(chunks)` writes
 * what `write` writes of the chunks' texts.
 */
export interface Bytes {
  /** Appends the UTF-8 of the record's text to `out`; `false` (nothing appended) when the sink declines it. */
  readonly encodeInto: (record: DataRecord.DataRecord, out: ByteBuilder) => boolean
  /** Writes chunks of UTF-8 (each encoded records joined by the `separator`) in order, as one write. */
  readonly write: (chunks: ReadonlyArray<Uint8Array>) => Effect.Effect<void, SinkError>
}

/**
 * An encoder; `options.separator` when encoded records may be joined by it, `options.bytes` when they can
 * also be written straight into bytes (see `RecordEncoder`; `bytes` needs a `separator`).
 */
export const make = (
  encode: (record: DataRecord.DataRecord) => string | undefined,
  write: (encoded: ReadonlyArray<string>) => Effect.Effect<void, SinkError>,
  options?: { readonly separator?: string | undefined; readonly bytes?: undefined } | { readonly separator: string; readonly bytes: Bytes | undefined }
): RecordEncoder => (options?.bytes === undefined ? { encode, write, separator: options?.separator } : { encode, write, separator: options.separator, bytes: options.bytes })

/**
 * `sinkRecords` by way of `encoder`: the records encoded, then written as one batch. When the encoder
 * declines one, nothing is written (a batch is all or nothing) and `declined` says why.
 */
export const sinkRecords = (
  encoder: RecordEncoder,
  declined: (record: DataRecord.DataRecord) => Effect.Effect<void, SinkError>
) =>
(records: ReadonlyArray<DataRecord.DataRecord>): Effect.Effect<void, SinkError> =>
  records.length === 0 ? Effect.void : Effect.suspend(() => {
    const texts = new Array<string>(records.length)
    for (let i = 0; i < records.length; i++) {
      const text = encoder.encode(records[i]!)
      if (text === undefined) return declined(records[i]!)
      texts[i] = text
    }
    return encoder.write(texts)
  })
