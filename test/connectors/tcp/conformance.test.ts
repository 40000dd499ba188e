import { Effect, Option } from "effect"
import { type RawData, Tags } from "../../../src/index.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import type { Feed } from "../../../src/testkit/index.js"
import { sinkConformance, sourceConformance } from "../../../src/testkit/vitest.js"
import { collector, send } from "./harness.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

/** Sends the payloads as lines to the port the built source reports in its meta tags. */
const feedLines: Feed = ({ handle, payloads }) =>
  send(Number(Tags.getOrUndefined(handle.metadata.tags, "tcp_port")), payloads.map((p) => `${p}\n`).join(""))

sourceConformance("tcp", {
  factory: Tcp.TcpSource.factory,
  spec: { name: "net", kind: "tcp", connectorId: "tcp-src", params: { port: 0 }, tags: [] },
  feed: feedLines,
  expect: { payloads },
  claims: { ack: false, seek: false, parallel: false },
  invalid: [
    { spec: { name: "net", kind: "tcp", connectorId: "tcp-src", params: { port: 70000 }, tags: [] }, code: 300, mentions: "params.port" },
    { spec: { name: "net", kind: "tcp", connectorId: "tcp-src", params: { framing: "xml" }, tags: [] }, code: 300, mentions: "params.framing" }
  ]
})

/** The frames a collector received, decoded with `framing`. */
const framesOf = (bytes: Buffer, framing: "line" | "octet-counted"): ReadonlyArray<RawData.RawData> => {
  const out: Array<RawData.RawData> = []
  const decoder = new Tcp.Framing.FrameDecoder(framing, 1 << 20)
  decoder.feed(bytes, (payload) => out.push(payload))
  return out
}

for (const framing of ["line", "octet-counted"] as const) {
  sinkConformance(`tcp (${framing})`, {
    factory: Tcp.TcpSink.factory,
    spec: Effect.map(collector(), (server) => ({
      spec: { group: "g", name: "net", kind: "tcp", connectorId: "tcp-sink", params: { port: server.port, framing }, filter: Option.none() },
      read: () => Effect.sync(() => framesOf(server.received(), framing)),
      breakTarget: [{ name: "the peer reset its connections and stopped listening", run: () => server.kill }]
    })),
    // a TCP stream acknowledges nothing: a write is done when the kernel took it, the peer reads it later
    delivery: "eventual",
    // the invalid-spec case builds without the setup, yet asks for a reader: it reads nothing
    read: () => Effect.succeed([]),
    invalid: [
      { spec: { group: "g", name: "net", kind: "tcp", connectorId: "tcp-sink", params: { port: 0 }, filter: Option.none() }, code: 300, mentions: "params.port" }
    ]
  })
}
