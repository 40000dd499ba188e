/**
 * The `memory` source: the guide's demo source, made configurable. It yields fixed `events`, or
 * `count` generated payloads, in batches of `batch_size`, then ends (or idles when `eof = false`).
 * It can seek (`Start`, `End`, `Offset` = event index).
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import { SourceError } from "../../errors/source.js"
import * as RawData from "../../model/raw.js"
import * as Tags from "../../model/tags.js"
import * as DataSource from "../../source/data-source.js"
import * as SourceEvent from "../../source/event.js"
import * as SourceFactory from "../../source/factory.js"
import { kind, SourceParams } from "./params.js"

/** A memory source over decoded params. */
export const make = (name: string, params: SourceParams, tags: Tags.Tags = Tags.empty): DataSource.DataSource => {
  const total = params.events.length > 0 ? params.events.length : params.count
  const filler = "x".repeat(params.payload_bytes)
  const fixed = params.events.length > 0
  /** UTF-8 bytes of each fixed event, counted once. */
  const fixedBytes = params.events.map((e) => RawData.length(e))
  let cursor = 0
  const next = (): SourceEvent.SourceBatch => {
    const end = Math.min(total, cursor + params.batch_size)
    const batch = new Array<SourceEvent.SourceEvent>(end - cursor)
    let bytes = fixed ? 0 : (end - cursor) * params.payload_bytes
    for (let i = cursor; i < end; i++) {
      // generated payloads share one string (no out-of-bounds read of `events` per event)
      const payload = fixed ? params.events[i]! : filler
      if (fixed) bytes += fixedBytes[i]!
      batch[i - cursor] = new SourceEvent.SourceEvent({ eventId: i, srcKey: name, payload, tags, ackToken: i })
    }
    cursor = end
    // the source knows its bytes: the engine need not count them
    return SourceEvent.withBatchBytes(batch, bytes)
  }
  return DataSource.make({
    identifier: `memory:${name}`,
    promptReceive: true,
    receive: Effect.suspend(() =>
      cursor < total ? Effect.succeed(next()) : params.eof ? Effect.fail(SourceError.eof()) : Effect.succeed([])
    ),
    tryReceive: () => (cursor < total ? Option.some(next()) : Option.none()),
    seek: (position) =>
      Effect.suspend(() => {
        switch (position._tag) {
          case "Start":
            cursor = 0
            return Effect.void
          case "End":
            cursor = total
            return Effect.void
          case "Offset":
            if (Number.isInteger(position.offset) && position.offset >= 0 && position.offset <= total) {
              cursor = position.offset
              return Effect.void
            }
            return Effect.fail(SourceError.supplierError(`seek offset ${position.offset} is outside 0..${total}`))
          default:
            return Effect.fail(SourceError.supplierError(`memory source cannot seek to ${position._tag}`))
        }
      })
  })
}

/** The `memory` source factory. */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags) => Effect.succeed(make(name, params, tags))
})
