/**
 * `Intake`: the bounded queue between a socket listener (`TcpAcceptor`, `UdpReceiver`) and its
 * `DataSource`. Producers (socket callbacks) push whole batches synchronously; once the queue holds `maxEvents` events or `maxBytes`
 * bytes a push reports "full" and the producer pauses until `whenRoom` calls it back, so what waits
 * is bounded by the limits plus one batch per producer. `take` is interrupt-safe: events leave the
 * queue only in the synchronous step that returns them. After `close`, `take` drains what is queued,
 * then fails with `SourceEof`.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import { SourceError, type SourceEof } from "../../errors/source.js"
import type { SourceBatch, SourceEvent } from "../../source/event.js"
import * as Wakers from "./wakers.js"

/** A bounded batch queue with an end, for push-style producers that can pause. */
export interface Intake {
  /** At most this many events wait before producers are paused. */
  readonly maxEvents: number
  /** At most this many payload bytes wait before producers are paused. */
  readonly maxBytes: number
  /** Events waiting now. */
  readonly size: () => number
  /** Payload bytes waiting now (a batch's bytes are given back when its last event is taken). */
  readonly bytes: () => number
  /** `true` once either limit is reached. */
  readonly isFull: () => boolean
  /** `true` once `close` ran. */
  readonly isClosed: () => boolean
  /**
   * Queues `batch` (of `bytes` payload bytes), even past the limits; returns `false` when the intake is
   * now full: the producer should pause and wait for `whenRoom`.
   */
  readonly push: (batch: ReadonlyArray<SourceEvent>, bytes: number) => boolean
  /** Calls `resume` once there is room again (or at once if there is); also when the intake closes. */
  readonly whenRoom: (resume: () => void) => void
  /** Up to `max` events if some wait, without waiting (the `tryReceive` fast path). */
  readonly poll: (max: number) => Option.Option<SourceBatch>
  /**
   * Waits for at least one event and returns up to `max`; `SourceEof` once closed and drained (a
   * disk-backed intake may also fail with the I/O error that stopped it).
   */
  readonly take: (max: number) => Effect.Effect<SourceBatch, SourceError>
  /** Ends the intake: nothing more is expected; `take` drains what waits, then ends. Idempotent. */
  readonly close: () => void
}

/** An empty intake bounded by `maxEvents` events and `maxBytes` payload bytes; `eof` is the detail of its `SourceEof`. */
export const make = (options: { readonly maxEvents: number; readonly maxBytes: number; readonly eof: string }): Intake => {
  const { maxBytes, maxEvents } = options
  const batches: Array<ReadonlyArray<SourceEvent>> = []
  const batchBytes: Array<number> = []
  /** Index of the first batch still queued (the array is compacted now and then, not shifted per batch). */
  let first = 0
  /** Events of `batches[first]` already taken. */
  let head = 0
  let events = 0
  let bytes = 0
  let closed = false
  const consumers = Wakers.make()
  const producers = Wakers.make()

  const isFull = () => events >= maxEvents || bytes >= maxBytes

  /** Removes the first batch, once all its events were taken. */
  const dropFirst = () => {
    bytes -= batchBytes[first]!
    first++
    head = 0
    if (first === batches.length) {
      batches.length = 0
      batchBytes.length = 0
      first = 0
    } else if (first >= 1024 && first * 2 >= batches.length) {
      batches.splice(0, first)
      batchBytes.splice(0, first)
      first = 0
    }
  }

  const poll = (max: number): Option.Option<SourceBatch> => {
    if (events === 0) return Option.none()
    const next = batches[first]!
    if (head === 0 && next.length <= max && (first + 1 === batches.length || next.length + batches[first + 1]!.length > max)) {
      // the common case: hand out the first batch as it is
      events -= next.length
      dropFirst()
      return Option.some(next)
    }
    const out: Array<SourceEvent> = []
    while (first < batches.length && out.length < max) {
      const batch = batches[first]!
      const n = Math.min(max - out.length, batch.length - head)
      for (let k = 0; k < n; k++) out.push(batch[head + k]!)
      head += n
      events -= n
      if (head === batch.length) dropFirst()
    }
    return Option.some(out)
  }

  /** `poll`, then resumes the paused producers if that made room. */
  const pollAndWake = (max: number): Option.Option<SourceBatch> => {
    const out = poll(max)
    if (Option.isSome(out) && !isFull()) producers.wakeAll()
    return out
  }

  /**
   * Only the wait is interruptible: once `poll` removed events they are returned, so an interruption
   * can never fall between taking events and handing them out.
   */
  const take = (max: number): Effect.Effect<SourceBatch, SourceEof> =>
    Effect.uninterruptibleMask((restore) => {
      const loop: Effect.Effect<SourceBatch, SourceEof> = Effect.suspend(() => {
        const ready = pollAndWake(max)
        if (Option.isSome(ready)) return Effect.succeed(ready.value)
        if (closed) return Effect.fail(SourceError.eof(options.eof))
        return Effect.zipRight(restore(waitForData), loop)
      })
      return loop
    })

  /** Waits until an event is queued or the intake closes; removes its waker when interrupted. */
  const waitForData: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (events > 0 || closed) return resume(Effect.void)
    const wake = () => resume(Effect.void)
    consumers.add(wake)
    return Effect.sync(() => consumers.remove(wake))
  })

  return {
    maxEvents,
    maxBytes,
    size: () => events,
    bytes: () => bytes,
    isFull,
    isClosed: () => closed,
    push: (batch, n) => {
      if (batch.length > 0) {
        batches.push(batch)
        batchBytes.push(n)
        events += batch.length
        bytes += n
        consumers.wakeAll()
      }
      return !isFull()
    },
    whenRoom: (resume) => {
      if (!isFull() || closed) resume()
      else producers.add(resume)
    },
    poll: pollAndWake,
    take,
    close: () => {
      if (closed) return
      closed = true
      consumers.wakeAll()
      producers.wakeAll()
    }
  }
}
