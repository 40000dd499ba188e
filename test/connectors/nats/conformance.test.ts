import { connect } from "nats"
import { Effect, Option } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import { RawData } from "../../../src/index.js"
import { sinkConformance, sourceConformance } from "../../../src/testkit/index.js"
import { natsServer } from "./server.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

/** Publishes `payloads` to `<stream>.events` through the connector's own sink. */
const publish = (url: string, stream: string, data: ReadonlyArray<string>) =>
  Effect.scoped(Effect.flatMap(Nats.NatsSink.make({ servers: url, stream, create_stream: true }), (sink) => sink.sinkStrBatch(data)))

/** Every message stored in `stream`, in sequence order, as text when it is UTF-8. */
const readStream = (url: string, stream: string) =>
  Effect.promise(async () => {
    const nc = await connect({ servers: url })
    try {
      const jsm = await nc.jetstreamManager()
      const info = await jsm.streams.info(stream).catch(() => undefined)
      const out: Array<RawData.RawData> = []
      if (info === undefined || info.state.messages === 0) return out
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq })
        out.push(RawData.fromBytesPreferText(m.data))
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
        params: { servers: server.url, stream: "CONF", durable: "conf", batch: 16, expires_ms: 1000 },
        tags: []
      }
    }
  }),
  factory: Nats.NatsSource.factory,
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
    read: () => readStream(server.url, "OUT")
  })),
  // the invalid-spec case builds without the setup, yet asks for a reader: it reads nothing
  read: () => Effect.succeed([]),
  invalid: [
    { spec: { group: "g", name: "js", kind: "nats", connectorId: "nats-sink", params: { create_stream: true }, filter: Option.none() }, code: 300, mentions: "params.stream" }
  ]
})
