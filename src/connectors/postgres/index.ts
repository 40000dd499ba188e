/**
 * The `postgres` connector (PostgreSQL, client `pg`, loaded when the kind is first built): a sink
 * writing records into a table through a `columns` mapping with `COPY`, one transaction per write.
 *
 * @since 0.2.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs } from "./params.js"
import * as PostgresSink from "./sink.js"

export { adapter, kind, SinkParams, sinkDefs } from "./params.js"
export * as PostgresSink from "./sink.js"

/** Registers the `postgres` kind: its sink factory, URL adapter and the `postgres_sink` definition. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  sink: PostgresSink.factory,
  adapter,
  sinkDefProvider: sinkDefs
})
