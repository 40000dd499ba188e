import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { copyTracked } from "../examples/copy-tracked.js"
import { wpcMain } from "../js-build.js"
import { tempDir } from "../project/fixtures.js"
import { example } from "./fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..")
const wpcRun = (args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [wpcMain, "run", ...args], { cwd: repo, encoding: "utf8", timeout: 60_000 })

describe("wpc run (real processes)", () => {
  it.scopedLive("runs a project to its end, writes the output and resumes from its checkpoint; a copy starts afresh", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const dir = path.join(root, "project")
      copyTracked(example, dir)
      const first = wpcRun(["--work-root", dir, "--json", "--progress", "0"])
      expect(first.status, first.stderr).toBe(0)
      const report = JSON.parse(first.stdout) as { status: string; eventsIn: number; acked: number; unacked: number }
      expect(report).toMatchObject({ status: "completed", eventsIn: 6, acked: 6, unacked: 0 })
      const input = fs.readFileSync(path.join(dir, "data/in/sample.log"), "utf8")
      expect(fs.readFileSync(path.join(dir, "data/out/sample.out.log"), "utf8")).toBe(input)
      // the checkpoint says everything was acked: a second run reads nothing again
      const second = wpcRun(["--work-root", dir, "--json", "--progress", "0"])
      expect(second.status, second.stderr).toBe(0)
      expect(JSON.parse(second.stdout)).toMatchObject({ status: "completed", eventsIn: 0 })
      expect(fs.readFileSync(path.join(dir, "data/out/sample.out.log"), "utf8")).toBe(input)

      // this project now holds what `npm start` leaves in examples/file-to-file: a copy of it (as the
      // tests make of the example) leaves that state out, so it runs from the start again
      const again = path.join(root, "copy")
      copyTracked(dir, again)
      expect(fs.readdirSync(again).sort()).toEqual([".gitignore", "README.md", "connectors", "data", "tests", "topology"])
      expect(fs.readdirSync(path.join(again, "data"))).toEqual(["in"])
      const third = wpcRun(["--work-root", again, "--json", "--progress", "0"])
      expect(third.status, third.stderr).toBe(0)
      expect(JSON.parse(third.stdout)).toMatchObject({ status: "completed", eventsIn: 6, acked: 6, unacked: 0 })
      expect(fs.readFileSync(path.join(again, "data/out/sample.out.log"), "utf8")).toBe(input)
    }))

  it.scopedLive("SIGINT stops a following source gracefully: drained, acked, exit 0", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "follow")
      copyTracked(example, dir)
      const defs = path.join(dir, "connectors/source.d/file.toml")
      fs.writeFileSync(defs, fs.readFileSync(defs, "utf8").replace(`encode = "text"`, `encode = "text"\nfollow = true`))
      const child = spawn(process.execPath, [wpcMain, "run", "--work-root", dir, "--progress", "0"], { cwd: repo })
      let out = ""
      child.stdout.on("data", (d: Buffer) => (out += d.toString()))
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      const output = path.join(dir, "data/out/sample.out.log")
      const deadline = Date.now() + 30_000
      while (!(fs.existsSync(output) && fs.readFileSync(output, "utf8").split("\n").length > 6) && Date.now() < deadline) {
        yield* Effect.sleep("50 millis")
      }
      // the source follows the file: the run does not end by itself
      fs.appendFileSync(path.join(dir, "data/in/sample.log"), "<13>Oct 11 22:20:00 web-02 app: appended while running\n")
      while (!fs.readFileSync(output, "utf8").includes("appended while running") && Date.now() < deadline) {
        yield* Effect.sleep("50 millis")
      }
      child.kill("SIGINT")
      const code = yield* Effect.promise(() => exited)
      expect(code).toBe(0)
      expect(out).toContain("[wpc] stopped in")
      expect(out).toMatch(/7 in, 7 written, 0 rescued, 7 acked, 0 unacked/)
    }), 60_000)
})
