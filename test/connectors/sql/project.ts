/**
 * A project on disk for the SQL end-to-end tests, in WarpParse's layout: a `file` source reading
 * `data/in/in.log` through the processor of `records.ts`, into one sink group whose sink connects to the
 * SQL definition given; and the registry it runs with (every built-in connector, plus the SQL kind).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Layer } from "effect"
import * as Builtins from "../../../src/connectors/builtins.js"
import * as MemoryStoreModule from "../../../src/connectors/memory/store.js"
import type { ConfigError } from "../../../src/errors/config.js"
import { ConnectorRegistry } from "../../../src/index.js"
import { processorModule } from "./records.js"

/** Writes the project into `dir`: `lines` as its input, `sinkDefinition` (a `[[connectors]]` entry with id `warehouse`) as its sink. */
export const writeProject = (dir: string, options: { readonly lines: ReadonlyArray<string>; readonly sinkDefinition: string }): void => {
  const files: Record<string, string> = {
    "data/in/in.log": options.lines.map((l) => `${l}\n`).join(""),
    "connectors/source.d/file.toml": [
      "[[connectors]]", "id = \"lines\"", "type = \"file\"", "allow_override = [\"file\"]", "",
      "[connectors.params]", "base = \"data/in\"", "file = \"in.log\"", ""
    ].join("\n"),
    "connectors/sink.d/warehouse.toml": options.sinkDefinition,
    "processors/rows.toml": "[[processors]]\nname = \"rows\"\nmodule = \"processors/rows.ts\"\n",
    "processors/rows.ts": processorModule(),
    "topology/sources/lines.toml": "[[sources]]\nkey = \"lines\"\nconnect = \"lines\"\nprocessors = [\"rows\"]\n",
    "topology/sinks/business.d/db.toml": "[sink_group]\nname = \"db\"\n\n[[sink_group.sinks]]\nname = \"rows\"\nconnect = \"warehouse\"\n"
  }
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), text)
  }
}

/** Every built-in connector plus `extra` (unless the built-ins register it already), with the memory store. */
export const registryWith = (extra: Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry>) => {
  const connectors: ReadonlyArray<Layer.Layer<never, ConfigError, ConnectorRegistry.ConnectorRegistry | MemoryStoreModule.MemoryStore>> = (Builtins.connectors as ReadonlyArray<unknown>).includes(extra)
    ? Builtins.connectors
    : [...Builtins.connectors, extra]
  return ConnectorRegistry.fromConnectors(...connectors).pipe(Layer.provideMerge(MemoryStoreModule.layer))
}
