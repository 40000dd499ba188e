/**
 * Helpers of the multi-file `file` source tests: building a source of params under a temp dir, reading
 * it (acking as it goes) until a condition holds, and the lines of the files it read.
 */
import * as path from "node:path"
import { Effect } from "effect"
import * as Checkpoint from "../../../src/connectors/file/checkpoint.js"
import * as FileSetCheckpoint from "../../../src/connectors/file/file-set-checkpoint.js"
import * as FileConnector from "../../../src/connectors/file/index.js"
import { ConnectorRegistry, type DataSource, type ParamMap, RawData, type SourceEvent, SourceFactory } from "../../../src/index.js"

const registry = ConnectorRegistry.fromConnectors(FileConnector.layer)

/** Builds the `file` source `name` of `params` (`base` is `dir`) in the current Scope, with `dir/work` as work root. */
export const build = (dir: string, params: ParamMap.ParamMap, name = "in") =>
  Effect.gen(function*() {
    const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("file")
    const svc = yield* factory.build(
      { name, kind: "file", connectorId: "file-src", params: { base: dir, ...params }, tags: ["env:test"] },
      SourceFactory.buildCtx(path.join(dir, "work"))
    )
    return svc.sources[0]!.source
  }).pipe(Effect.provide(registry))

/** The payload of `event` as text. */
export const textOf = (event: SourceEvent.SourceEvent): string => RawData.text(event.payload)

/** The `file` tag of `event`. */
export const fileOf = (event: SourceEvent.SourceEvent): string | undefined => event.tags.values[event.tags.keys.indexOf("file")]

/**
 * Receives (acking each batch when `ack`) until `done` holds of what arrived, the source ends, or
 * `tries` receives were made (sleeping 5 ms after an empty one); every event received.
 */
export const drain = (
  source: DataSource.DataSource,
  done: (events: ReadonlyArray<SourceEvent.SourceEvent>) => boolean,
  options: { readonly ack?: boolean; readonly tries?: number } = {}
) =>
  Effect.gen(function*() {
    const out: Array<SourceEvent.SourceEvent> = []
    const tries = options.tries ?? 2000
    for (let i = 0; i < tries && !done(out); i++) {
      const batch = yield* Effect.catchTag(source.receive, "SourceEof", () => Effect.succeed(undefined))
      if (batch === undefined) break
      if (batch.length === 0) yield* Effect.sleep("5 millis")
      if (options.ack !== false && batch.length > 0) yield* source.ackBatch(batch.map((e) => e.ackToken))
      out.push(...batch)
    }
    return out
  })

/** The checkpoint entries of the multi-file source `name` under `dir/work` (its newest record), by file name. */
export const savedOffsets = (dir: string, name = "in") =>
  Effect.map(Effect.orDie(FileSetCheckpoint.load(Checkpoint.location(path.join(dir, "work"), name))), (loaded) =>
    loaded._tag === "Found" ? Object.fromEntries(loaded.files.map((f) => [path.basename(f.path), f.offset])) : {})
