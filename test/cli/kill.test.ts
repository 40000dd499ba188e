import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { tempDir } from "../project/fixtures.js"
import { copyTracked } from "../examples/copy-tracked.js"
import { wpcMain } from "../js-build.js"
import { example } from "./fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..")
const lines = 200_000

describe("wpc run killed with SIGKILL and restarted", () => {
  it.scopedLive("loses nothing: every line arrives at least once, duplicates only from the unacked window", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "killed")
      copyTracked(example, dir)
      // the first run is held to 20,000 events/s (at least 10 s for every line), so the kill surely lands mid-run
      const group = path.join(dir, "topology/sinks/business.d/all.toml")
      const plain = fs.readFileSync(group, "utf8")
      fs.writeFileSync(group, plain.replace(`tags = ["route:all"]`, `tags = ["route:all"]\nrate_limit_rps = 20000`))
      const input = path.join(dir, "data/in/sample.log")
      const text = Array.from({ length: lines }, (_, i) => `<13>Nov 28 12:00:00 host app: line ${i}`).join("\n") + "\n"
      fs.writeFileSync(input, text)
      const output = path.join(dir, "data/out/sample.out.log")
      const child = spawn(process.execPath, [wpcMain, "run", "--work-root", dir, "--progress", "0"], { cwd: repo, stdio: "ignore" })
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
      const deadline = Date.now() + 30_000
      // kill it mid-run: once some output is written, well before the end
      while (!(fs.existsSync(output) && fs.statSync(output).size > 200_000) && Date.now() < deadline) {
        yield* Effect.sleep("5 millis")
      }
      child.kill("SIGKILL")
      yield* Effect.promise(() => exited)
      const before = fs.readFileSync(output, "utf8").split("\n").filter((l) => l.length > 0).length
      expect(before).toBeLessThan(lines)
      fs.writeFileSync(group, plain)
      const again = spawnSync(process.execPath, [wpcMain, "run", "--work-root", dir, "--progress", "0", "--json"], {
        cwd: repo,
        encoding: "utf8",
        timeout: 60_000
      })
      expect(again.status).toBe(0)
      expect(JSON.parse(again.stdout)).toMatchObject({ status: "completed", unacked: 0 })
      const written = fs.readFileSync(output, "utf8").split("\n").filter((l) => l.length > 0)
      const seen = new Map<string, number>()
      for (const l of written) seen.set(l, (seen.get(l) ?? 0) + 1)
      for (let i = 0; i < lines; i++) expect(seen.has(`<13>Nov 28 12:00:00 host app: line ${i}`)).toBe(true)
      const duplicates = written.length - seen.size
      // at most what was read but not acked when it was killed: the queue bound plus a batch
      expect(duplicates).toBeLessThanOrEqual(16_384 + 4096)
    }), 90_000)
})
