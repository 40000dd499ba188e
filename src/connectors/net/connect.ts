/**
 * The client side of a TCP sink (`tcp`, `syslog` over TCP): connecting to `addr:port` within a deadline,
 * in plain TCP or TLS, with one wording for what fails, and ending a connection so that what was
 * written goes out first.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import * as net from "node:net"
import type * as tls from "node:tls"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as Tls from "./tls.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** Where to connect, how long to try, and who is connecting (`tcp sink`, `syslog sink`: the start of messages). */
export interface ConnectOptions {
  readonly addr: string
  readonly port: number
  readonly timeoutMs: number
  readonly who: string
  /** `addr:port` as messages show it. */
  readonly where: string
  /** Connect with TLS with these options (see `Tls.clientOptions`); plain TCP without. */
  readonly tls?: tls.ConnectionOptions | undefined
}

/** Why a connection ended; `refused` when it is a TLS refusal (a certificate), which no retry clears. */
export type Lost = (why: string, refused: boolean) => void

/**
 * A connected socket (no-delay; with `tls`, once the handshake is done): a refusal is a `NetworkError`
 * (202), a timeout a `TimeoutError` (204), a TLS refusal (`Tls.failure`: a certificate refused by either
 * side) an `ExternalError` (301, not retryable), each naming `where`. Once connected, `lost` is told why
 * the connection ended (an error's code or TLS refusal, `peer` closed it, or it closed), each time one of
 * those happens.
 */
export const connect = (options: ConnectOptions, lost: Lost, peer: string): Effect.Effect<net.Socket, SinkError> =>
  Effect.async<net.Socket, SinkError>((resume) => {
    const { timeoutMs, where, who } = options
    const socket = options.tls === undefined
      ? net.connect({ host: options.addr, port: options.port })
      : NodeBuiltins.tls().connect({ ...options.tls, host: options.addr, port: options.port })
    const timer = setTimeout(() => {
      socket.destroy()
      resume(Effect.fail(SinkError.uvs(UnifiedReason.timeout(`${who}: connecting to ${where} timed out after ${timeoutMs} ms`))))
    }, timeoutMs)
    const onError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      const refusal = Tls.failure(error)
      resume(Effect.fail(
        refusal === undefined
          ? SinkError.network(`${who}: cannot connect to ${where}: ${error.code ?? error.message}`, error)
          : SinkError.uvs(UnifiedReason.external(`${who}: cannot connect to ${where}: ${refusal}`), undefined, error)
      ))
    }
    socket.once("error", onError)
    socket.once(options.tls === undefined ? "connect" : "secureConnect", () => {
      clearTimeout(timer)
      socket.off("error", onError)
      socket.setNoDelay(true)
      socket.on("error", (error: NodeJS.ErrnoException) => {
        const refusal = Tls.failure(error)
        lost(refusal ?? error.code ?? error.message, refusal !== undefined)
      })
      socket.on("end", () => lost(`the ${peer} closed the connection`, false))
      socket.on("close", () => lost("connection closed", false))
      resume(Effect.succeed(socket))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })

/** Ends `socket`: waits (up to `waitMs`) for what was written to go out, then closes it anyway. */
export const end = (socket: net.Socket, waitMs: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (socket.destroyed) return resume(Effect.void)
    const timer = setTimeout(() => socket.destroy(), waitMs)
    socket.once("close", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    socket.end()
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })
