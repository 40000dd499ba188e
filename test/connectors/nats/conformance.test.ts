import { connect } from "nats"
import { Effect, Option } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import { RawData } from "../../../src/index.js"
import { sinkConformance, sourceConformance } from "../../../src/testkit/vitest.js"
import { natsServer } from "./server.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

/** Publishes `payloads` to `<stream>.events` through the connector's own sink. */
const publish = (url: string, stream: string, data: ReadonlyArray<string>) =>
  Effect.scoped(Effect.flatMap(Nats.NatsSink.make({ servers: url, stream, create_stream: true }), (sink) => sink.sinkStrBatch(data)))

/** Deletes `stream` (and everything in it) on the server at `url`. */
const deleteStream = (url: string, stream: string) =>
  Effect.promise(async () => {
    const nc = await connect({ servers: url })
    try {
      await (await nc.jetstreamManager()).streams.delete(stream)
    } finally {
      await nc.close()
    }
  })

/** Every message stored in `stream`, in sequence order, as text when it is UTF-8 (read through an ordered consumer, in one fetch). */
const readStream = (url: string, stream: string) =>
  Effect.promise(async () => {
    const nc = await connect({ servers: url })
    try {
      const info = await (await nc.jetstreamManager()).streams.info(stream).catch(() => undefined)
      const out: Array<RawData.RawData> = []
      if (info === undefined || info.state.messages === 0) return out
      const consumer = await nc.jetstream().consumers.get(stream)
      const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 5000 })
      for await (const m of messages) {
        out.push(RawData.fromBytesPreferText(m.data))
        if (m.seq >= info.state.last_seq) break
      }
      return out
    } finally {
      await nc.close()
    }
  })

// one real server per case, with the stream written before the build: the source needs no feed
sourceConformance("nats", {
  spec: Effect.gen(function*() {
    const server = yield* natsServer
    yield* publish(server.url, "CONF", payloads)
    return {
      spec: {
        name: "js",
        kind: "nats",
        connectorId: "nats-src",
        params: { servers: server.url, stream: "CONF", durable: "conf", batch: 2, expires_ms: 1000 },
        tags: []
      }
    }
  }),
  factory: Nats.NatsSource.factory,
  // publishes to the source's stream through the connector's sink
  append: ({ payloads, spec }) => publish(String(spec.params["servers"]), String(spec.params["stream"]), payloads.map(String)),
  expect: { payloads },
  claims: { ack: true, seek: true, parallel: true },
  invalid: [
    { spec: { name: "js", kind: "nats", connectorId: "nats-src", params: { stream: "S" }, tags: [] }, code: 300, mentions: "params.durable" },
    { spec: { name: "js", kind: "nats", connectorId: "nats-src", params: { stream: "S", durable: "d", batch: 0 }, tags: [] }, code: 300, mentions: "params.batch" }
  ],
  testTimeout: 30_000
})

sinkConformance("nats", {
  factory: Nats.NatsSink.factory,
  spec: Effect.map(natsServer, (server) => ({
    spec: { group: "g", name: "js", kind: "nats", connectorId: "nats-sink", params: { servers: server.url, stream: "OUT", create_stream: true }, filter: Option.none() },
    read: () => readStream(server.url, "OUT"),
    breakTarget: [{ name: "its stream deleted", run: () => deleteStream(server.url, "OUT") }]
  })),
  // the invalid-spec case builds without the setup, yet asks for a reader: it reads nothing
  read: () => Effect.succeed([]),
  invalid: [
    { spec: { group: "g", name: "js", kind: "nats", connectorId: "nats-sink", params: { create_stream: true }, filter: Option.none() }, code: 300, mentions: "params.stream" }
  ]
})
