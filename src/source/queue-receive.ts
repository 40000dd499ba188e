/**
 * `QueueReceive`: the `receive` of a source whose reading runs in a background fiber that fills a
 * bounded `Queue` (a broker client, a socket): it returns what is queued; with nothing queued it
 * fails with the source's error while its upstream is down, else waits up to `wait` for an event and
 * returns an empty batch when none came. Interrupt-safe: events taken always reach the caller.
 *
 * @since 0.1.0
 */
import { Chunk, Duration, Effect, Option, Queue } from "effect"
import type { SourceError } from "../errors/source.js"
import type { SourceBatch, SourceEvent } from "./event.js"

/** What `make` needs. */
export interface Options {
  /** The queue the background reader fills. */
  readonly queue: Queue.Dequeue<SourceEvent>
  /** The most events one `receive` returns. */
  readonly batch: number
  /** `undefined` while the upstream is reachable; else why not (checked only when nothing is queued). */
  readonly down: () => string | undefined
  /** The error a `receive` fails with while the upstream is down (usually `SourceError.disconnect`, 503). */
  readonly fail: (down: string) => SourceError
  /** How long a `receive` waits for a first event (default 200 ms). */
  readonly wait?: Duration.DurationInput | undefined
  /**
   * How long a `receive` holding fewer than `batch` events waits for more (default 2 ms): a reader
   * that queues events one by one would otherwise make batches of one at high rates.
   */
  readonly linger?: Duration.DurationInput | undefined
}

/** A `receive` over `options.queue`. */
export const make = (options: Options): Effect.Effect<SourceBatch, SourceError> => {
  const { batch, queue } = options
  const wait = options.wait ?? Duration.millis(200)
  const linger = options.linger ?? Duration.millis(2)

  /** Tops a short batch up after `linger`, uninterruptibly: the events already taken must reach the caller. */
  const topUp = (first: Chunk.Chunk<SourceEvent>): Effect.Effect<SourceBatch> =>
    first.length >= batch ? Effect.succeed(Chunk.toReadonlyArray(first)) : Effect.uninterruptible(
      Effect.zipRight(
        Effect.sleep(linger),
        Effect.map(Queue.takeUpTo(queue, batch - first.length), (more) => Chunk.toReadonlyArray(Chunk.appendAll(first, more)))
      )
    )

  return Effect.gen(function*() {
    const ready = yield* Queue.takeUpTo(queue, batch)
    if (Chunk.isNonEmpty(ready)) return yield* topUp(ready)
    const down = options.down()
    if (down !== undefined) return yield* Effect.fail(options.fail(down))
    const waited = yield* Effect.timeout(Queue.takeBetween(queue, 1, batch), wait).pipe(Effect.option)
    return Option.isNone(waited) ? [] : yield* topUp(waited.value)
  })
}
