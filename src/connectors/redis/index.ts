/**
 * The `redis` (Streams) connector: a consumer-group source (XREADGROUP, XACK, XAUTOCLAIM of idle
 * entries, seek by XGROUP SETID) and a sink that appends with pipelined XADD.
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as RedisSink from "./sink.js"
import * as RedisSource from "./source.js"

export { adapter, kind, SinkParams, sinkDefs, SourceParams, sourceDefs } from "./params.js"
export * as RedisConnection from "./connection.js"
export * as RedisEntry from "./entry.js"
export * as RedisSink from "./sink.js"
export * as RedisSource from "./source.js"

/** Registers the `redis` kind: its source and sink factories, URL adapter and the `redis-src` / `redis-sink` definitions. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: RedisSource.factory,
  sink: RedisSink.factory,
  adapter,
  sourceDefProvider: sourceDefs,
  sinkDefProvider: sinkDefs
})
