/**
 * `SourceIntake`: the intake a listener source (`tcp`, `syslog`) gets from its buffer params — the
 * memory `Intake` (`buffer = "memory"`, unchanged) or a `DiskIntake` under the work root
 * (`buffer = "disk"`) — how the source numbers the events it builds for it, and the `DataSource` that
 * reads it: with a disk intake it acks (`caps.ack`, cumulative `ackUpTo`), each event's ack token being
 * its number in the log.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import type * as RawData from "../../model/raw.js"
import type * as Tags from "../../model/tags.js"
import * as DataSource from "../../source/data-source.js"
import { SourceEvent } from "../../source/event.js"
import * as BufferParams from "./buffer-params.js"
import * as DiskIntake from "./disk-intake.js"
import * as Intake from "./intake.js"
import type { Listener } from "./listener.js"

/** The intake of a source: the memory one, or a disk one (then also in `disk`). */
export interface SourceIntake {
  readonly intake: Intake.Intake
  readonly disk: DiskIntake.DiskIntake | undefined
  /**
   * The next event of the source, to push into the intake: its `eventId` counts from 0 (memory), or is
   * its number in the log, also its ack token (disk: the log then keeps the event as it is).
   */
  readonly event: (payload: RawData.RawData, tags: Tags.Tags, upsIp: string | undefined) => SourceEvent
}

/** The params a listener source opens its intake from: the buffer params and the memory queue's bounds. */
export interface QueueParams extends BufferParams.BufferParams {
  /** Events that may wait in memory. */
  readonly queue_events: number
  /** Payload bytes that may wait in memory. */
  readonly queue_bytes: number
}

/** What `openDisk` needs. */
export interface Options {
  /** Who owns it, for messages: `"tcp source web"`. */
  readonly what: string
  /** The source name: the events' `srcKey`, and the disk intake's directory under the work root. */
  readonly name: string
  readonly buffer: BufferParams.BufferParams
  /** Events and payload bytes that may wait in memory. */
  readonly queueEvents: number
  readonly queueBytes: number
  /** The build context's work root; `buffer = "disk"` needs one. */
  readonly workRoot: string | undefined
}

/**
 * The disk intake of `options` in the current Scope, in `<workRoot>/intake/<name>/` (see
 * `DiskIntake.make`); without a work root it is a `ConfigError` at `params.buffer`.
 */
export const openDisk = (options: Options): Effect.Effect<DiskIntake.DiskIntake, ConfigError | SourceError, Scope.Scope> => {
  const { buffer, workRoot } = options
  if (workRoot === undefined) {
    return Effect.fail(
      new ConfigError({
        detail: `${options.what}: buffer = "disk" keeps its log under the work root, and none was given`,
        path: "params.buffer",
        expected: `"memory", or a build context with a work root`
      })
    )
  }
  return DiskIntake.make({
    dir: BufferParams.location(workRoot, options.name),
    what: options.what,
    srcKey: options.name,
    maxBytes: buffer.buffer_max_bytes,
    fsync: buffer.buffer_fsync,
    queueEvents: options.queueEvents,
    queueBytes: options.queueBytes,
    eof: `${options.what} stopped`
  })
}

/**
 * The intake `params.buffer` asks for, for the source `name` (called `what` in messages), in the current
 * Scope: the memory `Intake` bounded by `queue_events` and `queue_bytes`, or `openDisk`'s.
 */
export const open = (
  what: string,
  name: string,
  params: QueueParams,
  workRoot: string | undefined
): Effect.Effect<SourceIntake, ConfigError | SourceError, Scope.Scope> => {
  if (params.buffer === "disk") {
    const options = { what, name, buffer: params, queueEvents: params.queue_events, queueBytes: params.queue_bytes, workRoot }
    return Effect.map(openDisk(options), (disk) => ({
      intake: disk,
      disk,
      event: (payload, tags, upsIp) => {
        const n = disk.claim()
        return new SourceEvent({ eventId: n, srcKey: name, payload, tags, upsIp, ackToken: n })
      }
    }))
  }
  let eventId = 0
  return Effect.succeed({
    intake: Intake.make({ maxEvents: params.queue_events, maxBytes: params.queue_bytes, eof: `${what} stopped` }),
    disk: undefined,
    event: (payload, tags, upsIp) => new SourceEvent({ eventId: eventId++, srcKey: name, payload, tags, upsIp })
  })
}

/**
 * The `DataSource` reading `opened`: `receive` (and the `tryReceive` fast path) return up to
 * `batchEvents` events, then `SourceEof` once the listener stopped and the intake is drained; closing
 * it shuts the listener down. Over a disk intake it also acks.
 */
export const dataSource = (
  identifier: string,
  opened: SourceIntake,
  batchEvents: number,
  listener: Listener
): DataSource.DataSource => {
  const { disk, intake } = opened
  if (disk === undefined) {
    return DataSource.make({
      identifier,
      receive: intake.take(batchEvents),
      tryReceive: () => intake.poll(batchEvents),
      close: listener.shutdown
    })
  }
  return DataSource.make({
    identifier,
    caps: { ack: true },
    receive: disk.take(batchEvents),
    tryReceive: () => disk.poll(batchEvents),
    ack: disk.ack,
    ackBatch: disk.ackBatch,
    ackUpTo: disk.ackUpTo,
    close: listener.shutdown
  })
}
