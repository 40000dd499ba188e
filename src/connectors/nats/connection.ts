/**
 * One NATS connection in a Scope: connects (reconnecting forever after a loss), tracks whether the
 * server is reachable right now, and creates the stream when `create_stream` is set.
 *
 * @since 0.1.0
 */
import type { JetStreamManager, NatsConnection } from "nats"
import { Effect, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { describeCause } from "../../errors/describe.js"
import * as Tls from "../net/tls.js"
import * as NatsClient from "./client.js"
import { streamSubjects } from "./params.js"
import * as NatsServers from "./servers.js"

/** An open connection, its JetStream manager, and whether it is connected at this moment. */
export interface Connection {
  /** The `nats` library (imported by the first `open`). */
  readonly client: NatsClient.Client
  readonly nc: NatsConnection
  readonly jsm: JetStreamManager
  /** `undefined` while connected; the reason while the connection is down (the client keeps reconnecting). */
  readonly down: () => string | undefined
}

/** What `open` needs. */
export interface ConnectOptions {
  readonly servers: string
  readonly stream: string
  readonly subjects?: ReadonlyArray<string> | undefined
  readonly create_stream: boolean
  readonly username?: string | undefined
  readonly password?: string | undefined
  readonly token?: string | undefined
  readonly tls?: Tls.ClientTls | undefined
}

/** What to check when the server refuses the credentials. */
export const authHint = "check params.username and params.password, or params.token"

/** `true` when `u` is the server refusing the credentials (wrong or missing user, password or token): retrying cannot help. */
export const isAuthError = (u: unknown): boolean =>
  u instanceof Error && ((u as { readonly code?: unknown }).code === "AUTHORIZATION_VIOLATION" || /authorization violation/i.test(u.message))

/**
 * Connects to `servers` in the current Scope (drained and closed when it closes) and, with
 * `create_stream`, adds the stream (file storage, subjects `subjects` or `<stream>.>`) unless it
 * exists. Fails with `fail(detail, cause)` when the server cannot be reached or the stream is missing
 * (a TLS refusal names what was refused: `Tls.failure`; with `tls`, `Tls.diagnose` tries the first server
 * before the client connects); with a `ConfigError` when a `tls` file is bad.
 */
export const open = <E>(
  options: ConnectOptions,
  fail: (detail: string, cause: unknown) => E
): Effect.Effect<Connection, E | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const tls = yield* Tls.clientOptions(options.tls, "nats")
    const servers = NatsServers.split(options.servers)
    // messages name the servers redacted: nothing of a URL's userinfo is ever printed
    const shown = NatsServers.display(options.servers)
    if (tls !== undefined) {
      // the nats client sees a refused client certificate as a connection that never answers (a 20 s
      // timeout, retried): one TLS 1.2 handshake with the first server tells a refusal first
      const first = NatsServers.hostPort(servers[0]!)
      const refusal = yield* Tls.diagnose(first.host, first.port, tls, "line")
      if (refusal !== undefined) return yield* Effect.fail(fail(`nats: cannot connect to ${shown}: ${Tls.failure(refusal)}`, refusal))
    }
    let down: string | undefined = undefined
    /** Follows the connection's status until it closes. */
    const watch = async (nc: NatsConnection): Promise<void> => {
      for await (const status of nc.status()) {
        if (status.type === "disconnect") down = `disconnected from ${NatsServers.redact(String(status.data))}`
        else if (status.type === "reconnect") down = undefined
      }
    }
    const connecting = Effect.tryPromise({
      try: async (signal) => {
        const client = await NatsClient.load()
        // interrupted while the library loaded: nothing to connect, nothing to close
        if (signal.aborted) throw new Error("interrupted before connecting")
        const pending = client.connect({
          servers,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 200,
          name: `wpc-${options.stream}`,
          ...(options.username === undefined ? {} : { user: options.username }),
          ...(options.password === undefined ? {} : { pass: options.password }),
          ...(options.token === undefined ? {} : { token: options.token }),
          ...(tls === undefined ? {} : { tls })
        })
        // the client cannot abandon a connect: one interrupted (a Stop while wpc starts) is closed once it completes
        signal.addEventListener("abort", () => void pending.then((nc) => nc.close(), () => undefined).catch(() => undefined))
        return { client, nc: await pending }
      },
      catch: (cause) => fail(`nats: cannot connect to ${shown}: ${Tls.failure(cause) ?? describeCause(cause)}`, cause)
    })
    // the connect can be interrupted (a server that never answers would hold a Stop for the client's 20 s
    // timeout); once it succeeded, the close is registered before anything can interrupt
    const { client, nc } = yield* Effect.uninterruptibleMask((restore) =>
      Effect.tap(restore(connecting), ({ nc }) => {
        // the status iterator is not ended by close(): nothing waits for it, it just stops being fed
        watch(nc).catch(() => undefined)
        return Effect.addFinalizer(() => Effect.promise(() => nc.close().catch(() => undefined)))
      })
    )
    const jsm = yield* Effect.tryPromise({
      try: () => nc.jetstreamManager(),
      catch: (cause) => fail(`nats: JetStream is not available on ${shown}: ${describeCause(cause)}`, cause)
    })
    yield* Effect.tryPromise({
      try: async () => {
        try {
          await jsm.streams.info(options.stream)
        } catch (error) {
          if (!options.create_stream) throw error
          await jsm.streams.add({
            name: options.stream,
            subjects: streamSubjects(options),
            storage: client.StorageType.File,
            retention: client.RetentionPolicy.Limits
          })
        }
      },
      catch: (cause) =>
        fail(`nats: stream ${JSON.stringify(options.stream)} is not usable (set create_stream = true to create it): ${describeCause(cause)}`, cause)
    })
    return { client, nc, jsm, down: () => down }
  })
