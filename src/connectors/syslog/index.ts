/**
 * The `syslog` connector: a source receiving syslog messages over UDP or TCP (RFC 6587 framing),
 * reading their RFC 5424 / RFC 3164 headers into tags, optionally stripping them.
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sourceDefs } from "./params.js"
import * as SyslogSource from "./source.js"

export { adapter, kind, SourceParams, sourceDefs } from "./params.js"
export * as SyslogParser from "./parser.js"
export * as SyslogSource from "./source.js"
export * as UdpReceiver from "./udp.js"

/** Registers the `syslog` kind: its source factory, URL adapter and the `syslog-src` definition. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: SyslogSource.factory,
  adapter,
  sourceDefProvider: sourceDefs
})
