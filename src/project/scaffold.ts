/**
 * `Scaffold`: the small working project `wpc init DIR` writes — a `file` source reading a sample log
 * and a `file` sink writing a copy — in the WarpParse layout, with a pipeline test (`wpc test`).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { ConfigError } from "../errors/config.js"
import { describeCause } from "../errors/describe.js"

/** A file of the scaffold: its path relative to the project directory, and its text. */
export interface ScaffoldFile {
  readonly path: string
  readonly text: string
}

const sampleLog = [
  "<34>Oct 11 22:14:15 web-01 sshd[4721]: Accepted publickey for deploy from 10.0.0.5 port 52113 ssh2",
  "<86>Oct 11 22:14:16 web-01 sudo: deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/systemctl restart nginx",
  "<30>Oct 11 22:14:17 web-01 systemd[1]: Started nginx.service - A high performance web server.",
  "<27>Oct 11 22:14:20 web-01 nginx[5123]: connect() failed (111: Connection refused) while connecting to upstream",
  "<13>Oct 11 22:14:22 web-01 app[6001]: user=alice action=login status=ok latency_ms=42",
  "<12>Oct 11 22:14:25 web-01 app[6001]: user=bob action=upload status=denied size=1048576"
].join("\n") + "\n"

/** The first line of the sample log (the input of the scaffold's test). */
const firstLine = sampleLog.slice(0, sampleLog.indexOf("\n"))

/** The files of the scaffold, in the order they are written. */
export const files: ReadonlyArray<ScaffoldFile> = [
  {
    path: "connectors/source.d/file.toml",
    text: `# Source connectors: what a [[sources]] entry may connect to.
[[connectors]]
id = "file_src"
type = "file"
# The keys a [[sources]] entry may override in its params.
allow_override = ["base", "file", "encode"]

[connectors.params]
# Relative paths resolve against the work root (this directory), wherever the pipeline runs from.
base = "data/in"
file = "sample.log"
encode = "text"
`
  },
  {
    path: "connectors/sink.d/file.toml",
    text: `# Sink connectors: what a [[sink_group.sinks]] entry may connect to.
[[connectors]]
id = "file_sink"
type = "file"
allow_override = ["base", "file", "fmt"]

[connectors.params]
base = "data/out"
file = "out.log"
fmt = "raw"
`
  },
  {
    path: "topology/sources/file.toml",
    text: `# Each [[sources]] entry is one running source.
[[sources]]
key = "sample_log"
enable = true
connect = "file_src"
tags = ["env:dev", "app:sample"]

[sources.params]
file = "sample.log"
`
  },
  {
    path: "topology/sinks/defaults.toml",
    text: `# Tags every sink group starts with.
tags = ["pipeline:file-to-file"]
`
  },
  {
    path: "topology/sinks/business.d/all.toml",
    text: `# A sink group: every event its filter selects goes to each of its sinks.
[sink_group]
name = "all"
tags = ["route:all"]

[[sink_group.sinks]]
name = "copy"
connect = "file_sink"

[sink_group.sinks.params]
file = "sample.out.log"
`
  },
  {
    path: "tests/sample.toml",
    text: `# Pipeline tests: \`wpc test --work-root <this directory>\` runs each event through the processors of its
# source and the sink filters (no connector started) and compares what reaches each sink.
[[tests]]
name = "a line reaches the sink copy unchanged, with the source's tags"
source = "sample_log"

[[tests.events]]
payload = "${firstLine}"

[[tests.events.outputs]]
sink = "all/copy"
payload = "${firstLine}"
tags = ["app:sample", "env:dev"]
# Once a parser makes a record of the line (processors = [...] in topology/sources/file.toml), an
# output states its fields, each in its TOML type:  fields = { host = "web-01", severity = 2 }
`
  },
  { path: "data/in/sample.log", text: sampleLog },
  { path: ".gitignore", text: "data/out/\ncheckpoints/\nrescue/\n" },
  {
    path: "README.md",
    text: `# file-to-file

A project written by \`wpc init\`: the \`file\` source \`sample_log\` reads \`data/in/sample.log\`, and
the sink group \`all\` copies every line to \`data/out/sample.out.log\`.

- \`connectors/source.d/\`, \`connectors/sink.d/\`: connector definitions (\`[[connectors]]\`).
- \`topology/sources/\`: the sources (\`[[sources]]\`).
- \`topology/sinks/\`: the sink groups (\`[sink_group]\`), and default tags in \`defaults.toml\`.
- \`tests/\`: pipeline tests (\`[[tests]]\`): input events and what should reach each sink.

Check it with \`wpc check --work-root <this directory>\`, test it with \`wpc test --work-root <this directory>\`. Relative paths in params resolve against the
work root (this directory), wherever the pipeline is run from.
`
  }
]

const failure = (dir: string, detail: string, cause?: unknown) =>
  new ConfigError({
    detail,
    file: dir,
    ...(cause === undefined ? {} : { cause })
  })

/**
 * Writes the scaffold into `dir` (created if missing) and returns the paths written. A `dir` that exists
 * and is not an empty directory is refused with a `ConfigError`: nothing is overwritten.
 */
export const write = (dir: string): Effect.Effect<ReadonlyArray<string>, ConfigError> =>
  Effect.gen(function*() {
    const existing = yield* Effect.tryPromise(() => fs.readdir(dir)).pipe(
      Effect.map((names) => names.length),
      Effect.catchAll((e) => {
        const code = (e.error as { readonly code?: unknown } | undefined)?.code
        if (code === "ENOENT") return Effect.succeed(0)
        if (code === "ENOTDIR") return Effect.fail(failure(dir, "exists and is not a directory"))
        return Effect.fail(failure(dir, `cannot read the directory: ${describeCause(e.error)}`, e.error))
      })
    )
    if (existing > 0) {
      return yield* new ConfigError({
        detail: `directory is not empty (${existing} entr${existing === 1 ? "y" : "ies"}): refusing to overwrite`,
        file: dir,
        expected: "a new or empty directory",
        suggestion: "choose another directory, or empty this one first"
      })
    }
    const written: Array<string> = []
    for (const file of files) {
      const target = path.join(dir, file.path)
      yield* Effect.tryPromise({
        try: async () => {
          await fs.mkdir(path.dirname(target), { recursive: true })
          await fs.writeFile(target, file.text, { flag: "wx" })
        },
        catch: (cause) => failure(target, `cannot write the file: ${describeCause(cause)}`, cause)
      })
      written.push(target)
    }
    return written
  })
