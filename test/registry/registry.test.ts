import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import {
  AsyncSink,
  ConnectorDef,
  ConnectorKindAdapter,
  ConnectorRegistry,
  DataSource,
  SinkFactory,
  SourceFactory
} from "../../src/index.js"

const sourceOf = (kind: string) =>
  SourceFactory.make({
    kind,
    build: (spec) =>
      Effect.succeed(SourceFactory.withSources(SourceFactory.svcIns, [
        SourceFactory.handle(DataSource.make({ identifier: spec.name, receive: Effect.succeed([]) }), SourceFactory.meta(spec.name, kind))
      ]))
  })
const sinkOf = (kind: string) =>
  SinkFactory.make({ kind, build: () => Effect.succeed(SinkFactory.handle(AsyncSink.make({ sinkStr: () => Effect.void }))) })

const fileLayer = ConnectorRegistry.register({
  kind: "file",
  source: sourceOf("file"),
  sink: sinkOf("file"),
  adapter: ConnectorKindAdapter.make({ kind: "file", urlToParams: () => Effect.succeed({ base: "/var/log" }) }),
  defs: [ConnectorDef.make({ id: "file-src", kind: "file" })]
})
const nullLayer = ConnectorRegistry.register({ kind: "blackhole", sink: sinkOf("blackhole") })

describe("ConnectorRegistry", () => {
  it.effect("looks up what connector layers registered", () =>
    Effect.gen(function*() {
      const reg = yield* ConnectorRegistry.ConnectorRegistry
      expect((yield* reg.sourceFactory("file")).kind).toBe("file")
      expect((yield* reg.sinkFactory("blackhole")).kind).toBe("blackhole")
      const adapter = yield* reg.adapter("file")
      expect(Option.isSome(adapter)).toBe(true)
      expect(Option.isNone(yield* reg.adapter("blackhole"))).toBe(true)
      const kinds = yield* reg.kinds
      expect(kinds.map((k) => k.kind)).toEqual(["blackhole", "file"])
      expect(kinds[1]!.defs.map((d) => d.id)).toEqual(["file-src"])
    }).pipe(Effect.provide(ConnectorRegistry.fromConnectors(fileLayer, nullLayer))))

  it.effect("an unknown kind is a ConfigError listing the known kinds and the nearest", () =>
    Effect.gen(function*() {
      const reg = yield* ConnectorRegistry.ConnectorRegistry
      const e = yield* Effect.flip(reg.sourceFactory("fiel"))
      expect(e._tag).toBe("ConfigError")
      expect(e.code).toBe(300)
      expect(e.detail).toBe("unknown source connector kind \"fiel\"")
      expect(e.expected).toBe("one of: file")
      expect(e.suggestion).toBe("did you mean \"file\"?")
      const sinkErr = yield* Effect.flip(reg.sinkFactory("kafka"))
      expect(sinkErr.expected).toBe("one of: blackhole, file")
      expect(sinkErr.suggestion).toBeUndefined()
      // blackhole has no source factory
      expect((yield* Effect.flip(reg.sourceFactory("blackhole"))).detail).toContain("blackhole")
      expect((yield* Effect.flip(reg.adapter("nope"))).detail).toBe("unknown connector kind \"nope\"")
    }).pipe(Effect.provide(ConnectorRegistry.fromConnectors(fileLayer, nullLayer))))

  it.effect("registering one kind twice fails with a clear error", () =>
    Effect.gen(function*() {
      const again = ConnectorRegistry.register({ kind: "file", source: sourceOf("file") })
      const exit = yield* Effect.exit(Effect.provide(ConnectorRegistry.ConnectorRegistry, ConnectorRegistry.fromConnectors(fileLayer, again)))
      expect(Exit.isFailure(exit)).toBe(true)
      const e = yield* Effect.flip(Layer.build(ConnectorRegistry.fromConnectors(fileLayer, again)).pipe(Effect.scoped))
      expect(e._tag).toBe("ConfigError")
      expect(e.detail).toBe("connector kind \"file\" already has a source factory: it was registered twice")
      expect(e.path).toBe("registry.file.source")
    }))

  it.effect("a source and a sink of one kind may come from different layers", () =>
    Effect.gen(function*() {
      const reg = yield* ConnectorRegistry.ConnectorRegistry
      expect((yield* reg.sourceFactory("mq")).kind).toBe("mq")
      expect((yield* reg.sinkFactory("mq")).kind).toBe("mq")
    }).pipe(Effect.provide(ConnectorRegistry.fromConnectors(
      ConnectorRegistry.register({ kind: "mq", source: sourceOf("mq") }),
      ConnectorRegistry.register({ kind: "mq", sink: sinkOf("mq") })
    ))))

  it.effect("rejects a factory whose kind differs from the registration", () =>
    Effect.gen(function*() {
      const reg = yield* ConnectorRegistry.make
      const e = yield* Effect.flip(reg.register({ kind: "a", sink: sinkOf("b") }))
      expect(e.detail).toBe("the sink registered for kind \"a\" says its kind is \"b\"")
      expect((yield* Effect.flip(reg.register({ kind: "" }))).path).toBe("kind")
    }))
})
