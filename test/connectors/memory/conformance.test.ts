import { Effect, Option } from "effect"
import * as Memory from "../../../src/connectors/memory/index.js"
import { sinkConformance, sourceConformance } from "../../../src/testkit/vitest.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

sourceConformance("memory", {
  factory: Memory.MemorySource.factory,
  spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { events: payloads, batch_size: 2 }, tags: [] },
  expect: { payloads, batches: [2, 2, 1] },
  claims: { ack: false, seek: true, parallel: false },
  invalid: [
    { spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { batch_size: 0 }, tags: [] }, code: 300, mentions: "params.batch_size" },
    { spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { count: -1 }, tags: [] }, code: 300, mentions: "params.count" }
  ]
})

/** One real store for every case: cases compare what is new in the buffer. */
const store = Effect.runSync(Memory.MemoryStore.make)

sinkConformance("memory", {
  factory: Memory.MemorySink.factory(store),
  spec: { group: "g", name: "out", kind: "memory", connectorId: "memory-sink", params: { buffer: "out" }, filter: Option.none() },
  read: () => store.read("out"),
  breakTarget: [], // an in-memory store: nothing underneath it can fail
  invalid: [
    { spec: { group: "g", name: "out", kind: "memory", connectorId: "memory-sink", params: { buffer: "" }, filter: Option.none() }, code: 300, mentions: "params.buffer" }
  ]
})
