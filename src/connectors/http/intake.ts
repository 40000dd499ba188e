/**
 * `Intake`: the bounded queue between the HTTP acceptor and its `DataSource`. The events of one request
 * are admitted all together or not at all; once closed, `take` drains what is queued, then ends.
 * `make` keeps them in memory; `fromDisk` appends them to a `DiskIntake` and admits a request only once
 * its events are synced, so that the `202` the acceptor then sends survives a crash.
 *
 * @since 0.1.0
 */
import { Data, Effect, Option, Queue } from "effect"
import { SourceError, type SourceEof } from "../../errors/source.js"
import type { SourceBatch, SourceEvent } from "../../source/event.js"
import type { DiskIntake } from "../net/disk-intake.js"

/** The marker `close` puts behind the last event. */
const End: unique symbol = Symbol.for("wp-connector-api/http/Intake/End")

/**
 * What `offerAll` did: queued every event (`Admitted`), or none because the memory queue holds too many
 * events (`Full`, with how many wait), the disk intake is at its byte bound (`AtBound`: the bytes in its
 * log and `buffer_max_bytes`), the disk intake failed (`Failed`, with its coded error), or the intake
 * was closed (`Closed`).
 */
export type Admission = Data.TaggedEnum<{
  Admitted: {}
  Full: { readonly waiting: number }
  AtBound: { readonly logBytes: number; readonly maxBytes: number }
  Failed: { readonly error: SourceError }
  Closed: {}
}>

/** The constructors of `Admission`, and `$match` / `$is` over it. */
export const Admission = Data.taggedEnum<Admission>()

const admitted = Admission.Admitted()
const closedIntake = Admission.Closed()

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
  /**
   * Waits for at least one event and returns up to `max`; `SourceEof` once closed and drained (a disk
   * intake may also fail with the I/O error that stopped it).
   */
  readonly take: (max: number) => Effect.Effect<SourceBatch, SourceError>
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
          if (closed) return closedIntake
          const waiting = size()
          if (waiting + count > capacity) return Admission.Full({ waiting })
          for (let i = 0; i < count; i++) queue.unsafeOffer(event(nextId++, i))
          return admitted
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

/**
 * An intake over `disk` taking at most `capacity` events per request: `offerAll` appends a request's
 * events in one step (numbered as in the log) and answers `Admitted` only once they are synced;
 * `AtBound` when the log is at its byte bound, `Failed` once the log failed (also when the request's own
 * write or sync failed: nothing then promises its events), `Closed` once it was closed.
 */
export const fromDisk = (disk: DiskIntake, capacity: number): Intake => ({
  capacity,
  size: disk.size,
  offerAll: (count, event) =>
    Effect.suspend((): Effect.Effect<Admission> => {
      if (disk.isClosed()) return Effect.succeed(closedIntake)
      const failed = disk.failure()
      if (failed !== undefined) return Effect.succeed(Admission.Failed({ error: failed }))
      if (disk.atBound()) return Effect.succeed(Admission.AtBound({ logBytes: disk.bytes(), maxBytes: disk.maxBytes }))
      const first = disk.nextSeq()
      const events = new Array<SourceEvent>(count)
      for (let i = 0; i < count; i++) events[i] = event(first + i, i)
      return disk.awaitDurable(disk.append(events)).pipe(
        Effect.as(admitted),
        // the log failed under it, or was closed (at the end of the Scope) before its sync
        Effect.catchAll((error) => Effect.succeed(disk.failure() === undefined ? closedIntake : Admission.Failed({ error })))
      )
    }),
  close: Effect.sync(disk.close),
  take: disk.take
})
