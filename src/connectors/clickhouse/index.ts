/**
 * The `clickhouse` connector: a sink that inserts records (and raw payloads) into a ClickHouse table
 * over its HTTP interface, one `INSERT ... FORMAT JSONEachRow` per batch, with plain `node:http`.
 *
 * @since 0.2.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs } from "./params.js"
import * as ClickhouseSink from "./sink.js"

export { adapter, kind, SinkParams, sinkDefs } from "./params.js"
export * as ClickhouseHttpClient from "./http-client.js"
export * as ClickhouseRow from "./row.js"
export * as ClickhouseServerReply from "./server-reply.js"
export * as ClickhouseSink from "./sink.js"

/** Registers the `clickhouse` kind: its sink factory, URL adapter and the `clickhouse_sink` definition. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  sink: ClickhouseSink.factory,
  adapter,
  sinkDefProvider: sinkDefs
})
