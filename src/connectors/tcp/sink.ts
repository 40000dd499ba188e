/**
 * The `tcp` sink: one connection to `addr:port`; each batch is framed into one buffer and written with
 * one `socket.write`, and reported written only when the socket accepted all of it. A lost connection
 * fails every write with `SinkUvs(NetworkError)` (202, retryable) until `reconnect` opens a new one.
 * With `tls` it connects with TLS; a certificate refused by either side (at the handshake or, with TLS
 * 1.3's client certificates, at the first write) is an `ExternalError` (301), not retryable.
 *
 * @since 0.1.0
 */
import type * as net from "node:net"
import type * as tls from "node:tls"
import { Effect, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as DataRecord from "../../model/record.js"
import * as AsyncSink from "../../sink/sink.js"
import * as SinkFactory from "../../sink/factory.js"
import * as TcpClient from "../net/connect.js"
import { hostPort } from "../net/listen.js"
import * as Tls from "../net/tls.js"
import { encodeBytes, encodeText } from "./framing.js"
import { kind, SinkParams } from "./params.js"

/** How long `stop` waits for the peer to take what was written before it closes the socket anyway. */
const endWait = 2000

/** One open connection and, once it is lost, why (`refused`: a TLS refusal, which no retry clears). */
interface Link {
  readonly socket: net.Socket
  lost: string | undefined
  refused: boolean
}

/**
 * Connects to `addr:port` within `connect_timeout_ms` (with TLS when `tlsOptions` are given): a refusal
 * is a `NetworkError` (202), a timeout a `TimeoutError` (204), a refused certificate an `ExternalError` (301).
 */
const connect = (params: SinkParams, where: string, tlsOptions: tls.ConnectionOptions | undefined): Effect.Effect<Link, SinkError> =>
  Effect.suspend(() => {
    const link: { socket: net.Socket | undefined; lost: string | undefined; refused: boolean } = { socket: undefined, lost: undefined, refused: false }
    const options = { addr: params.addr, port: params.port, timeoutMs: params.connect_timeout_ms, who: "tcp sink", where, tls: tlsOptions }
    const lose: TcpClient.Lost = (why, refused) => {
      if (link.lost !== undefined) return
      link.lost = why
      link.refused = refused
    }
    return Effect.map(TcpClient.connect(options, lose, "peer"), (socket): Link => {
      link.socket = socket
      return link as Link
    })
  })

/** Ends `link`'s socket: waits (up to `endWait`) for what was written to go out, then closes it. */
const close = (link: Link): Effect.Effect<void> =>
  Effect.suspend(() => {
    link.lost ??= "sink stopped"
    return TcpClient.end(link.socket, endWait)
  })

/** The failure `detail` of a write on `link`: a `NetworkError` (202), or an `ExternalError` (301) when a TLS refusal lost it. */
const lostError = (link: Link, detail: string, cause?: unknown): SinkError =>
  link.refused ? SinkError.uvs(UnifiedReason.external(detail), undefined, cause) : SinkError.network(detail, cause)

/**
 * Connects a TCP sink in the current Scope (the connection is closed when it closes). A server that
 * cannot be reached fails with `SinkUvs` 202 (refused) or 204 (timeout), naming addr:port; a TLS
 * certificate refused with 301. Bad `tls` files fail with a `ConfigError` (300) before connecting.
 */
export const make = (params: SinkParams): Effect.Effect<AsyncSink.AsyncSink, SinkError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const where = hostPort(params.addr, params.port)
    const tlsOptions = yield* Tls.clientOptions(params.tls, "tcp sink")
    let link = yield* connect(params, where, tlsOptions)
    yield* Effect.addFinalizer(() => close(link))

    /** Writes `buf` in one `socket.write`; succeeds when the socket accepted all of it. */
    const write = (buf: Buffer): Effect.Effect<void, SinkError> =>
      Effect.async<void, SinkError>((resume) => {
        const current = link
        if (current.lost !== undefined) {
          return resume(Effect.fail(lostError(current, `tcp sink: connection to ${where} lost (${current.lost}); reconnect to resume`)))
        }
        current.socket.write(buf, (error) => {
          if (error === undefined || error === null) resume(Effect.void)
          else {
            current.lost ??= (error as NodeJS.ErrnoException).code ?? error.message
            resume(Effect.fail(lostError(current, `tcp sink: write to ${where} failed (${current.lost})`, error)))
          }
        })
      })

    const framing = params.framing
    return AsyncSink.make({
      identifier: `tcp:${where}`,
      sinkStr: (data) => write(encodeText([data], framing)),
      sinkBytes: (data) => write(encodeBytes([data], framing)),
      sinkStrBatch: (data) => (data.length === 0 ? Effect.void : write(encodeText(data, framing))),
      sinkBytesBatch: (data) => (data.length === 0 ? Effect.void : write(encodeBytes(data, framing))),
      sinkRecords: (records) => (records.length === 0 ? Effect.void : write(encodeText(records.map(DataRecord.toJsonText), framing))),
      reconnect: Effect.gen(function*() {
        const old = link
        old.lost ??= "reconnecting"
        old.socket.destroy()
        link = yield* connect(params, where, tlsOptions)
      }),
      stop: Effect.suspend(() => close(link))
    })
  })

/** The `tcp` sink factory: connects at build (an unreachable server fails the build with 202/204, a refused certificate with 301). */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params) => Effect.map(make(params), SinkFactory.handle)
})
