/**
 * One Redis connection in a Scope: connects at once, then reconnects forever (every 200 ms) after a
 * loss, fails commands fast while it is down (no offline queue, no resend), and tells whether it is
 * connected right now.
 *
 * @since 0.1.0
 */
import type { Redis } from "ioredis"
import { Effect, type Scope } from "effect"
import { describeCause } from "../../errors/describe.js"
import * as Tls from "../net/tls.js"
import * as RedisClient from "./client.js"

/** How long ioredis waits between two reconnection attempts. */
export const reconnectDelayMs = 200

/** An open client and whether it is connected at this moment. */
export interface Connection {
  readonly client: Redis
  /** `host:port/db`, for messages. */
  readonly where: string
  /** `undefined` while connected; the reason while the connection is down (the client keeps reconnecting). */
  readonly down: () => string | undefined
  /** Waits (up to `timeoutMs`) until the client is connected again; `false` when it is not. */
  readonly ready: (timeoutMs: number) => Effect.Effect<boolean>
}

/** What `open` needs. */
export interface ConnectOptions {
  readonly host: string
  readonly port: number
  readonly db: number
  /** An ACL user; without it, `password` authenticates the default user. */
  readonly username?: string | undefined
  readonly password?: string | undefined
}

/** `ConnectOptions` and, to connect with TLS, the options `Tls.clientOptions` made of the `tls` param. */
export interface OpenOptions extends ConnectOptions {
  readonly tlsOptions?: Tls.ClientOptions | undefined
}

/** `host:port/db` (an IPv6 host in brackets). */
export const describeTarget = (options: ConnectOptions): string =>
  `${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}/${options.db}`

/**
 * Connects to `options` in the current Scope (closed when it closes: `QUIT` when connected, else a
 * plain disconnect), with TLS when `tlsOptions` are given. Fails with `fail(detail, cause)` when the
 * server cannot be reached now (a TLS refusal names what was refused: `Tls.failure`); after a
 * successful connect, a lost connection is retried forever and reported by `down`.
 */
export const open = <E>(
  options: OpenOptions,
  name: string,
  fail: (detail: string, cause: unknown) => E
): Effect.Effect<Connection, E, Scope.Scope> =>
  Effect.gen(function*() {
    const where = describeTarget(options)
    let lastError: string | undefined = undefined
    /** The last error the client reported: a refused AUTH arrives here, while `connect` only says the connection closed. */
    let lastCause: unknown = undefined
    let connected = false
    const client = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const { Redis } = await RedisClient.load()
          const client = new Redis({
            host: options.host,
            port: options.port,
            db: options.db,
            ...(options.username === undefined ? {} : { username: options.username }),
            ...(options.password === undefined ? {} : { password: options.password }),
            ...(options.tlsOptions === undefined ? {} : { tls: options.tlsOptions }),
            connectionName: name,
            lazyConnect: true,
            enableOfflineQueue: false,
            // 0: a command in flight when the connection drops fails at once and is never resent
            maxRetriesPerRequest: 0,
            // no retry before the first connection: a build against an unreachable server fails at once
            retryStrategy: () => (connected ? reconnectDelayMs : null),
            connectTimeout: 5000,
            // how long closing a connection whose socket is already gone keeps a timer alive
            disconnectTimeout: 200
          })
          // without a listener ioredis prints every failed reconnection attempt
          client.on("error", (error: unknown) => {
            lastCause = error
            lastError = describeCause(error)
          })
          await client.connect()
          connected = true
          return client
        },
        catch: (cause) => (isReplyError(lastCause) || Tls.failure(lastCause) !== undefined ? lastCause : cause)
      }).pipe(
        // a refused TLS client certificate may look like a plain reset: one TLS 1.2 handshake tells
        Effect.catchAll((reason) =>
          Effect.flatMap(
            options.tlsOptions === undefined || isReplyError(reason) || Tls.failure(reason) !== undefined
              ? Effect.succeed(reason)
              : Effect.map(Tls.diagnose(options.host, options.port, options.tlsOptions, "none"), (refusal) => refusal ?? reason),
            (reason) => Effect.fail(fail(`redis: cannot connect to ${where}: ${Tls.failure(reason) ?? describeCause(reason)}`, reason))
          )
        )
      ),
      (client) =>
        client.status === "ready"
          ? Effect.promise(() => client.quit().then(() => undefined, () => client.disconnect()))
          : Effect.sync(() => client.disconnect())
    )
    const down = (): string | undefined =>
      client.status === "ready" ? undefined : `connection to ${where} is ${client.status}${lastError === undefined ? "" : ` (${lastError})`}`
    const ready = (timeoutMs: number): Effect.Effect<boolean> =>
      Effect.async<boolean>((resume) => {
        if (client.status === "ready") return resume(Effect.succeed(true))
        if (client.status === "end" || client.status === "wait") client.connect().catch(() => undefined)
        const onReady = () => {
          clearTimeout(timer)
          resume(Effect.succeed(true))
        }
        const timer = setTimeout(() => {
          client.off("ready", onReady)
          resume(Effect.succeed(false))
        }, timeoutMs)
        client.once("ready", onReady)
        return Effect.sync(() => {
          clearTimeout(timer)
          client.off("ready", onReady)
        })
      })
    return { client, where, down, ready }
  })

/** `true` when `u` is an error reply of the server (as opposed to a connection that failed). */
export const isReplyError = (u: unknown): boolean => u instanceof Error && u.name === "ReplyError"

/** What to check when the server refuses the credentials. */
export const authHint = "check params.username and params.password"

/** `true` when `u` is the server refusing the credentials (wrong or missing password, or a user without the right): retrying cannot help. */
export const isAuthError = (u: unknown): boolean => isReplyError(u) && u instanceof Error && /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(u.message)

/** Error replies that mean "not now" (a loading, read-only, busy or failing-over server), worth retrying. */
const transientReplies = /^(LOADING|READONLY|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN)\b/

/** `true` when `u` is an error reply about the server's state rather than the command: the same command may succeed later. */
export const isTransientReply = (u: unknown): boolean => isReplyError(u) && u instanceof Error && transientReplies.test(u.message)
