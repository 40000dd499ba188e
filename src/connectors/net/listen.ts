/**
 * Binding a listening socket — a TCP server (`tcp`, `syslog` over TCP, `http`) or a UDP socket
 * (`syslog` over UDP) — to `addr:port`, where a failure is a `ConfigError` naming addr:port and the
 * param to change, worded the same for every listener.
 *
 * @since 0.1.0
 */
import type * as dgram from "node:dgram"
import type { EventEmitter } from "node:events"
import type * as net from "node:net"
import { Effect } from "effect"
import { ConfigError } from "../../errors/config.js"

/** What was bound: the local address and the port (the OS's pick when asked for port 0). */
export interface Bound {
  readonly address: string
  readonly port: number
}

/** `addr:port`, with brackets around an IPv6 address. */
export const hostPort = (addr: string, port: number): string => (addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`)

/**
 * The `ConfigError` of a failed listen by `what` (e.g. `"tcp source web"`): an address in use or a
 * privileged port names `params.port`, an address that is not local names `params.addr`.
 */
export const listenError = (what: string, addr: string, port: number, error: NodeJS.ErrnoException): ConfigError => {
  const code = error.code ?? "error"
  const portProblem = code === "EADDRINUSE" || code === "EACCES"
  const reason = code === "EADDRINUSE" ? "address already in use" : code === "EACCES" ? "permission denied" : error.message
  return new ConfigError({
    detail: `${what} cannot listen on ${hostPort(addr, port)}: ${reason} (${code})`,
    path: portProblem ? "params.port" : "params.addr",
    expected: portProblem ? "a free port (0 picks one; ports below 1024 need privileges)" : "a local address, e.g. 127.0.0.1 or 0.0.0.0",
    cause: error
  })
}

/**
 * Runs `start` and waits for `target`'s `listening` (yielding where it is bound, read by `address`) or
 * `error` (a `listenError`); `abandon` runs when the bind failed or was interrupted, to leave nothing open.
 */
const bindWith = (
  target: EventEmitter,
  address: () => net.AddressInfo | string | null,
  start: () => void,
  abandon: () => void,
  what: string,
  addr: string,
  port: number
): Effect.Effect<Bound, ConfigError> =>
  Effect.async((resume) => {
    const onError = (error: NodeJS.ErrnoException) => {
      target.off("listening", onListening)
      abandon()
      resume(Effect.fail(listenError(what, addr, port, error)))
    }
    const onListening = () => {
      target.off("error", onError)
      const bound = address()
      resume(Effect.succeed(bound !== null && typeof bound === "object" ? { address: bound.address, port: bound.port } : { address: addr, port }))
    }
    target.once("error", onError)
    target.once("listening", onListening)
    start()
    return Effect.sync(() => {
      target.off("error", onError)
      target.off("listening", onListening)
      abandon()
    })
  })

/**
 * Starts `server` (a `net.Server`, or an `http.Server`, which is one) listening on `addr:port`; a
 * failure is `listenError` and leaves the server closed.
 */
export const listenTcp = (server: net.Server, what: string, addr: string, port: number): Effect.Effect<Bound, ConfigError> =>
  bindWith(server, () => server.address(), () => server.listen(port, addr), () => {
    if (server.listening) server.close()
  }, what, addr, port)

/** Binds `socket` to `addr:port`; a failure is `listenError` and closes the socket. */
export const bindUdp = (socket: dgram.Socket, what: string, addr: string, port: number): Effect.Effect<Bound, ConfigError> =>
  bindWith(socket, () => socket.address(), () => socket.bind(port, addr), () => socket.close(), what, addr, port)
