import { Effect, type Scope } from "effect"
import * as net from "node:net"

/** A server that accepts connections and never answers. */
export interface SilentServer {
  readonly port: number
  /** Resolves at the first connection. */
  readonly connected: Promise<void>
  /** Connections open right now. */
  readonly open: () => number
}

/**
 * A server on a free loopback port that accepts connections and never writes: a NATS client connecting to
 * it waits for the server's INFO (up to its 20 s connect timeout). Closed, with its connections, when the
 * Scope closes.
 */
export const silentServer: Effect.Effect<SilentServer, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.async<{ readonly server: net.Server; readonly sockets: Set<net.Socket>; readonly connected: Promise<void> }>((resume) => {
      const sockets = new Set<net.Socket>()
      let onConnection: () => void = () => undefined
      const connected = new Promise<void>((resolve) => (onConnection = resolve))
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => undefined)
        onConnection()
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, sockets, connected })))
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  ),
  ({ server, sockets, connected }) => ({ port: (server.address() as net.AddressInfo).port, connected, open: () => sockets.size })
)
