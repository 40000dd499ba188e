/**
 * The `mysql` connector (MySQL and MariaDB, client `mysql2`, loaded when the kind is first built): a
 * sink writing records into a table through a `columns` mapping, one transaction per write, and a
 * source reading a table in key order with the key as ack token and checkpoint.
 *
 * @since 0.2.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as MysqlSink from "./sink.js"
import * as MysqlSource from "./source.js"

export { adapter, kind, SinkParams, sinkDefs, SourceParams, sourceDefs } from "./params.js"
export * as MysqlSink from "./sink.js"
export * as MysqlSource from "./source.js"

/** Registers the `mysql` kind: its source and sink factories, URL adapter and the `mysql_src` / `mysql_sink` definitions. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: MysqlSource.factory,
  sink: MysqlSink.factory,
  adapter,
  sourceDefProvider: sourceDefs,
  sinkDefProvider: sinkDefs
})
