/**
 * `TcpSender`: the `syslog` sink over TCP (RFC 6587): one connection, each batch framed (`octet-counted`
 * or `line`) into one buffer and written with one `socket.write`, reported sent once the OS took all of it.
 * The connection opens at the first send, and again at the first send after it was lost (or on
 * `reconnect`); a receiver that cannot be reached fails the send with `NetworkError` (202) or
 * `TimeoutError` (204), both retryable. With `tls` it connects with TLS (RFC 5425); a certificate
 * refused at the handshake is an `ExternalError` (301), not retryable.
 *
 * Plain TCP syslog acknowledges nothing: what the OS took may still die with the receiver (in its socket
 * buffer, or read but not stored). So the sender keeps the batches it wrote in the last `resendMs` (at
 * most `resendMaxBytes` of them): when the connection is lost, those written within `resendMs` before the
 * loss was seen are written again, first, on the next connection. A receiver that had stored them gets
 * them twice: the sender counts them (`resent`) and logs it. A receiver that lost more than `resendMs` of
 * what it was sent loses the rest. What was not resent yet when the sender closes is dropped, logged.
 *
 * @since 0.2.0
 */
import * as net from "node:net"
import { Effect, type Scope } from "effect"
import { SinkError } from "../../errors/sink.js"
import * as TcpClient from "../net/connect.js"
import type * as Tls from "../net/tls.js"
import { hostPort } from "../net/listen.js"
import { countFrames, encodeBytes, encodeText } from "../tcp/framing.js"
import type { Sender } from "./sender.js"

/** At most this many bytes of recent batches are kept for resending. */
export const resendMaxBytes = 16 * 1024 * 1024

/** How long closing waits for the receiver to take what was written before it drops the connection. */
const endWait = 2000

/** What the sender needs. */
export interface Options {
  readonly addr: string
  readonly port: number
  readonly framing: "octet-counted" | "line"
  readonly connectTimeoutMs: number
  /** Batches written this long before a loss are written again on the next connection (0: none). */
  readonly resendMs: number
  /** Connect with TLS with these options (`Tls.clientOptions`); plain TCP without. */
  readonly tls?: Tls.ClientOptions | undefined
}

/** A TCP sender, and how many messages it sent twice. */
export interface TcpSender extends Sender {
  /** Sends chunks of bytes already framed (each whole frames, as `framing` makes them), in order; succeeds once the OS took all of them. */
  readonly sendFramed: (chunks: ReadonlyArray<Uint8Array>) => Effect.Effect<void, SinkError>
  /** Messages written again on a new connection after a loss (some may have reached the receiver twice). */
  readonly resent: () => number
}

/** A batch written on a connection: its framed bytes (in chunks), how many, and when (epoch ms). */
interface Written {
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly size: number
  readonly at: number
}

/** One open connection, the batches recently written on it, and once it is lost, why and when. */
interface Link {
  readonly socket: net.Socket
  readonly written: Array<Written>
  writtenBytes: number
  lost: string | undefined
  lostAt: number
}

/** Connects to `addr:port` within `connectTimeoutMs`: a refusal is a `NetworkError` (202), a timeout a `TimeoutError` (204). */
const connect = (options: Options, where: string): Effect.Effect<Link, SinkError> =>
  Effect.suspend(() => {
    const state = { written: [] as Array<Written>, writtenBytes: 0, lost: undefined as string | undefined, lostAt: 0 }
    const lose = (why: string) => {
      if (state.lost !== undefined) return
      state.lost = why
      state.lostAt = Date.now()
    }
    const client = { addr: options.addr, port: options.port, timeoutMs: options.connectTimeoutMs, who: "syslog sink", where, tls: options.tls }
    return Effect.map(TcpClient.connect(client, lose, "receiver"), (socket): Link => Object.assign(state, { socket }))
  })

/** Ends `link`'s socket: waits (up to `endWait`) for what was written to go out, then closes it. */
const end = (link: Link): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (link.lost === undefined) {
      link.lost = "closed by the sink"
      link.lostAt = Date.now()
    }
    return TcpClient.end(link.socket, endWait)
  })

/** Frames `messages` into one buffer. */
const frame = (messages: ReadonlyArray<string | Uint8Array>, framing: Options["framing"]): Buffer =>
  messages.every((m) => typeof m === "string")
    ? encodeText(messages as ReadonlyArray<string>, framing)
    : encodeBytes(messages.map((m) => (typeof m === "string" ? Buffer.from(m, "utf8") : m)), framing)

/** A TCP sender to `options.addr:port` in the current Scope; the connection is ended when the Scope closes. */
export const make = (options: Options): Effect.Effect<TcpSender, never, Scope.Scope> =>
  Effect.gen(function*() {
    const where = hostPort(options.addr, options.port)
    let link: Link | undefined = undefined
    /** Batches of a lost connection, to write first on the next one. */
    let pending: Array<Written> = []
    let resent = 0
    let closed = false

    /** Keeps `w` as recently written on `l`, dropping what is older than `resendMs` or past `resendMaxBytes`. */
    const remember = (l: Link, w: Written) => {
      if (options.resendMs === 0) return
      l.written.push(w)
      l.writtenBytes += w.size
      const since = w.at - options.resendMs
      while (l.written.length > 1 && (l.written[0]!.at < since || l.writtenBytes > resendMaxBytes)) l.writtenBytes -= l.written.shift()!.size
    }

    /** Leaves a lost connection: what it took within `resendMs` before the loss goes to `pending`. */
    const retire = (l: Link) => {
      l.socket.destroy()
      const since = l.lostAt - options.resendMs
      pending = [...pending, ...l.written.filter((w) => w.at >= since)]
      if (link === l) link = undefined
    }

    /** The open connection: a new one when there is none or it was lost. */
    const open: Effect.Effect<Link, SinkError> = Effect.suspend(() => {
      if (link !== undefined && link.lost !== undefined) retire(link)
      if (link !== undefined) return Effect.succeed(link)
      return Effect.tap(connect(options, where), (l) =>
        Effect.sync(() => {
          link = l
        }))
    })

    /** How many messages `batches` hold. */
    const messagesIn = (batches: ReadonlyArray<Written>): number =>
      batches.reduce((n, w) => w.chunks.reduce((m, c) => m + countFrames(c, options.framing), n), 0)

    /** Writes framed `chunks` after what `pending` holds, in one system call; succeeds once the OS took all of it. */
    const write = (l: Link, chunks: ReadonlyArray<Uint8Array>): Effect.Effect<void, SinkError> =>
      Effect.async<void, SinkError>((resume) => {
        const again = pending
        const data = again.length === 0 ? chunks : [...again.flatMap((w) => w.chunks), ...chunks]
        const size = data.reduce((n, c) => n + c.byteLength, 0)
        const last = data.length - 1
        if (last > 0) l.socket.cork()
        for (let i = 0; i < last; i++) l.socket.write(data[i]!)
        l.socket.write(data[last]!, (error) => {
          if (error !== undefined && error !== null) {
            if (l.lost === undefined) {
              l.lost = (error as NodeJS.ErrnoException).code ?? error.message
              l.lostAt = Date.now()
            }
            return resume(Effect.fail(SinkError.network(`syslog sink: writing to ${where} failed (${l.lost})`, error)))
          }
          const againMessages = again.length === 0 ? 0 : messagesIn(again)
          if (again.length > 0) {
            pending = pending.slice(again.length)
            resent += againMessages
          }
          remember(l, { chunks: data, size, at: Date.now() })
          resume(
            again.length === 0
              ? Effect.void
              : Effect.logWarning(`syslog sink: wrote ${againMessages} messages to ${where} again, on a new connection: they were written within ${options.resendMs} ms before the last one was lost, so the receiver may have some of them twice`)
          )
        })
        if (last > 0) l.socket.uncork()
      })

    const sendFramed = (chunks: ReadonlyArray<Uint8Array>): Effect.Effect<void, SinkError> =>
      Effect.suspend(() => {
        if (closed) return Effect.fail(SinkError.stopped(`syslog:tcp:${where}`))
        if (chunks.every((c) => c.byteLength === 0)) return Effect.void
        return Effect.flatMap(open, (l) => write(l, chunks))
      })

    const send = (messages: ReadonlyArray<string | Uint8Array>): Effect.Effect<void, SinkError> =>
      Effect.suspend(() => (messages.length === 0 && !closed ? Effect.void : sendFramed([frame(messages, options.framing)])))

    const close: Effect.Effect<void> = Effect.suspend(() => {
      if (closed) return Effect.void
      closed = true
      const l = link
      link = undefined
      const left = messagesIn(pending)
      return Effect.zipRight(
        l === undefined ? Effect.void : end(l),
        left === 0 ? Effect.void : Effect.logWarning(`syslog sink: closed with ${left} messages not written again to ${where} after a lost connection: they may be lost`)
      )
    })
    yield* Effect.addFinalizer(() => close)

    return {
      send,
      sendFramed,
      reconnect: Effect.suspend(() => {
        if (closed) return Effect.fail(SinkError.stopped(`syslog:tcp:${where}`))
        const l = link
        if (l === undefined) return Effect.asVoid(open)
        // a lost connection is retired (its recent batches are resent); a healthy one is ended in order
        if (l.lost !== undefined) {
          retire(l)
          return Effect.asVoid(open)
        }
        link = undefined
        return Effect.zipRight(end(l), Effect.asVoid(open))
      }),
      close,
      resent: () => resent
    }
  })
