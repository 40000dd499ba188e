/**
 * The `syslog` connector: a source receiving syslog messages over UDP or TCP (RFC 6587 framing),
 * reading their RFC 5424 / RFC 3164 headers into tags, optionally stripping them; and a sink sending
 * events as RFC 5424 / RFC 3164 messages over UDP or TCP, their headers from record fields or params.
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as SyslogSink from "./sink.js"
import * as SyslogSource from "./source.js"

export { adapter, kind, SinkParams, sinkDefs, SourceParams, sourceDefs } from "./params.js"
export * as SyslogEncoder from "./encoder.js"
export * as SyslogHeader from "./header.js"
export * as SyslogParser from "./parser.js"
export * as SyslogPriority from "./priority.js"
export * as SyslogSink from "./sink.js"
export * as SyslogSource from "./source.js"
export * as TcpSender from "./tcp-sender.js"
export * as UdpReceiver from "./udp.js"
export * as UdpSender from "./udp-sender.js"

/** Registers the `syslog` kind: its source and sink factories, URL adapter and the `syslog-src` / `syslog-sink` definitions. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: SyslogSource.factory,
  sink: SyslogSink.factory,
  adapter,
  sourceDefProvider: sourceDefs,
  sinkDefProvider: sinkDefs
})
