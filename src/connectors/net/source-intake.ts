/**
 * `SourceIntake`: the intake a listener source (`tcp`, `syslog`) gets from its buffer params — the
 * memory `Intake` (`buffer = "memory"`, unchanged) or a `DiskIntake` under the work root
 * (`buffer = "disk"`) — and the `DataSource` that reads it: with a disk intake it acks (`caps.ack`,
 * cumulative `ackUpTo`), each event's ack token being its number in the log.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import * as DataSource from "../../source/data-source.js"
import * as Intake from "../tcp/intake.js"
import * as ListenerSource from "../tcp/listener-source.js"
import * as BufferParams from "./buffer-params.js"
import * as DiskIntake from "./disk-intake.js"

/** The intake of a source: the memory one, or a disk one (then also in `disk`). */
export interface SourceIntake {
  readonly intake: Intake.Intake
  readonly disk: DiskIntake.DiskIntake | undefined
}

/** What `open` needs. */
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

/** The intake `options.buffer` asks for, in the current Scope: the memory `Intake`, or `openDisk`'s. */
export const open = (options: Options): Effect.Effect<SourceIntake, ConfigError | SourceError, Scope.Scope> =>
  options.buffer.buffer === "memory"
    ? Effect.succeed({
      intake: Intake.make({ maxEvents: options.queueEvents, maxBytes: options.queueBytes, eof: `${options.what} stopped` }),
      disk: undefined
    })
    : Effect.map(openDisk(options), (disk) => ({ intake: disk, disk }))

/**
 * The `DataSource` reading `opened`: `receive` (and the `tryReceive` fast path) return up to
 * `batchEvents` events, then `SourceEof` once the listener stopped and the intake is drained; closing
 * it shuts the listener down. Over a disk intake it also acks.
 */
export const dataSource = (
  identifier: string,
  opened: SourceIntake,
  batchEvents: number,
  listener: ListenerSource.Listener
): DataSource.DataSource => {
  const { disk } = opened
  if (disk === undefined) return ListenerSource.dataSource(identifier, opened.intake, batchEvents, listener)
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
