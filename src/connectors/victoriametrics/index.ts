/**
 * The `victoriametrics` connector: a sink that pushes record fields as samples to VictoriaMetrics
 * (`/api/v1/import/prometheus` or `/api/v1/import`) over plain HTTP.
 *
 * @since 0.2.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { kind, sinkDefs } from "./params.js"
import * as VictoriaMetricsSink from "./sink.js"

export { defaultInsertUrl, Format, formatOf, kind, SinkParams, sinkDefs } from "./params.js"
export * as VictoriaMetricsBodies from "./bodies.js"
export * as VictoriaMetricsEncode from "./encode.js"
export * as VictoriaMetricsMetricName from "./metric-name.js"
export * as VictoriaMetricsMetrics from "./metrics.js"
export * as VictoriaMetricsPush from "./push.js"
export * as VictoriaMetricsRawLine from "./raw-line.js"
export * as VictoriaMetricsReplay from "./replay.js"
export * as VictoriaMetricsSamples from "./samples.js"
export * as VictoriaMetricsServerStart from "./server-start.js"
export * as VictoriaMetricsSink from "./sink.js"

/** Registers the `victoriametrics` kind: its sink factory and the `victoriametrics_sink` definition. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  sink: VictoriaMetricsSink.factory,
  sinkDefProvider: sinkDefs
})
