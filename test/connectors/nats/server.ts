import { Effect, type Scope } from "effect"
import { findBinary, type ServerProcess, serverProcess } from "../server-process.js"

/** A running `nats-server -js` on 127.0.0.1 with its store in a temp dir. */
export interface NatsServer extends ServerProcess {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string
}

const binary = findBinary("nats-server", ["/usr/sbin/nats-server", "/usr/bin/nats-server"])

/**
 * Starts `nats-server -js` on a free loopback port in a temp dir, requiring `user`/`pass` or `token` when
 * given; killed and the dir removed when the Scope closes.
 */
export const natsServerWith = (
  auth: { readonly user?: string; readonly pass?: string; readonly token?: string }
): Effect.Effect<NatsServer, Error, Scope.Scope> =>
  Effect.map(
    serverProcess("nats", binary, (port, dir) => [
      "-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir,
      ...(auth.user === undefined ? [] : ["--user", auth.user]),
      ...(auth.pass === undefined ? [] : ["--pass", auth.pass]),
      ...(auth.token === undefined ? [] : ["--auth", auth.token])
    ]),
    (server) => ({ ...server, url: `nats://127.0.0.1:${server.port}` })
  )

/** Starts `nats-server -js` on a free loopback port in a temp dir; killed and the dir removed when the Scope closes. */
export const natsServer: Effect.Effect<NatsServer, Error, Scope.Scope> = natsServerWith({})
