import { Effect, Option } from "effect"
import * as Http from "../../../src/connectors/http/index.js"
import { sinkConformance } from "../../../src/testkit/vitest.js"
import { sourceReceiver } from "./receiver.js"

/** A line the sink wrote in `ndjson`: a payload came as a JSON string, a record as its object (kept as text). */
const payloadOf = (line: string): string => {
  const value: unknown = JSON.parse(line)
  return typeof value === "string" ? value : line
}

// the receiver is the project's own http source (ndjson: every line must be JSON), one per case
sinkConformance("http", {
  factory: Http.HttpSink.factory,
  spec: Effect.map(sourceReceiver({ format: "ndjson" }), (receiver) => ({
    spec: { group: "g", name: "out", kind: "http", connectorId: "http-sink", params: { port: receiver.port, format: "ndjson" }, filter: Option.none() },
    read: () => Effect.map(receiver.lines, (lines) => lines.map(payloadOf)),
    // the source stops: its port is closed, a POST is refused
    breakTarget: [{ name: "the receiving http source stops listening", run: () => receiver.stop }]
  })),
  // ndjson carries text: bytes arrive as their lossy UTF-8 text
  bytes: "lossy",
  invalid: [
    { spec: { group: "g", name: "out", kind: "http", connectorId: "http-sink", params: { format: "xml" }, filter: Option.none() }, code: 300, mentions: "params.format" },
    { spec: { group: "g", name: "out", kind: "http", connectorId: "http-sink", params: { token: "t", username: "u" }, filter: Option.none() }, code: 300, mentions: "params.username" }
  ]
})
