/**
 * `Intake`: the bounded queue between the HTTP acceptor and its `DataSource`. The events of one request
 * are admitted all together or not at all; once closed, `take` drains what is queued, then ends.
 *
 * @since 0.1.0
 */
import { Effect, Option, Queue } from "effect"
import { SourceError, type SourceEof } from "../../errors/source.js"
import type { SourceBatch, SourceEvent } from "../../source/event.js"

/** The marker `close` puts behind the last event. */
const End: unique symbol = Symbol.for("wp-connector-api/http/Intake/End")

/** What `offerAll` did: queued every event, or none because the queue is `Full` or `Closed`. */
export type Admission = "Admitted" | "Full" | "Closed"

/** A bounded, all-or-nothing event queue with an end. */
export interface Intake {
  /** How many events may wait at most. */
  readonly capacity: number
  /** How many events wait now. */
  readonly size: () => number
  /**
   * Queues `count` events built by `event(eventId, index)` (ids continue from the previous request) if
   * there is room for all of them; otherwise queues none.
   */
  readonly offerAll: (count: number, event: (eventId: number, index: number) => SourceEvent) => Effect.Effect<Admission>
  /** Refuses further offers; `take` still drains the events already queued. Idempotent. */
  readonly close: Effect.Effect<void>
  /** Waits for at least one event and returns up to `max`; `SourceEof` once closed and drained. */
  readonly take: (max: number) => Effect.Effect<SourceBatch, SourceEof>
}

/** An empty intake holding at most `capacity` events. */
export const make = (capacity: number): Effect.Effect<Intake> =>
  Effect.map(Queue.bounded<SourceEvent | typeof End>(capacity + 1), (queue) => {
    let nextId = 0
    let closed = false
    let ended = false
    /** Events waiting (the end marker, while queued, is not one). */
    const size = (): number => {
      const raw = Option.getOrElse(queue.unsafeSize(), () => 0)
      return Math.max(0, raw - (closed && !ended ? 1 : 0))
    }
    const batchOf = (items: Iterable<SourceEvent | typeof End>): Effect.Effect<SourceBatch, SourceEof> => {
      const out: Array<SourceEvent> = []
      for (const item of items) {
        if (item === End) {
          ended = true
          break
        }
        out.push(item)
      }
      return out.length > 0 ? Effect.succeed(out) : Effect.fail(SourceError.eof("http acceptor stopped"))
    }
    return {
      capacity,
      size,
      // one synchronous block: no other fiber can offer between the room check and the offers
      offerAll: (count, event) =>
        Effect.sync((): Admission => {
          if (closed) return "Closed"
          if (size() + count > capacity) return "Full"
          for (let i = 0; i < count; i++) queue.unsafeOffer(event(nextId++, i))
          return "Admitted"
        }),
      close: Effect.sync(() => {
        if (closed) return
        closed = true
        queue.unsafeOffer(End) // the spare slot keeps room for it
      }),
      take: (max) =>
        Effect.suspend(() =>
          ended ? Effect.fail(SourceError.eof("http acceptor stopped")) : Effect.flatMap(
            Queue.take(queue),
            (first) => first === End ? batchOf([first]) : Effect.flatMap(Queue.takeUpTo(queue, max - 1), (rest) => batchOf([first, ...rest]))
          )
        )
    }
  })
