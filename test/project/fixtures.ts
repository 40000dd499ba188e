/**
 * Fixtures of the project tests: a temporary work root written from a table of files, and a small
 * in-test connector kind `net` (source and sink, URL adapter with defaults, def provider, validateSpec)
 * plus a source-only kind `gen`.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Either, Schema, type Scope } from "effect"
import {
  AsyncSink,
  ConfigError,
  ConnectorDef,
  ConnectorKindAdapter,
  ConnectorRegistry,
  DataSource,
  ParamMap,
  SinkFactory,
  SourceFactory
} from "../../src/index.js"
import * as Project from "../../src/project/project.js"

/** Files of a project: relative path to text (`undefined` leaves the file out). */
export type Files = { readonly [rel: string]: string | undefined }

/** Writes `files` under `dir`. */
export const writeFiles = (dir: string, files: Files) =>
  Effect.promise(async () => {
    for (const [rel, text] of Object.entries(files)) {
      if (text === undefined) continue
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
      await fs.writeFile(path.join(dir, rel), text)
    }
  })

/** A fresh directory under the OS temp dir, removed with its content when the Scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "wpc-project-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

/** A temporary work root holding `files`. */
export const workRoot = (files: Files): Effect.Effect<string, never, Scope.Scope> =>
  Effect.tap(tempDir, (dir) => writeFiles(dir, files))

/** The `net` params: open-ended (the index signature), so the tests may pass keys such as `password` or `labels`. */
const NetParams = Schema.Struct(
  { host: Schema.NonEmptyString, port: Schema.Int.pipe(Schema.between(1, 65535)), retries: Schema.Int },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

const validateNet = (params: ParamMap.ParamMap) => Effect.asVoid(ParamMap.decodeParams(NetParams, params))

/** Specs the `net` factories were asked to build (to prove a clean project builds). */
export const built: Array<string> = []

const netSource = SourceFactory.make({
  kind: "net",
  validateSpec: (spec) => validateNet(spec.params),
  build: (spec) =>
    Effect.sync(() => {
      built.push(`source:${spec.name}`)
      return SourceFactory.withSources(SourceFactory.svcIns, [
        SourceFactory.handle(DataSource.make({ identifier: spec.name, receive: Effect.succeed([]) }), SourceFactory.meta(spec.name, "net"))
      ])
    })
})

const netSink = SinkFactory.make({
  kind: "net",
  validateSpec: (spec) => validateNet(spec.params),
  build: (spec) =>
    Effect.sync(() => {
      built.push(`sink:${spec.group}/${spec.name}`)
      return SinkFactory.handle(AsyncSink.make({ sinkStr: () => Effect.void }))
    })
})

/** `net://host:port` gives `{ host, port }`; defaults `{ retries: 3 }`. */
export const netAdapter = ConnectorKindAdapter.make({
  kind: "net",
  defaults: { retries: 3 },
  urlToParams: (url) =>
    Effect.map(ConnectorKindAdapter.parseUrl(url, ["net"]), (u) => ({ host: u.hostname, port: Number(u.port) }))
})

/** The `net` provider refuses a source definition whose default `host` is `0.0.0.0`. */
const netSourceDefs = ConnectorDef.makeSourceDefProvider({
  sourceDef: () =>
    ConnectorDef.make({ id: "net-src", kind: "net", allowOverride: ["port"], defaultParams: { host: "127.0.0.1", port: 7000 } }),
  validateSource: (def) =>
    def.defaultParams["host"] === "0.0.0.0"
      ? Effect.fail(new ConfigError({ detail: "net sources may not listen on every interface", path: "params.host" }))
      : Effect.void
})

/** A source-only kind `gen` without adapter. */
const genSource = SourceFactory.make({ kind: "gen", build: () => Effect.succeed(SourceFactory.svcIns) })

/** A registry holding `net` (source, sink, adapter, source def provider) and `gen` (source only). */
export const registry = ConnectorRegistry.fromConnectors(
  ConnectorRegistry.register({ kind: "net", source: netSource, sink: netSink, adapter: netAdapter, sourceDefProvider: netSourceDefs }),
  ConnectorRegistry.register({ kind: "gen", source: genSource })
)

/** A clean project over `net`: one source `in1`, one sink group `main` with sink `out1`. */
export const cleanFiles: Files = {
  "connectors/source.d/net.toml": `# source connectors
[[connectors]]
id = "net_in"
type = "net"
allow_override = ["port", "url"]

[connectors.params]
host = "10.0.0.1"
port = 9000
`,
  "connectors/sink.d/net.toml": `[[connectors]]
id = "net_out"
type = "net"
allow_override = ["port", "password"]
params = { host = "10.0.0.2", port = 9100 }
`,
  "topology/sources/a.toml": `[[sources]]
key = "in1"
connect = "net_in"
tags = ["env:test", "app:a"]
params = { port = 9001 }
`,
  "topology/sinks/main.toml": `[sink_group]
name = "main"

[[sink_group.sinks]]
name = "out1"
connect = "net_out"
`
}

/** Loads the project in `dir` with the test registry and `env`; the `ProjectErrors` or the project. */
export const load = (dir: string, env: { readonly [k: string]: string } = {}) =>
  Project.loadProject(dir, { env }).pipe(Effect.either, Effect.provide(registry))

/** Loads a temp project of `files` and returns its errors (failing the test when it loads clean). */
export const errorsOf = (files: Files, env: { readonly [k: string]: string } = {}) =>
  Effect.gen(function*() {
    const dir = yield* workRoot(files)
    const result = yield* load(dir, env)
    if (Either.isRight(result)) return yield* Effect.dieMessage("the project loaded clean")
    return { dir, errors: result.left.errors, failure: result.left }
  })
