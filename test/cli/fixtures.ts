/**
 * Fixtures of the CLI tests: running `wpc` in-process with its output captured, and the "done when"
 * copy of examples/file-to-file with a refused override, an unknown connector id and a malformed file.
 * Copies of the example leave out the run state it may hold (see `copyTracked`).
 */
import { NodeContext } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Wpc from "../../src/cli/wpc.js"
import { copyTracked } from "../examples/copy-tracked.js"

/** The repository's examples/file-to-file. */
export const example = path.join(import.meta.dirname, "..", "..", "examples", "file-to-file")

/** What one in-process run of `wpc` did: its exit code, stdout and stderr text. */
export interface Outcome {
  readonly code: number
  readonly out: string
  readonly err: string
}

/** Runs `wpc args...` in-process (built-in connectors, Node platform), capturing what it prints. */
export const wpc = (...args: ReadonlyArray<string>): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const base = yield* Effect.console
    const capture: Console.Console = {
      ...base,
      log: (...items) => Effect.sync(() => void out.push(items.join(" "))),
      error: (...items) => Effect.sync(() => void err.push(items.join(" ")))
    }
    const code = yield* Wpc.run(["node", "wpc", ...args]).pipe(Effect.withConsole(capture), Effect.provide(NodeContext.layer))
    return { code, out: out.join("\n"), err: err.join("\n") }
  })

/** The three problems the "done when" copy has, by file (relative to its work root). */
export const brokenFiles = {
  override: "topology/sources/file.toml",
  unknownId: "topology/sinks/business.d/all.toml",
  malformed: "connectors/source.d/broken.toml"
} as const

/** Copies examples/file-to-file into `dir` and breaks it: a refused override, an unknown connector id, a malformed file. */
export const breakCopy = (dir: string) =>
  Effect.promise(async () => {
    copyTracked(example, dir)
    const sources = path.join(dir, brokenFiles.override)
    await fs.writeFile(sources, (await fs.readFile(sources, "utf8")).replace(`file = "sample.log"\n`, `file = "sample.log"\nfollow = true\n`))
    const sinks = path.join(dir, brokenFiles.unknownId)
    await fs.writeFile(sinks, (await fs.readFile(sinks, "utf8")).replace(`connect = "file_sink"`, `connect = "file_snk"`))
    await fs.writeFile(path.join(dir, brokenFiles.malformed), `[[connectors]\nid = "broken"\n`)
  })
