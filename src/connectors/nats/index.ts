/**
 * The `nats` connector: a JetStream source (a durable pull consumer shared by every replica with the
 * same `durable`, explicit ack, seek by stream sequence or time) and a sink that publishes with the
 * stream's acknowledgement.
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as NatsSink from "./sink.js"
import * as NatsSource from "./source.js"

export { adapter, kind, SinkParams, sinkDefs, SourceParams, sourceDefs, streamSubjects } from "./params.js"
export * as NatsConnection from "./connection.js"
export * as NatsSink from "./sink.js"
export * as NatsSource from "./source.js"

/** Registers the `nats` kind: its source and sink factories, URL adapter and the `nats-src` / `nats-sink` definitions. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: NatsSource.factory,
  sink: NatsSink.factory,
  adapter,
  sourceDefProvider: sourceDefs,
  sinkDefProvider: sinkDefs
})
