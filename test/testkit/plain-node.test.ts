import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

/** The bare specifiers (packages) reachable from `entry` through its relative imports, transitively. */
const packagesReachableFrom = (entry: string): ReadonlySet<string> => {
  const packages = new Set<string>()
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = fs.readFileSync(file, "utf8")
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      const specifier = match[1]!
      if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts")))
      else packages.add(specifier)
    }
  }
  visit(entry)
  return packages
}

const isVitest = (specifier: string) => specifier === "vitest" || specifier.startsWith("vitest/") || specifier.startsWith("@effect/vitest")

/** Runs `script` (an ES module) in a plain `node` with tsx's loader, from the repo root; yields its stdout. */
const plainNode = (script: string) =>
  Effect.async<string, Error>((resume) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { cwd: root, timeout: 60_000, env: { ...process.env, VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined } },
      (error, stdout, stderr) => resume(error === null ? Effect.succeed(stdout) : Effect.fail(new Error(`${error.message}\n${stderr}`)))
    )
    return Effect.sync(() => void child.kill())
  })

describe("wp-connector-api/testkit needs no test runner", () => {
  it("nothing reachable from src/testkit/index.ts imports vitest or @effect/vitest; the vitest entry does", () => {
    const plain = packagesReachableFrom(path.join(root, "src/testkit/index.ts"))
    expect([...plain].filter(isVitest)).toEqual([])
    expect(plain.has("effect")).toBe(true)
    const suites = packagesReachableFrom(path.join(root, "src/testkit/vitest.ts"))
    expect([...suites].filter(isVitest)).toEqual(["@effect/vitest"])
  })

  it.live("a plain node program imports it and uses freePort, withTempWorkRoot and a sink check", () =>
    Effect.gen(function*() {
      const out = yield* plainNode(`
        import * as net from "node:net"
        import * as fs from "node:fs"
        import { Effect, Option } from "effect"
        import { freePort, withTempWorkRoot, SinkChecks } from "./src/testkit/index.ts"
        import * as Memory from "./src/connectors/memory/index.ts"
        const port = await Effect.runPromise(freePort)
        const bound = await new Promise((done, fail) => {
          const server = net.createServer().once("error", fail)
          server.listen(port, "127.0.0.1", () => {
            const address = server.address()
            server.close(() => done(address.port))
          })
        })
        const dir = await Effect.runPromise(Effect.scoped(Effect.map(withTempWorkRoot, (d) => [d, fs.existsSync(d)])))
        const store = await Effect.runPromise(Memory.MemoryStore.make)
        await Effect.runPromise(SinkChecks.largeBatchKeepsOrder({
          factory: Memory.MemorySink.factory(store),
          spec: { group: "g", name: "out", kind: "memory", connectorId: "memory-sink", params: { buffer: "out" }, filter: Option.none() },
          read: () => store.read("out")
        }))
        const written = (await Effect.runPromise(store.read("out"))).length
        console.log(JSON.stringify({ port, bound, dir: dir[0], existed: dir[1], removed: !fs.existsSync(dir[0]), written }))
      `)
      const report = JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, unknown>
      expect(report["port"]).toBeGreaterThan(0)
      expect(report["bound"]).toBe(report["port"])
      expect(report["existed"]).toBe(true)
      expect(report["removed"]).toBe(true)
      expect(report["written"]).toBe(5032)
    }), 90_000)
})
