/**
 * The `file` connector: a source reading lines (or raw chunks) of a file, following appends and
 * rotation, with a checkpoint of the last acked offset; and a sink appending lines to a file.
 *
 * @since 0.1.0
 */
import type { Layer } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as ConnectorRegistry from "../../registry/registry.js"
import { adapter, kind, sinkDefs, sourceDefs } from "./params.js"
import * as FileSink from "./sink.js"
import * as FileSource from "./source.js"

export { adapter, filePath, kind, SinkParams, sinkDefs, SourceParams, sourceDefs } from "./params.js"
export * as FileCheckpoint from "./checkpoint.js"
export * as FileSetSource from "./file-set-source.js"
export * as FileSink from "./sink.js"
export * as FileSource from "./source.js"

/** Registers the `file` kind: its source and sink factories, URL adapter and definitions. */
export const layer: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry> = ConnectorRegistry.register({
  kind,
  source: FileSource.factory,
  sink: FileSink.factory,
  adapter,
  sourceDefProvider: sourceDefs,
  sinkDefProvider: sinkDefs
})
