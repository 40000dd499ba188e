/**
 * Every built-in connector in one registry: what `wpc` and the engine use by default.
 *
 * @since 0.1.0
 */
import { Layer } from "effect"
import type { ConfigError } from "../errors/config.js"
import * as ConnectorRegistry from "../registry/registry.js"
import * as Blackhole from "./blackhole/index.js"
import * as Clickhouse from "./clickhouse/index.js"
import * as File from "./file/index.js"
import * as Http from "./http/index.js"
import * as Mysql from "./mysql/index.js"
import * as Nats from "./nats/index.js"
import * as Postgres from "./postgres/index.js"
import * as Redis from "./redis/index.js"
import * as Syslog from "./syslog/index.js"
import * as Tcp from "./tcp/index.js"
import * as VictoriaMetrics from "./victoriametrics/index.js"
import * as Memory from "./memory/index.js"
import { MemoryStore } from "./memory/store.js"
import * as MemoryStoreModule from "./memory/store.js"

/** The registration Layers of the built-in connectors. */
export const connectors = [
  Memory.layer,
  Blackhole.layer,
  File.layer,
  Http.layer,
  Tcp.layer,
  Syslog.layer,
  Nats.layer,
  Redis.layer,
  Mysql.layer,
  Postgres.layer,
  Clickhouse.layer,
  VictoriaMetrics.layer
] as const

/** A registry holding every built-in connector, plus the `MemoryStore` their memory/blackhole sinks use. */
export const layer: Layer.Layer<ConnectorRegistry.ConnectorRegistry | MemoryStore, ConfigError> = ConnectorRegistry
  .fromConnectors(...connectors).pipe(Layer.provideMerge(MemoryStoreModule.layer))
