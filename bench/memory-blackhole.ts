/**
 * memory -> blackhole: the engine's own overhead. `count` events of 200 bytes in batches of 1024,
 * through the engine into a counting sink; the baseline is a plain loop that builds the same
 * events and counts the same bytes.
 *
 * usage: node --import tsx bench/memory-blackhole.ts engine|baseline [count]
 */
import { Effect, Option } from "effect"
import * as Builtins from "../src/connectors/builtins.js"
import { MemoryStore } from "../src/connectors/memory/store.js"
import { SourceEvent } from "../src/index.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { report, since } from "./measure.js"

const impl = process.argv[2] ?? "engine"
const count = Number(process.argv[3] ?? 2_000_000)
const payloadBytes = 200
const batch = 1024
const engineOptions = JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>

const baseline = () => {
  const payload = "x".repeat(payloadBytes)
  const t0 = performance.now()
  let events = 0
  let bytes = 0
  for (let i = 0; i < count; i += batch) {
    const end = Math.min(count, i + batch)
    const out = new Array<SourceEvent.SourceEvent>(end - i)
    for (let j = i; j < end; j++) out[j - i] = new SourceEvent.SourceEvent({ eventId: j, srcKey: "mem", payload, ackToken: j })
    for (const e of out) bytes += Buffer.byteLength(e.payload as string, "utf8")
    events += out.length
  }
  report({ scenario: "memory-blackhole", impl: "baseline", events, bytes, seconds: since(t0) })
}

const engine = Effect.gen(function*() {
  const t0 = performance.now()
  const result = yield* Engine.runPipeline({
    workRoot: "/tmp",
    sources: [{ spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { count, payload_bytes: payloadBytes, batch_size: batch }, tags: [] }, enabled: true }],
    groups: [{
      name: "bench",
      filter: Option.none(),
      sinks: [{ spec: { group: "bench", name: "hole", kind: "blackhole", connectorId: "blackhole-sink", params: {}, filter: Option.none() }, replicaCnt: 1, rateLimitRps: 0 }]
    }]
  }, engineOptions)
  const seconds = since(t0)
  const counts = yield* (yield* MemoryStore).counts("hole")
  if (counts.events !== count || result.status !== "completed") {
    return yield* Effect.dieMessage(`lost events: ${counts.events} of ${count} (${result.status})`)
  }
  report({ scenario: "memory-blackhole", impl: "engine", events: counts.events, bytes: counts.bytes, seconds })
}).pipe(Effect.provide(Builtins.layer))

if (impl === "baseline") baseline()
else Effect.runPromise(engine).catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
