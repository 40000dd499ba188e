import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Ref } from "effect"
import { ConnectorDef, DataSource, RawData, SinkFactory, SourceFactory } from "../../src/index.js"
import { DemoConnectorFactory, makeMemorySinkBuffer, runDemo } from "../../examples/demo-connector.js"

const events = ["alpha", "beta", "gamma"]

describe("demo connector (the Rust crate's tests/demo_connector.rs)", () => {
  it.scoped("three events through the source land in the sink's buffer", () =>
    Effect.gen(function*() {
      const sinkBuffer = yield* makeMemorySinkBuffer
      const demo = DemoConnectorFactory({ sinkBuffer, sourceEvents: events })
      const svc = yield* demo.source.build(
        { name: "demo", kind: "memory", connectorId: "demo-source", params: {}, tags: [] },
        SourceFactory.buildCtx("/tmp")
      )
      expect(svc.sources).toHaveLength(1)
      expect(Option.isNone(svc.acceptor)).toBe(true)
      const { source, metadata } = svc.sources[0]!
      expect(metadata).toMatchObject({ name: "demo", kind: "memory" })
      expect(source.identifier).toBe("memory-source:demo")
      const { sink } = yield* demo.sink.build(
        { group: "g", name: "mem", kind: "memory", connectorId: "demo-sink", params: {}, filter: Option.none() },
        SinkFactory.buildCtx({ workRoot: "/tmp" })
      )
      const got: Array<string> = []
      for (let i = 0; i < 3; i++) {
        const batch = yield* source.receive
        expect(batch).toHaveLength(1)
        expect(batch[0]!.eventId).toBe(i)
        got.push(RawData.text(batch[0]!.payload))
      }
      expect(yield* source.receive).toEqual([])
      yield* sink.sinkStrBatch(got)
      expect(yield* Ref.get(sinkBuffer)).toEqual(events)
    }))

  it("its definitions carry the right ids, kinds and scopes", () => {
    const demo = DemoConnectorFactory({ sinkBuffer: Effect.runSync(makeMemorySinkBuffer), sourceEvents: [] })
    const src = demo.sourceDef()
    expect(src).toMatchObject({ id: "demo-source", kind: "memory", scope: "source", allowOverride: ["events"], origin: "demo" })
    const snk = demo.sinkDef()
    expect(snk).toMatchObject({ id: "demo-sink", kind: "memory", scope: "sink", allowOverride: [] })
    expect(demo.sourceDefs().map((d) => d.id)).toEqual(["demo-source"])
    expect(demo.sinkDefs().map((d) => d.id)).toEqual(["demo-sink"])
    expect(ConnectorDef.encode(src)).toEqual({ id: "demo-source", type: "memory", allow_override: ["events"], params: {} })
  })

  it.effect("runs end to end through the registry and a stream", () =>
    Effect.gen(function*() {
      expect(yield* runDemo(events)).toEqual(events)
    }))

  it.effect("the memory source serves batches from tryReceive when it can", () =>
    Effect.gen(function*() {
      const demo = DemoConnectorFactory({ sinkBuffer: yield* makeMemorySinkBuffer, sourceEvents: events })
      const svc = yield* Effect.scoped(demo.source.build(
        { name: "d", kind: "memory", connectorId: "demo-source", params: {}, tags: [] },
        SourceFactory.buildCtx("/tmp")
      ))
      const source: DataSource.DataSource = svc.sources[0]!.source
      expect(source.supportsTryReceive).toBe(true)
      const first = source.tryReceive()
      expect(Option.map(first, (b) => RawData.text(b[0]!.payload))).toEqual(Option.some("alpha"))
    }))
})
