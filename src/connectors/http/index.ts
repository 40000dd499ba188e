/**
 * The `http` connector: an ingest acceptor taking newline-delimited text or JSON lines over
 * `POST /ingest` (bearer token, body limit, `503` + `Retry-After` when full, `GET /health`), and a sink
 * POSTing batches as text lines, NDJSON or a JSON array (gzip, bearer or basic auth, `Retry-After`).
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as HttpSink from "./sink.js"
import * as HttpSource from "./source.js"

export { adapter, healthPath, kind, SinkFormat, SinkParams, sinkDefs, SourceParams, sourceDefs } from "./params.js"
export * as BatchBody from "./batch-body.js"
export * as HttpAcceptor from "./acceptor.js"
export * as HttpSink from "./sink.js"
export * as HttpSource from "./source.js"
export * as HttpStatus from "./status.js"
export * as Intake from "./intake.js"
export * as Poster from "./poster.js"
export * as RetryAfter from "./retry-after.js"

/** Registers the `http` kind: its source and sink factories, URL adapter and the `http-src` / `http-sink` definitions. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: HttpSource.factory,
  sink: HttpSink.factory,
  adapter,
  sourceDefProvider: sourceDefs,
  sinkDefProvider: sinkDefs
})
