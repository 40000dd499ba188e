import { Effect, Option, Ref } from "effect"
import { DemoConnectorFactory, makeMemorySinkBuffer } from "../../examples/demo-connector.js"
import { sinkConformance, sourceConformance } from "../../src/testkit/vitest.js"

// The spec's demo connector (section 5): its MemorySource never ends (empty batches after its events),
// its MemorySink keeps text (bytes are decoded lossily, like the Rust guide's from_utf8_lossy) and
// writes every record as "record".
const events = ["alpha", "beta", "gamma"]
const buffer = Effect.runSync(makeMemorySinkBuffer)
const demo = DemoConnectorFactory({ sinkBuffer: buffer, sourceEvents: events })

sourceConformance("demo memory connector", {
  factory: demo.source,
  spec: { name: "demo", kind: "memory", connectorId: "demo-source", params: {}, tags: [] },
  expect: { payloads: events, batches: [1, 1, 1] },
  claims: { ack: false, seek: false }
})

sinkConformance("demo memory connector", {
  factory: demo.sink,
  spec: { group: "g", name: "mem", kind: "memory", connectorId: "demo-sink", params: {}, filter: Option.none() },
  read: () => Ref.get(buffer),
  bytes: "lossy",
  encodeRecord: () => "record",
  breakTarget: [] // an in-memory buffer: nothing underneath it can fail
})
