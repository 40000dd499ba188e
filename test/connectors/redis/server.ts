import { Redis } from "ioredis"
import { Effect, type Scope } from "effect"
import { findBinary, type ServerProcess, serverProcess } from "../server-process.js"

const binary = findBinary("redis-server", ["/usr/bin/redis-server", "/usr/sbin/redis-server"])

/** A running `redis-server` on 127.0.0.1 with its append-only file in a temp dir (`start` after `stop` brings the data back). */
export interface RedisServer extends ServerProcess {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  /** Runs `f` with a plain ioredis client (closed afterwards). */
  readonly use: <A>(f: (client: Redis) => Promise<A>) => Effect.Effect<A>
}

/**
 * Starts `redis-server` on a free loopback port in a temp dir, with `requirepass` when `password` is given
 * (`use` then authenticates); killed and the dir removed when the Scope closes.
 */
export const redisServerWith = (options: { readonly password?: string }): Effect.Effect<RedisServer, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const auth = options.password === undefined ? [] : ["--requirepass", options.password]
    const server = yield* serverProcess("redis", binary, (port, dir) =>
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", ...auth])
    const use = <A>(f: (client: Redis) => Promise<A>): Effect.Effect<A> =>
      Effect.acquireUseRelease(
        Effect.sync(() =>
          new Redis({
            host: "127.0.0.1",
            port: server.port,
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
            ...(options.password === undefined ? {} : { password: options.password })
          })
        ),
        (client) => Effect.promise(() => client.connect().then(() => f(client))),
        (client) => Effect.sync(() => client.disconnect())
      )
    return { ...server, url: `redis://127.0.0.1:${server.port}`, use }
  })

/** Starts `redis-server` on a free loopback port in a temp dir; killed and the dir removed when the Scope closes. */
export const redisServer: Effect.Effect<RedisServer, Error, Scope.Scope> = redisServerWith({})
