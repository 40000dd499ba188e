/**
 * The `http` connector: an ingest acceptor taking newline-delimited text or JSON lines over
 * `POST /ingest` (bearer token, body limit, `503` + `Retry-After` when full, `GET /health`).
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sourceDefs } from "./params.js"
import * as HttpSource from "./source.js"

export { adapter, healthPath, kind, SourceParams, sourceDefs } from "./params.js"
export * as HttpAcceptor from "./acceptor.js"
export * as HttpSource from "./source.js"
export * as Intake from "./intake.js"

/** Registers the `http` kind: its source factory, URL adapter and the `http-src` definition. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: HttpSource.factory,
  adapter,
  sourceDefProvider: sourceDefs
})
