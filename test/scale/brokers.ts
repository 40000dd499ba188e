/**
 * The brokers the scale-out tests run against, each a real server: how to start one, fill a stream,
 * count and read a stream back, and the TOML params of its source and sink connectors.
 */
import { Effect, type Scope } from "effect"
import { connect } from "nats"
import * as Nats from "../../src/connectors/nats/index.js"
import * as Redis from "../../src/connectors/redis/index.js"
import { natsServer } from "../connectors/nats/server.js"
import { redisServer } from "../connectors/redis/server.js"
import type { ServerProcess } from "../connectors/server-process.js"

/** A started broker. */
export interface Broker {
  readonly server: ServerProcess
  /** Appends `payloads` to `stream` (through the connector's own sink). */
  readonly fill: (stream: string, payloads: ReadonlyArray<string>) => Effect.Effect<void, unknown>
  /** How many events `stream` holds, or -1 while the server cannot say. */
  readonly count: (stream: string) => Promise<number>
  /** Every payload `stream` holds, in order. */
  readonly readAll: (stream: string) => Effect.Effect<ReadonlyArray<string>, unknown>
  /** Source params (TOML lines) for a consumer `group` of `stream`; unacked events go to others after `redeliverMs`. */
  readonly sourceParams: (stream: string, group: string, redeliverMs: number) => string
  /** Sink params (TOML lines) writing to `stream`. */
  readonly sinkParams: (stream: string) => string
}

/** A broker kind: its connector kind and how to start one. */
export interface BrokerKind {
  readonly kind: "nats" | "redis"
  readonly start: Effect.Effect<Broker, Error, Scope.Scope>
}

/** Fills in chunks of 5000 through `write`. */
const inChunks = (payloads: ReadonlyArray<string>, write: (chunk: ReadonlyArray<string>) => Effect.Effect<void, unknown>) =>
  Effect.forEach(Array.from({ length: Math.ceil(payloads.length / 5000) }, (_, i) => payloads.slice(i * 5000, (i + 1) * 5000)), write, { discard: true })

/** NATS JetStream: streams are created by the sink; a durable consumer is the group. */
export const nats: BrokerKind = {
  kind: "nats",
  start: Effect.map(natsServer, (server) => ({
    server,
    fill: (stream, payloads) =>
      Effect.scoped(Effect.flatMap(Nats.NatsSink.make({ servers: server.url, stream, create_stream: true }), (sink) => inChunks(payloads, sink.sinkStrBatch))),
    count: (stream) =>
      connect({ servers: server.url, reconnect: false, timeout: 500 }).then(
        (nc) => nc.jetstreamManager().then((jsm) => jsm.streams.info(stream)).then((info) => info.state.messages, () => -1).finally(() => nc.close()),
        () => -1
      ),
    readAll: (stream) =>
      Effect.promise(async () => {
        const nc = await connect({ servers: server.url })
        try {
          const messages = await (await nc.jetstream().consumers.get(stream)).fetch({ max_messages: 1_000_000, expires: 2000 })
          const out: Array<string> = []
          const decoder = new TextDecoder()
          for await (const m of messages) {
            out.push(decoder.decode(m.data))
            if (m.info.pending === 0) break
          }
          return out
        } finally {
          await nc.close()
        }
      }),
    sourceParams: (stream, group, redeliverMs) => `servers = "${server.url}"\nstream = "${stream}"\ndurable = "${group}"\nack_wait_ms = ${redeliverMs}`,
    sinkParams: (stream) => `servers = "${server.url}"\nstream = "${stream}"\ncreate_stream = true`
  }))
}

/** Redis Streams: a consumer group; a dead consumer's entries are claimed after `claim_idle_ms`. */
export const redis: BrokerKind = {
  kind: "redis",
  start: Effect.map(redisServer, (server) => ({
    server,
    fill: (stream, payloads) =>
      Effect.scoped(Effect.flatMap(Redis.RedisSink.make({ host: "127.0.0.1", port: server.port, db: 0, stream, maxlen: 0, field: "payload" }), (sink) => inChunks(payloads, sink.sinkStrBatch))),
    count: (stream) => Effect.runPromise(server.use((client) => client.xlen(stream)).pipe(Effect.timeout("1 second"), Effect.catchAllCause(() => Effect.succeed(-1)))),
    readAll: (stream) =>
      server.use(async (client) => {
        const entries = await client.xrange(stream, "-", "+")
        return entries.map(([, fields]) => fields[fields.indexOf("payload") + 1] ?? "")
      }),
    sourceParams: (stream, group, redeliverMs) =>
      `host = "127.0.0.1"\nport = ${server.port}\nstream = "${stream}"\ngroup = "${group}"\nclaim_idle_ms = ${redeliverMs}`,
    sinkParams: (stream) => `host = "127.0.0.1"\nport = ${server.port}\nstream = "${stream}"`
  }))
}
