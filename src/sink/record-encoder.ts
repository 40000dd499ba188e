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
}

/** An encoder; `options.separator` when encoded records may be joined by it (see `RecordEncoder`). */
export const make = (
  encode: (record: DataRecord.DataRecord) => string | undefined,
  write: (encoded: ReadonlyArray<string>) => Effect.Effect<void, SinkError>,
  options?: { readonly separator?: string | undefined }
): RecordEncoder => ({ encode, write, separator: options?.separator })

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
