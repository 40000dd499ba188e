/**
 * `SinkQueue`: the bounded buffer in front of one sink replica, bounded both in events and in
 * bytes. Room is taken when a sub-batch is offered and given back only when it is written (or
 * rescued), so the bound covers what the sink holds in flight too: a full queue blocks the
 * source that offers (backpressure).
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import type { SourceEvent } from "../source/event.js"

/** A sub-batch for one sink: the events a source batch routes to it, and what to call once it is written. */
export interface SinkItem {
  readonly events: ReadonlyArray<SourceEvent>
  readonly bytes: number
  /** Called once, when the sink wrote the events or the rescue holds them. */
  readonly done: () => void
  /** When the item was offered (ms, for the batch latency metric). */
  readonly offeredAt: number
  /**
   * The sink's encoding of each event's record (`RecordEncoder`), made at routing time, or `undefined` for
   * an event that has none; the events then no longer hold their records. Absent when the sink encodes none.
   */
  readonly encoded?: ReadonlyArray<string | undefined> | undefined
  /** Every event's encoding joined by the encoder's `separator` (all of them had a record), instead of `encoded`. */
  readonly joined?: string | undefined
  /** `joined` as UTF-8, written by the encoder's `bytes` (`RecordEncoder.Bytes`), instead of `joined`. */
  readonly joinedBytes?: Uint8Array | undefined
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
  /** Enqueues `item` if it fits now (and no offer waits); `false` when `offer` must wait for room. */
  readonly unsafeOffer: (item: SinkItem) => boolean
  /** `true` while the consumer waits for an item (an offer now wakes it). */
  readonly consumerWaiting: () => boolean
  /**
   * Calls `wake` once, at the next offer or at `end` (the consumer's wait, without an Effect);
   * returns a function that cancels it. One consumer: a later call replaces an earlier one.
   */
  readonly unsafeNotify: (wake: () => void) => () => void
  /** The next item, waiting for one; `None` once the queue is ended and empty. */
  readonly take: Effect.Effect<Option.Option<SinkItem>>
  /** The next item if one is ready now. */
  readonly poll: Effect.Effect<Option.Option<SinkItem>>
  /** The next item if one is ready now, without an Effect (the worker's gather loop). */
  readonly unsafePoll: () => SinkItem | undefined
  /** Gives back the room of a written item. */
  readonly release: (item: SinkItem) => Effect.Effect<void>
  /** `release`, without an Effect. */
  readonly unsafeRelease: (item: SinkItem) => void
  /** No more offers: `take` returns `None` once the items before are taken. */
  readonly end: Effect.Effect<void>
  /** `true` once `end` ran. */
  readonly isEnded: () => boolean
  /** Events and bytes held now (queued or in flight). */
  readonly depth: () => { readonly events: number; readonly bytes: number }
}

interface Waiter {
  readonly item: SinkItem
  readonly resume: (effect: Effect.Effect<void>) => void
}

/**
 * A queue holding at most `limits.events` events and `limits.bytes` bytes (an item larger than
 * the whole bound is let in alone, when the queue is empty). Offers wait in FIFO order; one
 * consumer takes. Plain counters and callbacks: no fiber or semaphore per item on the hot path.
 */
export const make = (limits: SinkQueueLimits): Effect.Effect<SinkQueue> =>
  Effect.sync(() => {
    const maxEvents = Math.max(1, Math.floor(limits.events))
    const maxBytes = Math.max(1, Math.floor(limits.bytes))
    let items: Array<SinkItem> = []
    let head = 0
    let events = 0
    let bytes = 0
    let ended = false
    let taker: (() => void) | undefined
    const waiters: Array<Waiter> = []

    const fits = (item: SinkItem): boolean =>
      events === 0 || (events + item.events.length <= maxEvents && bytes + item.bytes <= maxBytes)

    const admit = (item: SinkItem): void => {
      events += item.events.length
      bytes += item.bytes
      items.push(item)
      wakeTaker()
    }

    const wakeTaker = (): void => {
      const wake = taker
      if (wake !== undefined) {
        taker = undefined
        wake()
      }
    }

    const notify = (wake: () => void): () => void => {
      taker = wake
      return () => {
        if (taker === wake) taker = undefined
      }
    }

    const shift = (): SinkItem | undefined => {
      if (head >= items.length) return undefined
      const item = items[head]!
      items[head] = undefined as unknown as SinkItem
      head += 1
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head)
        head = 0
      }
      return item
    }

    const release = (item: SinkItem): void => {
      events -= item.events.length
      bytes -= item.bytes
      while (waiters.length > 0 && fits(waiters[0]!.item)) {
        const waiter = waiters.shift()!
        admit(waiter.item)
        waiter.resume(Effect.void)
      }
    }

    const waitForItem: Effect.Effect<void> = Effect.async<void>((resume) => Effect.sync(notify(() => resume(Effect.void))))

    const take: Effect.Effect<Option.Option<SinkItem>> = Effect.suspend(() => {
      const item = shift()
      if (item !== undefined) return Effect.succeed(Option.some(item))
      if (ended) return Effect.succeed(Option.none())
      return Effect.zipRight(waitForItem, take)
    })

    return {
      offer: (item) =>
        Effect.suspend(() => {
          if (waiters.length === 0 && fits(item)) {
            admit(item)
            return Effect.void
          }
          return Effect.async<void>((resume) => {
            const waiter: Waiter = { item, resume }
            waiters.push(waiter)
            return Effect.sync(() => {
              const i = waiters.indexOf(waiter)
              if (i >= 0) waiters.splice(i, 1)
            })
          })
        }),
      unsafeOffer: (item) => {
        if (waiters.length > 0 || !fits(item)) return false
        admit(item)
        return true
      },
      consumerWaiting: () => taker !== undefined,
      unsafeNotify: notify,
      take,
      poll: Effect.sync(() => Option.fromNullable(shift())),
      unsafePoll: shift,
      release: (item) => Effect.sync(() => release(item)),
      unsafeRelease: release,
      end: Effect.sync(() => {
        ended = true
        wakeTaker()
      }),
      isEnded: () => ended,
      depth: () => ({ events, bytes })
    }
  })
