/**
 * `nats-server` and `redis-server` started with TLS on a free loopback port (killed, their dirs removed,
 * when the Scope closes), serving a certificate of `certs.ts`, optionally demanding client certificates.
 */
import { Effect, type Scope } from "effect"
import { findBinary, type ServerProcess, serverProcess } from "../server-process.js"

/** A server's certificate and key, the CA its clients' certificates must come from, and whether it demands them. */
export interface TlsServerOptions {
  readonly cert: string
  readonly key: string
  readonly ca: string
  readonly verifyClients: boolean
}

const natsBinary = findBinary("nats-server", ["/usr/sbin/nats-server", "/usr/bin/nats-server"])
const redisBinary = findBinary("redis-server", ["/usr/bin/redis-server", "/usr/sbin/redis-server"])

/** `nats-server -js --tls ...`; its `url` is `nats://127.0.0.1:<port>`. */
export const natsTlsServer = (options: TlsServerOptions): Effect.Effect<ServerProcess & { readonly url: string }, Error, Scope.Scope> =>
  Effect.map(
    serverProcess("nats-tls", natsBinary, (port, dir) => [
      "-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir,
      "--tls", "--tlscert", options.cert, "--tlskey", options.key,
      ...(options.verifyClients ? ["--tlsverify", "--tlscacert", options.ca] : [])
    ]),
    (server) => ({ ...server, url: `nats://127.0.0.1:${server.port}` })
  )

/** `redis-server --port 0 --tls-port <port> ...` (TLS only). */
export const redisTlsServer = (options: TlsServerOptions): Effect.Effect<ServerProcess, Error, Scope.Scope> =>
  serverProcess("redis-tls", redisBinary, (port, dir) => [
    "--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
    "--tls-cert-file", options.cert, "--tls-key-file", options.key, "--tls-ca-cert-file", options.ca,
    "--tls-auth-clients", options.verifyClients ? "yes" : "no"
  ])
