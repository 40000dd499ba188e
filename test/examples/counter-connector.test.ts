import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Ref } from "effect"
import { ConnectorRegistry, ParamMap, SinkFactory, SourceFactory, Tags } from "../../src/index.js"
import * as Counter from "../../examples/counter-connector.js"

// the guide's section 5 example, as the guide shows it: it builds through the registry, its params are
// decoded (defaults filled in, an unknown key refused), and what it reads reaches its sink

const sourceSpec = (params: ParamMap.ParamMap): SourceFactory.ResolvedSourceSpec => ({
  name: "numbers",
  kind: Counter.kind,
  connectorId: "counter-src",
  params,
  tags: ["env:test"]
})

const sinkSpec = (params: ParamMap.ParamMap): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: Counter.kind,
  connectorId: "counter-sink",
  params,
  filter: Option.none()
})

describe("counter connector (docs/guide.md, section 5)", () => {
  it.scoped("registers both sides; the source yields count events with the spec's tags, then ends; the sink writes them", () =>
    Effect.gen(function*() {
      const written = yield* Ref.make<ReadonlyArray<string>>([])
      const registry = yield* Effect.provide(ConnectorRegistry.ConnectorRegistry, ConnectorRegistry.fromConnectors(Counter.layer(written)))
      const kinds = yield* registry.kinds
      expect(kinds[0]!.defs.map((d) => `${d.id} ${d.scope} ${d.allowOverride.join(",")}`)).toEqual([
        "counter-src source count,prefix",
        "counter-sink sink upper"
      ])
      const svc = yield* (yield* registry.sourceFactory(Counter.kind)).build(sourceSpec({ count: 3 }), SourceFactory.buildCtx("/tmp"))
      const { metadata, source } = svc.sources[0]!
      expect(metadata).toMatchObject({ name: "numbers", kind: "counter" })
      const { sink } = yield* (yield* registry.sinkFactory(Counter.kind)).build(sinkSpec({ upper: true }), SinkFactory.buildCtx({ workRoot: "/tmp" }))
      const events = [...(yield* source.receive), ...(yield* source.receive), ...(yield* source.receive)]
      expect(events.map((e) => e.payload)).toEqual(["event-0", "event-1", "event-2"])
      expect(events.every((e) => Tags.getOrUndefined(e.tags, "env") === "test")).toBe(true)
      expect((yield* Effect.flip(source.receive))._tag).toBe("SourceEof")
      for (const e of events) yield* sink.sinkStr(String(e.payload))
      expect(yield* Ref.get(written)).toEqual(["EVENT-0", "EVENT-1", "EVENT-2"])
    }))

  it.effect("a wrong or unknown param is a ConfigError naming it, from validateSpec as from build", () =>
    Effect.gen(function*() {
      const written = yield* Ref.make<ReadonlyArray<string>>([])
      const unknown = yield* Effect.flip(Counter.source.validateSpec(sourceSpec({ cout: 3 })))
      expect(unknown).toMatchObject({ code: 300, path: "params.cout", detail: `unknown key "cout"`, suggestion: `did you mean "count"?` })
      const negative = yield* Effect.flip(Effect.scoped(Counter.source.build(sourceSpec({ count: -1 }), SourceFactory.buildCtx("/tmp"))))
      expect(negative).toMatchObject({ code: 300, path: "params.count" })
      const sinkError = yield* Effect.flip(Counter.sink(written).validateSpec(sinkSpec({ upper: "yes" })))
      expect(sinkError).toMatchObject({ code: 300, path: "params.upper" })
    }))
})
