/**
 * The `tcp` connector: a source that listens for clients sending LF-delimited or octet-counted
 * (RFC 6587) frames, with backpressure through TCP; and a sink that writes framed payloads to one
 * connection, failing retryably when it is lost.
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as TcpSink from "./sink.js"
import * as TcpSource from "./source.js"

export { adapter, kind, SinkParams, sinkDefs, SourceParams, sourceDefs } from "./params.js"
export * as Framing from "./framing.js"
export * as TcpAcceptor from "./acceptor.js"
export * as TcpSink from "./sink.js"
export * as TcpSource from "./source.js"

/** Registers the `tcp` kind: its source and sink factories, URL adapter and the `tcp-src` / `tcp-sink` definitions. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: TcpSource.factory,
  sink: TcpSink.factory,
  adapter,
  sourceDefProvider: sourceDefs,
  sinkDefProvider: sinkDefs
})
