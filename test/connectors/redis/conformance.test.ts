import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Option, Scope } from "effect"
import * as Redis from "../../../src/connectors/redis/index.js"
import { RawData } from "../../../src/index.js"
import { sinkConformance, sourceConformance } from "../../../src/testkit/vitest.js"
import { type RedisServer, redisServer } from "./server.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

// one redis-server for the whole file; every case works on its own stream
const serverScope = Effect.runSync(Scope.make())
let running: RedisServer | undefined
beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(redisServer, serverScope), (s) => void (running = s))), 10000)
afterAll(() => Effect.runPromise(Scope.close(serverScope, Exit.void)))

const server = Effect.suspend(() => (running === undefined ? Effect.die(new Error("redis-server is not running")) : Effect.succeed(running)))

let streams = 0
/** A stream key no other case uses. */
const freshStream = Effect.sync(() => `conf-${process.pid}-${++streams}`)

sourceConformance("redis", {
  factory: Redis.RedisSource.factory,
  // a fresh stream holding the payloads before the build; the source's group starts at its beginning
  spec: Effect.gen(function*() {
    const { port, use } = yield* server
    const stream = yield* freshStream
    yield* use(async (client) => {
      for (const p of payloads) await client.xadd(stream, "*", "payload", p)
    })
    return { spec: { name: "in", kind: "redis", connectorId: "redis-src", params: { port, stream, group: "g", block_ms: 100, batch: 2 }, tags: [] } }
  }),
  append: ({ payloads, spec }) =>
    Effect.flatMap(server, ({ use }) =>
      use(async (client) => {
        for (const p of payloads) await client.xadd(String(spec.params["stream"]), "*", "payload", String(p))
      })),
  expect: { payloads },
  claims: { ack: true, seek: true, parallel: true },
  invalid: [
    { spec: { name: "in", kind: "redis", connectorId: "redis-src", params: { stream: "s" }, tags: [] }, code: 300, mentions: "params.group" },
    { spec: { name: "in", kind: "redis", connectorId: "redis-src", params: { stream: "s", group: "g", claim_idle_ms: 0 }, tags: [] }, code: 300, mentions: "params.claim_idle_ms" }
  ]
})

/** The `payload` values of `stream` in order: text when valid UTF-8, else bytes. */
const readStream = (stream: string) =>
  Effect.flatMap(server, ({ use }) =>
    use(async (client) => {
      const entries = await client.xrangeBuffer(stream, "-", "+")
      return entries.map(([, fields]) => RawData.fromBytesPreferText(new Uint8Array(fields[1]!)))
    }))

sinkConformance("redis", {
  factory: Redis.RedisSink.factory,
  spec: Effect.gen(function*() {
    const { port } = yield* server
    const stream = yield* freshStream
    return {
      spec: { group: "g", name: "out", kind: "redis", connectorId: "redis-sink", params: { port, stream }, filter: Option.none() },
      read: () => readStream(stream),
      // the key holds a string now, not a stream: XADD answers WRONGTYPE
      breakTarget: [{
        name: "its stream key replaced by a string",
        run: () =>
          Effect.flatMap(server, ({ use }) =>
            use(async (client) => {
              await client.del(stream)
              await client.set(stream, "not a stream")
            }))
      }]
    }
  }),
  // the invalid-spec case builds without the setup, yet asks for a reader: it reads nothing
  read: () => Effect.succeed([]),
  invalid: [
    { spec: { group: "g", name: "out", kind: "redis", connectorId: "redis-sink", params: {}, filter: Option.none() }, code: 300, mentions: "params.stream" },
    { spec: { group: "g", name: "out", kind: "redis", connectorId: "redis-sink", params: { stream: "s", maxlen: "lots" }, filter: Option.none() }, code: 300, mentions: "params.maxlen" }
  ]
})
