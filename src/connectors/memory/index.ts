/**
 * The `memory` connector: a configurable in-memory source and a sink writing into a `MemoryStore`.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as MemorySink from "./sink.js"
import * as MemorySource from "./source.js"
import { MemoryStore } from "./store.js"

export { kind, SinkParams, SourceParams } from "./params.js"
export * as MemorySink from "./sink.js"
export * as MemorySource from "./source.js"
export * as MemoryStore from "./store.js"

/** Registers the `memory` kind; its sinks write into the `MemoryStore` in context. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry | MemoryStore> = Layer
  .effectDiscard(
    Effect.gen(function*() {
      const store = yield* MemoryStore
      const registry = yield* ConnectorRegistry.ConnectorRegistry
      yield* registry.register({
        kind,
        source: MemorySource.factory,
        sink: MemorySink.factory(store),
        adapter,
        sourceDefProvider: sourceDefs,
        sinkDefProvider: sinkDefs
      })
    })
  )
