/**
 * Running a source in a test: pull its batches until N events arrived, the source went idle for a
 * while, or the stream ended (Stop, EOF). Many sources never end by themselves (the spec's memory
 * source returns empty batches forever), so "until idle" is how a test knows it has seen everything.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option, type Schedule } from "effect"
import type { SourceError } from "../errors/source.js"
import type { ControlPlane } from "../source/control.js"
import * as DataSource from "../source/data-source.js"
import type { SourceBatch, SourceEvent } from "../source/event.js"
import * as Clock from "./clock.js"

/** When collecting stops. */
export interface CollectOptions {
  /** Stop once at least this many events arrived (a batch is never split, so there may be more). */
  readonly events?: number | undefined
  /** Stop when no batch arrives for this long (wall-clock; default 200 ms). */
  readonly idle?: Duration.DurationInput | undefined
}

/** How `runSourceFor` runs a source. */
export interface RunSourceOptions extends CollectOptions {
  /** The control plane that steers the stream and reaches the source's `start`. */
  readonly control?: ControlPlane | undefined
  /** The poll schedule for empty batches (default: `DataSource.defaultPoll`). */
  readonly poll?: Schedule.Schedule<unknown, unknown> | undefined
}

/** The default idle time: 200 ms without a batch. */
export const defaultIdle: Duration.Duration = Duration.millis(200)

/**
 * Pulls batches from `pull` (see `DataSource.toPull`) until `events` arrived, the pull was idle for
 * `idle`, or the stream ended; returns the batches in order. A pull that idles is interrupted, so
 * the source's `receive` must be interrupt-safe (the contract asks it to be).
 */
export const collectBatches = (
  pull: Effect.Effect<Option.Option<SourceBatch>, SourceError>,
  options: CollectOptions = {}
): Effect.Effect<ReadonlyArray<SourceBatch>, SourceError> =>
  Effect.gen(function*() {
    const idle = options.idle ?? defaultIdle
    const batches: Array<SourceBatch> = []
    let count = 0
    while (options.events === undefined || count < options.events) {
      const next = yield* Clock.timeoutOption(pull, idle)
      if (Option.isNone(next) || Option.isNone(next.value)) break
      batches.push(next.value.value)
      count += next.value.value.length
    }
    return batches
  })

/**
 * Opens `source`, collects its batches (`collectBatches`), then closes it: for N events, until idle,
 * or until the stream ends, whichever comes first.
 */
export const runSourceFor = (
  source: DataSource.DataSource,
  options: RunSourceOptions = {}
): Effect.Effect<ReadonlyArray<SourceBatch>, SourceError> =>
  Effect.scoped(
    Effect.flatMap(
      DataSource.toPull(source, { control: options.control, poll: options.poll }),
      (pull) => collectBatches(pull, options)
    )
  )

/** The events of `batches`, in order. */
export const events = (batches: ReadonlyArray<SourceBatch>): ReadonlyArray<SourceEvent> => batches.flat()
