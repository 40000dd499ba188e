/**
 * The `tcp` source: a `TcpAcceptor` that frames what its clients send (`line` or `octet-counted`)
 * into a bounded `Intake`, and one `DataSource` that reads it. The build binds the port; the acceptor
 * serves until Stop; the source then drains what was queued and ends.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as Tags from "../../model/tags.js"
import { SourceEvent } from "../../source/event.js"
import type * as SourceFactory from "../../source/factory.js"
import * as TcpAcceptor from "./acceptor.js"
import * as Intake from "./intake.js"
import * as ListenerSource from "./listener-source.js"
import { kind, SourceParams } from "./params.js"

/** A built TCP source: the `DataSource` the engine pulls, the bound acceptor that feeds it, and the queue between them. */
export type TcpSource = ListenerSource.Built<TcpAcceptor.TcpAcceptor>

/**
 * Binds a TCP source named `name` in the current Scope. One event per frame: `payload` is the frame
 * (text when valid UTF-8, bytes otherwise), `upsIp` the client address, `tags` are `tags` plus
 * `truncated:true` for a frame cut to `max_frame_bytes` or `partial:true` for one cut short by its
 * connection's end; `eventId` counts from 0 in queue order. `receive` returns up to `batch_events`
 * events, and `SourceEof` once the acceptor stopped and the queue is drained. Closing the source
 * shuts the acceptor down. A failed bind is a `ConfigError` naming addr:port.
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty
): Effect.Effect<TcpSource, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const intake = Intake.make({ maxEvents: params.queue_events, maxBytes: params.queue_bytes, eof: `tcp source ${name} stopped` })
    const flagged = [tags, Tags.set(tags, "truncated", "true"), Tags.set(tags, "partial", "true")] as const
    let eventId = 0
    const acceptor = yield* TcpAcceptor.bind({
      what: `tcp source ${name}`,
      addr: params.addr,
      port: params.port,
      framing: params.framing,
      maxConnections: params.max_connections,
      maxFrameBytes: params.max_frame_bytes,
      intake,
      toEvent: (payload, flag, upsIp) => new SourceEvent({ eventId: eventId++, srcKey: name, payload, tags: flagged[flag], upsIp })
    })
    const source = ListenerSource.dataSource(`tcp:${name}`, intake, params.batch_events, acceptor)
    return { source, acceptor, intake }
  })

/**
 * The `tcp` source factory. `build` binds the port at once (a port in use fails the build); the
 * `SourceMeta` tags carry the bound `tcp_addr` and `tcp_port` (useful with `port = 0`).
 */
export const factory: SourceFactory.SourceFactory = ListenerSource.factory({
  kind,
  params: SourceParams,
  make,
  metaTags: (_, acceptor) => ({ tcp_addr: acceptor.address, tcp_port: String(acceptor.port) })
})
