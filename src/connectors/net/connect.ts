/**
 * The client side of a TCP sink (`tcp`, `syslog` over TCP): connecting to `addr:port` within a deadline,
 * with one wording for what fails, and ending a connection so that what was written goes out first.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import * as net from "node:net"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"

/** Where to connect, how long to try, and who is connecting (`tcp sink`, `syslog sink`: the start of messages). */
export interface ConnectOptions {
  readonly addr: string
  readonly port: number
  readonly timeoutMs: number
  readonly who: string
  /** `addr:port` as messages show it. */
  readonly where: string
}

/**
 * A connected socket (no-delay): a refusal is a `NetworkError` (202), a timeout a `TimeoutError` (204),
 * each naming `where`. Once connected, `lost` is told why the connection ended (an error's code, `peer`
 * closed it, or it closed), each time one of those happens.
 */
export const connect = (options: ConnectOptions, lost: (why: string) => void, peer: string): Effect.Effect<net.Socket, SinkError> =>
  Effect.async<net.Socket, SinkError>((resume) => {
    const { timeoutMs, where, who } = options
    const socket = net.connect({ host: options.addr, port: options.port })
    const timer = setTimeout(() => {
      socket.destroy()
      resume(Effect.fail(SinkError.uvs(UnifiedReason.timeout(`${who}: connecting to ${where} timed out after ${timeoutMs} ms`))))
    }, timeoutMs)
    const onError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      resume(Effect.fail(SinkError.network(`${who}: cannot connect to ${where}: ${error.code ?? error.message}`, error)))
    }
    socket.once("error", onError)
    socket.once("connect", () => {
      clearTimeout(timer)
      socket.off("error", onError)
      socket.setNoDelay(true)
      socket.on("error", (error: NodeJS.ErrnoException) => lost(error.code ?? error.message))
      socket.on("end", () => lost(`the ${peer} closed the connection`))
      socket.on("close", () => lost("connection closed"))
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
