/**
 * `SinkQueue`: the bounded buffer in front of one sink replica, bounded both in events and in
 * bytes. Room is taken when a sub-batch is offered and given back only when it is written (or
 * rescued), so the bound covers what the sink holds in flight too: a full queue blocks the
 * source that offers (backpressure).
 *
 * @since 0.1.0
 */
import { Effect, Option, Queue } from "effect"
import type { SourceEvent } from "../source/event.js"

/** A sub-batch for one sink: the events a source batch routes to it, and what to call once it is written. */
export interface SinkItem {
  readonly events: ReadonlyArray<SourceEvent>
  readonly bytes: number
  /** Called once, when the sink wrote the events or the rescue holds them. */
  readonly done: () => void
  /** When the item was offered (ms, for the batch latency metric). */
  readonly offeredAt: number
}

/** Limits of one queue. */
export interface SinkQueueLimits {
  /** Events held at most (offered and not yet written). */
  readonly events: number
  /** Payload bytes held at most. */
  readonly bytes: number
}

/** The bounded queue of one sink replica. */
export interface SinkQueue {
  /** Waits for room, then enqueues `item`. */
  readonly offer: (item: SinkItem) => Effect.Effect<void>
  /** The next item, waiting for one; `None` once the queue is ended and empty. */
  readonly take: Effect.Effect<Option.Option<SinkItem>>
  /** The next item if one is ready now. */
  readonly poll: Effect.Effect<Option.Option<SinkItem>>
  /** Gives back the room of a written item. */
  readonly release: (item: SinkItem) => Effect.Effect<void>
  /** No more offers: `take` returns `None` once the items before are taken. */
  readonly end: Effect.Effect<void>
  /** Events and bytes held now (queued or in flight). */
  readonly depth: () => { readonly events: number; readonly bytes: number }
}

const END: unique symbol = Symbol("SinkQueue/end")
type Slot = SinkItem | typeof END

/** A queue holding at most `limits.events` events and `limits.bytes` bytes. */
export const make = (limits: SinkQueueLimits): Effect.Effect<SinkQueue> =>
  Effect.gen(function*() {
    const maxEvents = Math.max(1, Math.floor(limits.events))
    const maxBytes = Math.max(1, Math.floor(limits.bytes))
    const queue = yield* Queue.unbounded<Slot>()
    const eventRoom = yield* Effect.makeSemaphore(maxEvents)
    const byteRoom = yield* Effect.makeSemaphore(maxBytes)
    const admission = yield* Effect.makeSemaphore(1)
    let events = 0
    let bytes = 0
    let ended = false
    // an item larger than the whole bound still passes, alone
    const eventCost = (item: SinkItem) => Math.min(maxEvents, item.events.length)
    const byteCost = (item: SinkItem) => Math.min(maxBytes, item.bytes)
    const unwrap = (slot: Slot): Option.Option<SinkItem> => {
      if (slot === END) {
        ended = true
        return Option.none()
      }
      return Option.some(slot)
    }
    return {
      offer: (item) =>
        admission.withPermits(1)(
          Effect.zipRight(eventRoom.take(eventCost(item)), byteRoom.take(byteCost(item)))
        ).pipe(
          Effect.zipRight(Effect.sync(() => {
            events += item.events.length
            bytes += item.bytes
            queue.unsafeOffer(item)
          }))
        ),
      take: Effect.suspend(() => (ended ? Effect.succeed(Option.none()) : Effect.map(Queue.take(queue), unwrap))),
      poll: Effect.suspend(() =>
        ended ? Effect.succeed(Option.none()) : Effect.map(Queue.poll(queue), Option.flatMap(unwrap))
      ),
      release: (item) =>
        Effect.suspend(() => {
          events -= item.events.length
          bytes -= item.bytes
          return Effect.zipRight(eventRoom.release(eventCost(item)), byteRoom.release(byteCost(item)))
        }),
      end: Effect.sync(() => void queue.unsafeOffer(END)),
      depth: () => ({ events, bytes })
    }
  })
