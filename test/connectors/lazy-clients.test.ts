/**
 * The connectors' client libraries load on first use: importing the library, or running `wpc
 * --version` / `wpc check` on a file -> file project, loads no broker or database client (nats,
 * ioredis, mysql2, pg), while building a connector of that kind still loads its client. Nor does
 * importing the library load the CLI's packages (@effect/cli, @effect/platform-node).
 * Real child processes over the run's transpiled sources; the clients are CommonJS packages, so what
 * a process loaded is read from the CommonJS module cache when it exits; ES modules are recorded by a
 * module load hook.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import * as url from "node:url"
import { transpiled, wpcMain } from "../js-build.js"
import { tempDir } from "../project/fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..")
const clients = ["nats", "ioredis", "mysql2", "pg"]
/** The packages only `wpc` uses: the command line and its platform. */
const cliPackages = ["@effect/cli", "@effect/platform-node", "@effect/platform-node-shared", "@effect/printer", "@effect/printer-ansi"]

/** A module for `node --import`: prints, on exit, the packages whose CommonJS modules the process loaded. */
const probe = `
import { createRequire } from "node:module"
const cache = createRequire(import.meta.url).cache
process.on("exit", () => {
  const packages = new Set(Object.keys(cache).map((f) => f.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//)?.[1]).filter(Boolean))
  process.stderr.write("LOADED " + JSON.stringify([...packages].sort()) + "\\n")
})
`

/** Module load hooks (run on the loader's thread): append the URL of every ES module loaded to the file `initialize` is given. */
const esmHooks = `
import { appendFileSync } from "node:fs"
let log
export const initialize = (data) => { log = data.log }
export const load = (url, context, next) => { appendFileSync(log, url + "\\n"); return next(url, context) }
`

/** The packages of the `node_modules` files among `files` (paths or file URLs). */
const packagesOf = (files: ReadonlyArray<string>): Array<string> =>
  [...new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((p) => p !== undefined))].sort()

/** Runs node with the probes and `args`; returns the exit code, stdout, the CommonJS packages and the ES module packages it loaded. */
const loaded = (dir: string, args: ReadonlyArray<string>) =>
  Effect.sync(() => {
    const hook = path.join(dir, "probe.mjs")
    fs.writeFileSync(hook, probe)
    const hooks = path.join(dir, "esm-hooks.mjs")
    fs.writeFileSync(hooks, esmHooks)
    const log = path.join(dir, "esm-loaded.txt")
    fs.writeFileSync(log, "")
    const register = `import { register } from "node:module"; register(${JSON.stringify(url.pathToFileURL(hooks).href)}, { data: { log: ${JSON.stringify(log)} } })`
    const result = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(register)}`, "--import", hook, ...args], {
      cwd: repo,
      encoding: "utf8",
      timeout: 60_000
    })
    const line = result.stderr.split("\n").find((l) => l.startsWith("LOADED "))
    return {
      code: result.status,
      out: result.stdout,
      err: result.stderr,
      packages: JSON.parse(line?.slice("LOADED ".length) ?? "null") as Array<string> | null,
      esmPackages: packagesOf(fs.readFileSync(log, "utf8").split("\n"))
    }
  })

describe("connector clients load on first use (real processes)", () => {
  it.scopedLive("import of the library loads no broker or database client and not the CLI; building a nats connection loads nats", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const index = transpiled(path.join(repo, "src", "index.ts"))
      const client = transpiled(path.join(repo, "src", "connectors", "nats", "client.ts"))
      const plain = yield* loaded(dir, ["--input-type=module", "-e", `await import(${JSON.stringify(index)})`])
      expect(plain.code).toBe(0)
      expect(plain.packages).not.toBeNull()
      expect(plain.packages!.filter((p) => clients.includes(p))).toEqual([])
      // the library's own ES modules were seen by the hook (it works), the CLI's packages were not loaded
      expect(plain.esmPackages).toContain("effect")
      expect(plain.esmPackages.filter((p) => cliPackages.includes(p))).toEqual([])
      const used = yield* loaded(dir, ["--input-type=module", "-e", `await import(${JSON.stringify(index)}); await (await import(${JSON.stringify(client)})).load()`])
      expect(used.code).toBe(0)
      expect(used.packages).toContain("nats")
    }))

  it.scopedLive("wpc --version and wpc check on examples/file-to-file load no broker or database client", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const version = yield* loaded(dir, [wpcMain, "--version"])
      expect(version.code).toBe(0)
      expect(version.packages!.filter((p) => clients.includes(p))).toEqual([])
      // what the library's import must not load, `wpc` does (the hook sees it)
      expect(version.esmPackages).toContain("@effect/cli")
      const check = yield* loaded(dir, [wpcMain, "check", "--work-root", "examples/file-to-file"])
      expect(check.code).toBe(0)
      expect(check.out).toContain("ok: 1 source, 1 sink group, 1 sink")
      expect(check.packages!.filter((p) => clients.includes(p))).toEqual([])
    }))
})
