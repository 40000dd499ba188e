/**
 * The `syslog` source: a `UdpReceiver` (one datagram, one message) or a `TcpAcceptor` (RFC 6587 framing,
 * octet-counted or LF, detected per frame) feeding a bounded `Intake` (in memory, or with `buffer = "disk"`
 * a write-ahead log under the work root, replayed after a restart), and one `DataSource` reading it (over
 * TCP with `instances = N`: N intakes and N `DataSource`s, the connections spread over them).
 * Each message's RFC 5424 / RFC 3164 header becomes tags; a message that is neither passes through
 * untouched, tagged `syslog_malformed:true`.
 *
 * @since 0.1.0
 */
import { Effect, Option, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import * as RawData from "../../model/raw.js"
import * as Tags from "../../model/tags.js"
import * as SourceFactory from "../../source/factory.js"
import type * as Listener from "../net/listener.js"
import * as SourceIntake from "../net/source-intake.js"
import * as SourceInstances from "../net/source-instances.js"
import * as Tls from "../net/tls.js"
import * as TcpAcceptor from "../tcp/acceptor.js"
import { Complete, type FrameFlag } from "../tcp/framing.js"
import { kind, SourceParams } from "./params.js"
import * as SyslogParser from "./parser.js"
import * as UdpReceiver from "./udp.js"

/** A built syslog source: the `DataSource` the engine pulls, the listener that feeds it, and the queue between them. */
export type SyslogSource = Listener.Built<TcpAcceptor.TcpAcceptor | UdpReceiver.UdpReceiver>

/** The tags `attach_meta_tags` adds for `message`: facility, severity, and host/app/procid/msgid when present. */
export const metaTags = (message: SyslogParser.SyslogMessage): ReadonlyArray<readonly [string, string]> => {
  const pairs: Array<readonly [string, string]> = [["facility", String(message.facility)], ["severity", String(message.severity)]]
  if (message.host !== undefined) pairs.push(["host", message.host])
  if (message.app !== undefined) pairs.push(["app", message.app])
  if (message.procid !== undefined) pairs.push(["procid", message.procid])
  if (message.msgid !== undefined) pairs.push(["msgid", message.msgid])
  return pairs
}

/** How one received message becomes an event's payload and tags. */
const reader = (params: SourceParams, tags: Tags.Tags) => {
  const base = [tags, Tags.set(tags, "truncated", "true"), Tags.set(tags, "partial", "true")] as const
  const malformed = base.map((t) => Tags.set(t, "syslog_malformed", "true"))
  const mode = params.header_mode
  const strip = mode === undefined ? params.strip_header : mode !== "keep"
  const attach = mode === undefined ? params.attach_meta_tags : mode === "parse"
  return (payload: RawData.RawData, flag: FrameFlag): { payload: RawData.RawData; tags: Tags.Tags } => {
    // bytes are read as Latin-1: the header is ASCII, and its offsets are then byte offsets
    const text = typeof payload === "string" ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString("latin1")
    const parsed = SyslogParser.parse(text)
    if (Option.isNone(parsed)) return { payload, tags: malformed[flag]! }
    const message = parsed.value
    return {
      payload: !strip
        ? payload
        : typeof payload === "string"
        ? SyslogParser.body(text, message)
        : RawData.fromBytesPreferText(payload.slice(message.msgStart)),
      tags: attach ? Tags.merge(base[flag], Tags.make(metaTags(message))) : base[flag]
    }
  }
}

/**
 * Binds a syslog source named `name` in the current Scope. One event per message: `upsIp` is the
 * sender, `eventId` counts from 0 in queue order (with `buffer = "disk"`: its number in the log, also
 * its ack token; the parsed tags are kept in the log with it); `receive` returns up to `batch_events`
 * events, and `SourceEof` once the listener stopped and the queue is drained. Closing the source shuts
 * the listener down. A failed bind is a `ConfigError` naming addr:port; `buffer = "disk"` needs
 * `workRoot`, and fails with a `SourceError` when its log cannot be opened. With `tls` (TCP only: with
 * UDP it is a `ConfigError`) it serves TLS. Over TCP with `instances = N` > 1 it builds N `DataSource`s
 * (`sources`, identified `syslog:<name>#i`), each connection read by one of them; with UDP or with
 * `buffer = "disk"` that is a `ConfigError` at `params.instances`.
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty,
  workRoot?: string
): Effect.Effect<SyslogSource, ConfigError | SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const what = `syslog source ${name}`
    if (params.protocol === "udp" && params.tls?.enabled === true) return yield* Tls.udpRefused(what)
    yield* SourceInstances.check(what, params)
    const tls = yield* Tls.serverOptions(params.tls, what)
    // the intakes are opened first, so they are closed last: after the listener queued its last messages
    const opened = yield* SourceInstances.open(what, name, params, workRoot)
    const read = reader(params, tags)
    const eventOf = ({ event }: SourceIntake.SourceIntake) => (received: RawData.RawData, flag: FrameFlag, upsIp: string | undefined) => {
      const { payload, tags } = read(received, flag)
      return event(payload, tags, upsIp)
    }
    const { disk, intake } = opened[0]!
    const toEvent = eventOf(opened[0]!)
    const acceptor = params.protocol === "udp"
      ? yield* UdpReceiver.bind({
        what,
        addr: params.addr,
        port: params.port,
        recvBufferSize: params.udp_recv_buffer,
        // UDP cannot be paused: with a disk intake a datagram is dropped only at the log's byte bound,
        // not while a write or a sync is in flight
        intake: disk === undefined ? intake : { ...disk, isFull: disk.atBound },
        toEvent: (payload, peer) => toEvent(payload, Complete, peer)
      })
      : yield* TcpAcceptor.bind({
        what,
        addr: params.addr,
        port: params.port,
        framing: params.prefer_newline ? "line" : "auto",
        maxConnections: params.max_connections,
        idleTimeout: `${params.idle_timeout_s} seconds`,
        maxFrameBytes: params.tcp_recv_bytes,
        tls,
        instances: opened.map((one) => ({ intake: one.intake, toEvent: eventOf(one) }))
      })
    const sources = SourceInstances.dataSources(`syslog:${name}`, opened, params.batch_events, acceptor)
    return { source: sources[0]!, sources, acceptor, intake }
  })

/**
 * The `syslog` source factory. `build` binds at once (a port in use fails the build); the `SourceMeta`
 * tags carry the bound `syslog_addr`, `syslog_port` and `syslog_protocol`. A disk intake lives under the
 * build context's work root.
 */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags, ctx) =>
    Effect.map(make(name, params, tags, ctx.workRoot), ({ acceptor, sources }) => ({
      source: sources,
      acceptor,
      metaTags: { syslog_addr: acceptor.address, syslog_port: String(acceptor.port), syslog_protocol: params.protocol }
    }))
})
