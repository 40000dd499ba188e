/**
 * `SourceEvent`: one event pulled from a source, and `SourceBatch`, what one `receive` returns.
 *
 * @since 0.1.0
 */
import { Inspectable } from "effect"
import type * as DataRecord from "../model/record.js"
import * as RawData from "../model/raw.js"
import * as Tags from "../model/tags.js"

/** A hook that pre-processes an event before it is parsed (`EventPreHook`). */
export type EventPreHook = (event: SourceEvent) => SourceEvent

/**
 * An opaque token a source hands out with an event and takes back in `ack`
 * (a byte offset, a stream id, a message handle: the source decides).
 */
export type AckToken = unknown

/** The fields of a `SourceEvent`. */
export interface SourceEventFields {
  /** The event's id within its source (monotonic per source where the source can). */
  readonly eventId: number
  /** The key of the source that produced it. */
  readonly srcKey: string
  /** The payload: text or bytes. */
  readonly payload: RawData.RawData
  /** Tags, usually shared by every event of a source. */
  readonly tags?: Tags.Tags | undefined
  /** The upstream peer's address, when the source knows it. */
  readonly upsIp?: string | undefined
  /** An optional pre-processing hook. */
  readonly preproc?: EventPreHook | undefined
  /** What to pass to `ack` once this event is safely written. */
  readonly ackToken?: AckToken
  /** The record a processor made of the payload; a sink then writes it with `sinkRecords`. */
  readonly record?: DataRecord.DataRecord | undefined
}

/** One event: id, source key, payload, tags, peer address, pre-processing hook and ack token. */
export class SourceEvent implements Inspectable.Inspectable {
  /** The event's id within its source. */
  readonly eventId: number
  /** The key of the source that produced it. */
  readonly srcKey: string
  /** The payload: text or bytes. */
  readonly payload: RawData.RawData
  /** The event's tags. */
  readonly tags: Tags.Tags
  /** The upstream peer's address, when known. */
  readonly upsIp: string | undefined
  /** An optional pre-processing hook. */
  readonly preproc: EventPreHook | undefined
  /** What to pass to the source's `ack` once this event is written. */
  readonly ackToken: AckToken
  /** The record a processor made of the payload, if one did. */
  readonly record: DataRecord.DataRecord | undefined
  /** The event `update` made this one from, when that one is this one but for the record (see `withoutRecord`). */
  #bare: SourceEvent | undefined = undefined

  constructor(fields: SourceEventFields) {
    this.eventId = fields.eventId
    this.srcKey = fields.srcKey
    this.payload = fields.payload
    this.tags = fields.tags ?? Tags.empty
    this.upsIp = fields.upsIp
    this.preproc = fields.preproc
    this.ackToken = fields.ackToken
    this.record = fields.record
  }

  /**
   * This event with some of its fields changed (a processor's output): id, source and ack token stay. When
   * the payload and tags stay too, the new event remembers the event it was made from, without a record,
   * so that dropping its record (`withoutRecord`) needs no copy.
   */
  update(changes: Partial<Pick<SourceEventFields, "payload" | "tags" | "record">>): SourceEvent {
    const next = new SourceEvent({
      eventId: this.eventId,
      srcKey: this.srcKey,
      payload: changes.payload ?? this.payload,
      tags: changes.tags ?? this.tags,
      upsIp: this.upsIp,
      preproc: this.preproc,
      ackToken: this.ackToken,
      record: "record" in changes ? changes.record : this.record
    })
    if (next.payload === this.payload && next.tags === this.tags) next.#bare = this.record === undefined ? this : this.#bare
    return next
  }

  /**
   * This event without its record (the engine queues that for a sink that has the record's encoding): the
   * event it was made from when that one is the same but for the record, else a copy.
   */
  withoutRecord(): SourceEvent {
    if (this.record === undefined) return this
    return this.#bare ?? new SourceEvent({
      eventId: this.eventId,
      srcKey: this.srcKey,
      payload: this.payload,
      tags: this.tags,
      upsIp: this.upsIp,
      preproc: this.preproc,
      ackToken: this.ackToken
    })
  }

  /** A debug summary that shows the payload's length, never its content. */
  summary(): string {
    const kind = typeof this.payload === "string" ? "str" : "bytes"
    const parts = [
      `id=${this.eventId}`,
      `src=${this.srcKey}`,
      `payload=${kind}(${RawData.length(this.payload)})`,
      `tags=${Tags.size(this.tags)}`
    ]
    if (this.upsIp !== undefined) parts.push(`ups_ip=${this.upsIp}`)
    if (this.preproc !== undefined) parts.push("preproc")
    if (this.record !== undefined) parts.push(`record=${this.record.fields.length}`)
    return `SourceEvent(${parts.join(", ")})`
  }

  /** The summary as JSON: lengths, not payloads. */
  toJSON(): unknown {
    return {
      _id: "SourceEvent",
      eventId: this.eventId,
      srcKey: this.srcKey,
      payloadKind: typeof this.payload === "string" ? "str" : "bytes",
      payloadLen: RawData.length(this.payload),
      tags: Tags.size(this.tags),
      upsIp: this.upsIp,
      preproc: this.preproc !== undefined,
      recordFields: this.record?.fields.length
    }
  }

  /** Same as `summary()`. */
  toString(): string {
    return this.summary()
  }

  /** What `console.log` and `util.inspect` show: the summary. */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.summary()
  }
}

/** A new event (`SourceEvent::new`). */
export const make = (fields: SourceEventFields): SourceEvent => new SourceEvent(fields)

/** The event with some of its fields changed (a processor's output): id, source and ack token stay (`SourceEvent.update`). */
export const update = (self: SourceEvent, changes: Partial<Pick<SourceEventFields, "payload" | "tags" | "record">>): SourceEvent =>
  self.update(changes)

/** The event after its pre-processing hook, if it has one. */
export const applyPreproc = (self: SourceEvent): SourceEvent => (self.preproc === undefined ? self : self.preproc(self))

/** What one `receive` returns: the events of a batch, in order; empty means "no data yet". */
export type SourceBatch = ReadonlyArray<SourceEvent>

/** Byte totals that sources recorded for their batches (`withBatchBytes`). */
const knownBytes = new WeakMap<SourceBatch, number>()

/**
 * Records that the payloads of `batch` hold `bytes` bytes in all (UTF-8 for text), for a source that
 * knows it from what it produced, so that `batchBytes` need not count them (a native call per text
 * payload, which also flattens a concatenated string). Returns `batch`. The batch must not change after.
 */
export const withBatchBytes = <B extends SourceBatch>(batch: B, bytes: number): B => {
  knownBytes.set(batch, bytes)
  return batch
}

/** Total payload bytes of a batch (UTF-8 for text): what its source recorded with `withBatchBytes`, else counted. */
export const batchBytes = (batch: SourceBatch): number => {
  const known = knownBytes.get(batch)
  if (known !== undefined) return known
  let n = 0
  for (const e of batch) n += RawData.length(e.payload)
  return n
}
