import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { tempDir } from "../project/fixtures.js"
import { breakCopy, brokenFiles } from "./fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..")

/** Runs a real `wpc` process from the repository root. */
const run = (command: string, args: ReadonlyArray<string>) =>
  Effect.sync(() => {
    const result = spawnSync(command, args, { cwd: repo, encoding: "utf8", timeout: 60_000 })
    return { code: result.status, out: result.stdout, err: result.stderr }
  })

describe("bin/wpc.js (real processes)", () => {
  it.live("node bin/wpc.js check --work-root examples/file-to-file exits 0", () =>
    Effect.gen(function*() {
      const result = yield* run(process.execPath, ["bin/wpc.js", "check", "--work-root", "examples/file-to-file"])
      expect(result.err).toBe("")
      expect(result.code).toBe(0)
      expect(result.out).toContain("ok: 1 source, 1 sink group, 1 sink")
    }))

  it.scopedLive("npx wpc check on a copy with a refused override, an unknown id and a malformed file exits 1 naming all three", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "broken")
      yield* breakCopy(dir)
      const result = yield* run("npx", ["--offline", "wpc", "check", "--work-root", dir])
      expect(result.code).toBe(1)
      const errors = result.err.split("\n").filter((l) => l.startsWith("error: "))
      expect(errors.map((l) => l.slice("error: ".length).split(":")[0])).toEqual([
        path.join(dir, brokenFiles.malformed),
        path.join(dir, brokenFiles.override),
        path.join(dir, brokenFiles.unknownId)
      ])
      expect(errors[1]).toContain("does not allow overriding \"follow\"")
      expect(errors[2]).toContain("unknown sink connector id \"file_snk\"")
    }))
})
