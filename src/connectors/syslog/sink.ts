/**
 * The `syslog` sink: each event becomes one syslog message (RFC 5424 or RFC 3164, see `SyslogEncoder`),
 * sent over UDP (`UdpSender`: one datagram each, lossy) or TCP (`TcpSender`: octet-counted or LF framing,
 * recent batches written again after a lost connection). A batch is encoded whole before anything is
 * sent: a record that cannot be sent (a severity field `"loud"`) fails it with `DataError` (200, not
 * retryable), and the engine rescues it.
 *
 * @since 0.2.0
 */
import { Clock, Effect, Either, type Scope } from "effect"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import type * as DataRecord from "../../model/record.js"
import * as SinkFactory from "../../sink/factory.js"
import { ByteBuilder } from "../../sink/byte-builder.js"
import * as RecordEncoder from "../../sink/record-encoder.js"
import * as AsyncSink from "../../sink/sink.js"
import { hostPort } from "../net/listen.js"
import * as SyslogEncoder from "./encoder.js"
import { kind, SinkParams } from "./params.js"
import type { Sender } from "./sender.js"
import type { ConfigError } from "../../errors/config.js"
import * as Tls from "../net/tls.js"
import * as TcpSender from "./tcp-sender.js"
import * as UdpSender from "./udp-sender.js"

/** A built syslog sink, and (over TCP) how many messages it sent again after a lost connection. */
export interface SyslogSink {
  readonly sink: AsyncSink.AsyncSink
  /** Messages written again on a new connection (some may have reached the receiver twice); 0 over UDP. */
  readonly resent: () => number
}

/**
 * A syslog sink in the current Scope (its socket is closed when the Scope closes). Over TCP nothing is
 * connected before the first write: a receiver that is down fails writes, retryably, not the build; a
 * TLS certificate refused at the handshake fails them with 301, not retryable. Bad `tls` files, or `tls`
 * with UDP, fail the build with a `ConfigError`.
 */
export const make = (params: SinkParams, hostname?: string): Effect.Effect<SyslogSink, SinkError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const encoder = SyslogEncoder.make(params, hostname)
    if (params.protocol === "udp" && params.tls?.enabled === true) return yield* Tls.udpRefused("syslog sink")
    const tcp = params.protocol === "tcp"
      ? yield* TcpSender.make({
        addr: params.addr,
        port: params.port,
        framing: params.framing,
        connectTimeoutMs: params.connect_timeout_ms,
        resendMs: params.resend_ms,
        tls: yield* Tls.clientOptions(params.tls, "syslog sink")
      })
      : undefined
    const sender: Sender = tcp ?? (yield* UdpSender.make(params))

    const send = (messages: ReadonlyArray<string | Uint8Array>) => (messages.length === 0 ? Effect.void : sender.send(messages))
    const texts = (data: ReadonlyArray<string>) => Effect.flatMap(Clock.currentTimeMillis, (ms) => send(encoder.texts(data, ms)))
    const bytes = (data: ReadonlyArray<Uint8Array>) => Effect.flatMap(Clock.currentTimeMillis, (ms) => send(encoder.bytes(data, ms)))
    const where = `${params.protocol}://${hostPort(params.addr, params.port)}`

    const refused = (problem: string) => Effect.fail(SinkError.uvs(UnifiedReason.data(`syslog sink to ${where}: ${problem}`)))
    const records = (data: ReadonlyArray<DataRecord.DataRecord>) =>
      Effect.flatMap(Clock.currentTimeMillis, (ms) =>
        tcp === undefined
          ? Either.match(encoder.records(data, ms), { onLeft: refused, onRight: send })
          : Either.match(encoder.frames(data, ms), { onLeft: refused, onRight: (frames) => tcp.sendFramed([frames]) }))

    // a record is its frame, made when the engine routes it (the time is then, as a batch's is its write's);
    // over TCP frames are joined, and written straight into bytes; over UDP each is one datagram
    const scratch = new ByteBuilder(4096)
    const recordEncoder = tcp === undefined
      ? RecordEncoder.make((record) => encoder.one(record), send)
      : RecordEncoder.make(
        (record) => {
          scratch.truncate(0)
          return encoder.frame(record, scratch) ? scratch.textOf(0) : undefined
        },
        (frames) => tcp.sendFramed([Buffer.from(frames.join(""), "utf8")]),
        { separator: "", bytes: { encodeInto: encoder.frame, write: tcp.sendFramed } }
      )

    const sink = AsyncSink.fromBatches({
      identifier: `syslog:${where}`,
      sinkStrBatch: texts,
      sinkBytesBatch: bytes,
      sinkRecords: records,
      recordEncoder,
      reconnect: sender.reconnect,
      stop: sender.close
    })
    return { sink, resent: () => tcp?.resent() ?? 0 }
  })

/** The `syslog` sink factory: over UDP the socket is opened at build, over TCP the connection at the first write. */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params) => Effect.map(make(params), ({ sink }) => SinkFactory.handle(sink))
})
