/**
 * The guide's section 5 in-memory connector, written against the Effect API:
 * `MemorySource`, `MemorySink` over a shared `MemorySinkBuffer`, and `DemoConnectorFactory`
 * (definitions + source and sink factories + the registry Layer). Run it with `npm start`.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Chunk, Console, Effect, Option, Ref, Stream } from "effect"
import { pathToFileURL } from "node:url"
import {
  AsyncSink,
  ConnectorDef,
  ConnectorRegistry,
  DataSource,
  RawData,
  SinkFactory,
  SourceEvent,
  SourceFactory
} from "../src/index.js"
import type { SourceBatch } from "../src/index.js"

/** The sink's shared buffer: what every `MemorySink` built from it has written. */
export type MemorySinkBuffer = Ref.Ref<ReadonlyArray<string>>

/** A new, empty buffer. */
export const makeMemorySinkBuffer: Effect.Effect<MemorySinkBuffer> = Ref.make<ReadonlyArray<string>>([])

/** A source that yields `events` one per batch, then empty batches ("no more data"). */
export const MemorySource = (name: string, events: ReadonlyArray<string>): DataSource.DataSource => {
  let cursor = 0
  const next = (): SourceBatch => {
    if (cursor >= events.length) return []
    const event = SourceEvent.make({ eventId: cursor, srcKey: name, payload: RawData.fromString(events[cursor]!) })
    cursor += 1
    return [event]
  }
  return DataSource.make({
    identifier: `memory-source:${name}`,
    receive: Effect.sync(next),
    tryReceive: () => (cursor < events.length ? Option.some(next()) : Option.none())
  })
}

/** A sink that appends what it is given to `buffer`; records are written as `"record"`. */
export const MemorySink = (buffer: MemorySinkBuffer): AsyncSink.AsyncSink => {
  const push = (items: ReadonlyArray<string>) => Ref.update(buffer, (data) => [...data, ...items])
  return AsyncSink.make({
    identifier: "memory-sink",
    sinkStr: (data) => push([data]),
    sinkBytes: (data) => push([RawData.text(data)]),
    sinkStrBatch: (data) => push(data),
    sinkBytesBatch: (data) => push(data.map(RawData.text)),
    sinkRecord: () => push(["record"]),
    sinkRecords: (records) => push(records.map(() => "record"))
  })
}

/** The demo connector: its definitions, its source and sink factories, and its registry Layer. */
export const DemoConnectorFactory = (options: {
  readonly sinkBuffer: MemorySinkBuffer
  readonly sourceEvents: ReadonlyArray<string>
}) => {
  const sourceDefs = ConnectorDef.makeSourceDefProvider({
    sourceDef: () =>
      ConnectorDef.make({ id: "demo-source", kind: "memory", allowOverride: ["events"], origin: "demo" })
  })
  const sinkDefs = ConnectorDef.makeSinkDefProvider({
    sinkDef: () => ConnectorDef.make({ id: "demo-sink", kind: "memory" })
  })
  const source = SourceFactory.make({
    kind: "memory",
    build: (spec) =>
      Effect.succeed(
        SourceFactory.withSources(SourceFactory.svcIns, [
          SourceFactory.handle(MemorySource(spec.name, options.sourceEvents), SourceFactory.meta(spec.name, "memory"))
        ])
      )
  })
  const sink = SinkFactory.make({
    kind: "memory",
    build: () => Effect.succeed(SinkFactory.handle(MemorySink(options.sinkBuffer)))
  })
  return {
    ...sourceDefs,
    ...sinkDefs,
    source,
    sink,
    /** Registers the `memory` kind's factories and definitions. */
    layer: ConnectorRegistry.register({
      kind: "memory",
      source,
      sink,
      defs: [...sourceDefs.sourceDefs(), ...sinkDefs.sinkDefs()]
    })
  }
}

/** Builds the demo source and sink through the registry, moves every event, and returns the buffer. */
export const runDemo = (events: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const sinkBuffer = yield* makeMemorySinkBuffer
    const demo = DemoConnectorFactory({ sinkBuffer, sourceEvents: events })
    const program = Effect.gen(function*() {
      const registry = yield* ConnectorRegistry.ConnectorRegistry
      const sourceFactory = yield* registry.sourceFactory("memory")
      const sinkFactory = yield* registry.sinkFactory("memory")
      const svc = yield* sourceFactory.build(
        { name: "demo", kind: "memory", connectorId: "demo-source", params: {}, tags: [] },
        SourceFactory.buildCtx(".")
      )
      const { sink } = yield* sinkFactory.build(
        { group: "demo", name: "memory", kind: "memory", connectorId: "demo-sink", params: {}, filter: Option.none() },
        SinkFactory.buildCtx({ workRoot: "." })
      )
      const { source } = svc.sources[0]!
      yield* DataSource.stream(source).pipe(
        Stream.take(events.length),
        Stream.runForEachChunk((batch) =>
          sink.sinkStrBatch(Chunk.toReadonlyArray(batch).map((e) => RawData.text(e.payload)))
        )
      )
    })
    yield* Effect.scoped(program).pipe(Effect.provide(ConnectorRegistry.fromConnectors(demo.layer)))
    return yield* Ref.get(sinkBuffer)
  })

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const events = ["hello", "from", "wp-connector-api"]
  NodeRuntime.runMain(
    Effect.gen(function*() {
      const written = yield* runDemo(events)
      yield* Console.log(`memory source -> memory sink: ${written.length} events`)
      for (const line of written) yield* Console.log(`  ${line}`)
    })
  )
}
