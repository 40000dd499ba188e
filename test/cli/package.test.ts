/**
 * The package as a user gets it: `npm pack` (which builds in `prepack`) and the tarball unpacked into
 * a fresh project's node_modules, its dependencies linked from this repository's (an install without
 * the network). The installed `wpc` runs the compiled bundle, never the TypeScript sources; it prints
 * the package's version, checks and runs a project (a custom TypeScript processor included, loaded
 * through the installed tsx), prints no colour into a pipe; the library imports without loading a
 * connector's client; LICENSE is there and every relative link of the README resolves inside the package.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { tempDir, writeFiles } from "../project/fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..")
const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as {
  readonly name: string
  readonly version: string
  readonly dependencies: { readonly [name: string]: string }
}

/** Runs `command` in `cwd`; fails the test with its output when it cannot start. */
const exec = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = process.env) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 240_000, env })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

/** Packs this repository into `dir` and installs the tarball into `dir/app/node_modules`; returns the app and the package's directory. */
const install = (dir: string) =>
  Effect.sync(() => {
    const packed = exec("npm", ["pack", "--silent", "--pack-destination", dir], repo)
    expect(packed.code, packed.err).toBe(0)
    const tarball = path.join(dir, packed.out.trim().split("\n").pop()!)
    const app = path.join(dir, "app")
    const pkg = path.join(app, "node_modules", manifest.name)
    fs.mkdirSync(pkg, { recursive: true })
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module" }))
    expect(exec("tar", ["-xzf", tarball, "-C", pkg, "--strip-components=1"], dir).code).toBe(0)
    for (const dep of Object.keys(manifest.dependencies)) {
      fs.mkdirSync(path.dirname(path.join(app, "node_modules", dep)), { recursive: true })
      fs.symlinkSync(path.join(repo, "node_modules", dep), path.join(app, "node_modules", dep), "dir")
    }
    return { app, pkg }
  })

/** Every file under `dir`, relative to it. */
const filesOf = (dir: string): Array<string> => fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(dir, f)).isFile())

describe("the packed package, installed in a fresh project (real npm pack)", () => {
  it.scopedLive("runs compiled, prints its version, checks and runs a project with a TypeScript processor, imports without clients", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { app, pkg } = yield* install(dir)
      const files = filesOf(pkg)
      // what is in the package: the build, the docs and the licence; no TypeScript sources
      expect(files).toContain("LICENSE")
      expect(fs.readFileSync(path.join(pkg, "LICENSE"), "utf8")).toContain("Apache License")
      expect(files).toContain(path.join("dist", "bin", "wpc.mjs"))
      expect(files).toContain(path.join("dist", "index.js"))
      expect(files).toContain(path.join("dist", "index.d.ts"))
      expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([])
      // the bundle leaves out the packages wpc never calls (scripts/build.mjs, `unbundled`); it names the modules it holds
      const bundle = fs.readFileSync(path.join(pkg, "dist", "bin", "wpc.mjs"), "utf8")
      expect(bundle).toContain("node_modules/@effect/cli/")
      expect(["yaml", "toml", "fast-check"].filter((p) => bundle.includes(`node_modules/${p}/`))).toEqual([])
      // the README's relative links all resolve inside the package; it names nothing outside it
      const readme = fs.readFileSync(path.join(pkg, "README.md"), "utf8")
      const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l))
      expect(links.length).toBeGreaterThan(0)
      expect(links.filter((l) => !fs.existsSync(path.join(pkg, l)))).toEqual([])
      expect(readme).not.toMatch(/\.\.\//)

      const wpc = path.join(app, "node_modules", ".bin", "wpc")
      fs.mkdirSync(path.dirname(wpc), { recursive: true })
      fs.symlinkSync(path.join(pkg, "bin", "wpc.js"), wpc)
      const version = exec(process.execPath, [wpc, "--version"], app)
      expect(version.err).toBe("")
      expect(version.out.trim()).toBe(manifest.version)
      const help = exec(process.execPath, [wpc, "--help"], app)
      expect(help.code).toBe(0)
      expect(help.out).toContain("USAGE")
      expect(help.out).not.toContain("\u001b[")

      // a project using a custom TypeScript processor that imports the installed library by name
      const project = path.join(app, "project")
      fs.cpSync(path.join(repo, "examples", "file-to-file"), project, { recursive: true })
      for (const d of ["data/out", "checkpoints", "rescue"]) fs.rmSync(path.join(project, d), { recursive: true, force: true })
      const sources = path.join(project, "topology", "sources", "file.toml")
      fs.writeFileSync(sources, fs.readFileSync(sources, "utf8").replace("tags = [", "processors = [\"upper\"]\ntags = ["))
      yield* writeFiles(project, {
        "processors/all.toml": "[[processors]]\nname = \"upper\"\nmodule = \"processors/upper.ts\"\n",
        "processors/upper.ts": [
          "import { Processor, SourceEvent } from \"wp-connector-api\"",
          "import type { SourceEvent as Event } from \"wp-connector-api\"",
          "const upper = (event: Event.SourceEvent) => SourceEvent.update(event, { payload: String(event.payload).toUpperCase() })",
          "export default Processor.sync({ kind: \"upper\" }, upper)",
          ""
        ].join("\n")
      })
      const check = exec(process.execPath, [wpc, "check", "--work-root", project], app)
      expect(check.err).toBe("")
      expect(check.code).toBe(0)
      expect(check.out).toContain("ok: 1 source, 1 sink group, 1 sink")
      const run = exec(process.execPath, [wpc, "run", "--work-root", project, "--json"], app)
      expect(run.code, run.err).toBe(0)
      const input = fs.readFileSync(path.join(project, "data", "in", "sample.log"), "utf8")
      expect(fs.readFileSync(path.join(project, "data", "out", "sample.out.log"), "utf8")).toBe(input.toUpperCase())

      // the library: imports by name, loads no client
      const lib = exec(process.execPath, ["--input-type=module", "-e", [
        "import { createRequire } from \"node:module\"",
        "const lib = await import(\"wp-connector-api\")",
        "const cache = Object.keys(createRequire(import.meta.url).cache)",
        "console.log(JSON.stringify({ engine: typeof lib.Engine.runPipeline, clients: cache.filter((f) => /node_modules\\/(nats|ioredis|mysql2|pg)\\//.test(f)) }))"
      ].join("\n")], app)
      expect(lib.err).toBe("")
      expect(JSON.parse(lib.out)).toEqual({ engine: "function", clients: [] })
    }), { timeout: 300_000 })
})
