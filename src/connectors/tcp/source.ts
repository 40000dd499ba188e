/**
 * The `tcp` source: a `TcpAcceptor` that frames what its clients send (`line` or `octet-counted`)
 * into a bounded `Intake` — in memory, or with `buffer = "disk"` a write-ahead log under the work root
 * (`DiskIntake`: replayed after a restart, acked by the engine) — and one `DataSource` that reads it;
 * with `instances = N`, N intakes and N `DataSource`s, the connections spread over them (`SourceInstances`).
 * The build binds the port; the acceptor serves until Stop; the source then drains what was queued and ends.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import * as Tags from "../../model/tags.js"
import * as SourceFactory from "../../source/factory.js"
import type * as Listener from "../net/listener.js"
import * as SourceInstances from "../net/source-instances.js"
import * as Tls from "../net/tls.js"
import * as TcpAcceptor from "./acceptor.js"
import { kind, SourceParams } from "./params.js"

/** A built TCP source: the `DataSource` the engine pulls, the bound acceptor that feeds it, and the queue between them. */
export type TcpSource = Listener.Built<TcpAcceptor.TcpAcceptor>

/**
 * Binds a TCP source named `name` in the current Scope. One event per frame: `payload` is the frame
 * (text when valid UTF-8, bytes otherwise), `upsIp` the client address, `tags` are `tags` plus
 * `truncated:true` for a frame cut to `max_frame_bytes` or `partial:true` for one cut short by its
 * connection's end; `eventId` counts from 0 in queue order (with `buffer = "disk"`: the event's number
 * in the log, which is also its ack token). `receive` returns up to `batch_events` events, and
 * `SourceEof` once the acceptor stopped and the queue is drained. Closing the source shuts the
 * acceptor down. A failed bind is a `ConfigError` naming addr:port; `buffer = "disk"` needs `workRoot`
 * (the build context's), and fails with a `SourceError` when its log cannot be opened. With `tls` it
 * serves TLS; its files are read first (a missing or bad one is a `ConfigError` naming the param).
 * With `instances = N` > 1 it builds N `DataSource`s (`sources`, identified `tcp:<name>#i`), each
 * connection read by one of them; with `buffer = "disk"` that is a `ConfigError` at `params.instances`.
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty,
  workRoot?: string
): Effect.Effect<TcpSource, ConfigError | SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const what = `tcp source ${name}`
    yield* SourceInstances.check(what, params)
    const tls = yield* Tls.serverOptions(params.tls, what)
    // the intakes are opened first, so they are closed last: after the acceptor queued its last frames
    const opened = yield* SourceInstances.open(what, name, params, workRoot)
    const flagged = [tags, Tags.set(tags, "truncated", "true"), Tags.set(tags, "partial", "true")] as const
    const acceptor = yield* TcpAcceptor.bind({
      what,
      addr: params.addr,
      port: params.port,
      framing: params.framing,
      maxConnections: params.max_connections,
      idleTimeout: `${params.idle_timeout_s} seconds`,
      maxFrameBytes: params.tcp_recv_bytes ?? params.max_frame_bytes,
      tls,
      instances: opened.map(({ event, intake }) => ({
        intake,
        toEvent: (payload, flag, upsIp) => event(payload, flagged[flag], upsIp)
      }))
    })
    const sources = SourceInstances.dataSources(`tcp:${name}`, opened, params.batch_events, acceptor)
    return { source: sources[0]!, sources, acceptor, intake: opened[0]!.intake }
  })

/**
 * The `tcp` source factory. `build` binds the port at once (a port in use fails the build); the
 * `SourceMeta` tags carry the bound `tcp_addr` and `tcp_port` (useful with `port = 0`); it yields one
 * `DataSource` per instance, with one acceptor. A disk intake
 * lives under the build context's work root.
 */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags, ctx) =>
    Effect.map(make(name, params, tags, ctx.workRoot), ({ acceptor, sources }) => ({
      source: sources,
      acceptor,
      metaTags: { tcp_addr: acceptor.address, tcp_port: String(acceptor.port) }
    }))
})
