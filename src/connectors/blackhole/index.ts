/**
 * The `blackhole` connector: a sink that counts events and bytes into the `MemoryStore`
 * (under its `counter` name, default the sink's name) and discards them.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import type { ConfigError } from "../../errors/config.js"
import * as DataRecord from "../../model/record.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import * as SinkFactory from "../../sink/factory.js"
import * as AsyncSink from "../../sink/sink.js"
import { MemoryStore } from "../memory/store.js"

/** The connector kind. */
export const kind = "blackhole"

/** Sink params: the name of the counter (default: the sink's name). */
export const SinkParams = Schema.Struct({ counter: Schema.optional(Schema.String.pipe(Schema.minLength(1))) })

/** The sink definition `blackhole-sink`: no defaults, `counter` overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "blackhole-sink", kind, params: SinkParams })

const strBytes = (data: ReadonlyArray<string>): number => {
  let n = 0
  for (const s of data) n += Buffer.byteLength(s, "utf8")
  return n
}

/** A sink that counts into `store`'s counter `counter` and keeps nothing. */
export const make = (store: MemoryStore, counter: string): AsyncSink.AsyncSink =>
  AsyncSink.make({
    identifier: `blackhole:${counter}`,
    sinkStr: (data) => store.count(counter, 1, Buffer.byteLength(data, "utf8")),
    sinkBytes: (data) => store.count(counter, 1, data.byteLength),
    sinkStrBatch: (data) => store.count(counter, data.length, strBytes(data)),
    sinkBytesBatch: (data) => store.count(counter, data.length, data.reduce((n, b) => n + b.byteLength, 0)),
    sinkRecords: (records) => store.count(counter, records.length, strBytes(records.map(DataRecord.toJsonText)))
  })

/** The `blackhole` sink factory, counting into `store`. */
export const factory = (store: MemoryStore): SinkFactory.SinkFactory =>
  SinkFactory.withParams({
    kind,
    params: SinkParams,
    build: (params, spec) => Effect.succeed(SinkFactory.handle(make(store, params.counter ?? spec.name)))
  })

/** `blackhole://` (optionally `blackhole://<counter>`). */
export const adapter = ConnectorKindAdapter.make({
  kind,
  urlToParams: (url) =>
    Effect.map(ConnectorKindAdapter.parseUrl(url, ["blackhole"]), (u) => (u.hostname.length > 0 ? { counter: u.hostname } : {}))
})

/** Registers the `blackhole` kind; its sinks count into the `MemoryStore` in context. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry | MemoryStore> = Layer
  .effectDiscard(
    Effect.gen(function*() {
      const store = yield* MemoryStore
      const registry = yield* ConnectorRegistry.ConnectorRegistry
      yield* registry.register({ kind, sink: factory(store), adapter, sinkDefProvider: sinkDefs })
    })
  )
