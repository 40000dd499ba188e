/**
 * The `http` source: an `HttpAcceptor` that takes `POST <path>` bodies into a bounded `Intake` — in
 * memory, or with `buffer = "disk"` a write-ahead log under the work root (`202` once a request is
 * synced; replayed after a restart, acked by the engine) — and one `DataSource` that reads it. The build
 * binds the port; the acceptor serves until Stop; the source then drains what was queued and ends.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import * as Tags from "../../model/tags.js"
import * as DataSource from "../../source/data-source.js"
import * as SourceFactory from "../../source/factory.js"
import * as SourceIntake from "../net/source-intake.js"
import * as HttpAcceptor from "./acceptor.js"
import * as Intake from "./intake.js"
import { kind, SourceParams } from "./params.js"

/** A built HTTP source: the `DataSource` the engine pulls and the bound acceptor that feeds it. */
export interface HttpSource {
  readonly source: DataSource.DataSource
  readonly acceptor: HttpAcceptor.HttpAcceptor
}

/** With `buffer = "disk"`, at most this many payload bytes of synced events wait in memory (the rest on disk). */
const diskQueueBytes = 64 * 1024 * 1024

/**
 * Binds an HTTP source named `name` in the current Scope. Its events carry `tags` plus `http_path`;
 * `receive` returns up to `batch_events` of them, and `SourceEof` once the acceptor stopped and the queue
 * is drained. A failed bind is a `ConfigError` naming addr:port. With `buffer = "disk"` (which needs
 * `workRoot`, the build context's) the source acks: each event's `eventId` and ack token is its number in
 * the log, and at most `queue_events` synced events (and 64 MiB) wait in memory, the rest on disk.
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty,
  workRoot?: string
): Effect.Effect<HttpSource, ConfigError | SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const eventTags = Tags.set(tags, "http_path", params.path)
    if (params.buffer === "memory") {
      const intake = yield* Intake.make(params.queue_events)
      const acceptor = yield* HttpAcceptor.bind({ params, intake, name, tags: eventTags })
      const source = DataSource.make({
        identifier: `http:${name}`,
        receive: intake.take(params.batch_events),
        close: intake.close
      })
      return { source, acceptor }
    }
    // the log is opened first, so it is closed last: after the requests in flight were answered
    const disk = yield* SourceIntake.openDisk({
      what: `http source ${name}`,
      name,
      buffer: params,
      queueEvents: params.queue_events,
      queueBytes: diskQueueBytes,
      workRoot
    })
    const intake = Intake.fromDisk(disk, params.queue_events)
    const acceptor = yield* HttpAcceptor.bind({ params, intake, name, tags: eventTags })
    const source = DataSource.make({
      identifier: `http:${name}`,
      caps: { ack: true },
      receive: intake.take(params.batch_events),
      tryReceive: () => disk.poll(params.batch_events),
      ack: disk.ack,
      ackBatch: disk.ackBatch,
      ackUpTo: disk.ackUpTo,
      close: intake.close
    })
    return { source, acceptor }
  })

/**
 * The `http` source factory. `build` binds the port at once (a port in use fails the build); the
 * `SourceMeta` tags carry the bound `http_addr` and `http_port` (useful with `port = 0`). A disk intake
 * lives under the build context's work root.
 */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags, ctx) =>
    Effect.map(make(name, params, tags, ctx.workRoot), ({ acceptor, source }) => ({
      source,
      acceptor,
      metaTags: { http_addr: acceptor.address, http_port: String(acceptor.port) }
    }))
})
