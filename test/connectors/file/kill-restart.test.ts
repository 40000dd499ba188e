import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { transpiled } from "../../js-build.js"
import { numbered, tempDir } from "./fixtures.js"

// its transpiled copy: loading the connector through tsx would cost the test seconds per start
const reader = transpiled(fileURLToPath(new URL("./kill-reader.ts", import.meta.url)))
const root = fileURLToPath(new URL("../../../", import.meta.url))

/** Starts the reader process; it is killed (if still running) when the Scope closes. */
const start = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync(() => spawn(process.execPath, [reader, ...args], { cwd: root, stdio: ["ignore", "ignore", "pipe"] })),
    (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

/** Waits for `child` to exit; its exit code or signal, and what it wrote on stderr. */
const exited = (child: ChildProcess) =>
  Effect.async<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resume) => {
    let stderr = ""
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.once("exit", (code, signal) => resume(Effect.succeed({ code, signal, stderr })))
  })

const lines = (file: string) =>
  Effect.map(
    Effect.promise(() => fs.readFile(file, "utf8").catch(() => "")),
    (text) => (text === "" ? [] : text.slice(0, text.lastIndexOf("\n")).split("\n"))
  )

describe("file source, killed and restarted", () => {
  it.scopedLive("delivers every line at least once, duplicating at most one batch", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const input = path.join(dir, "in.log")
      const output = path.join(dir, "out.log")
      const work = path.join(dir, "work")
      const total = 20_000
      const batch = 100
      yield* Effect.promise(() => fs.writeFile(input, numbered(total).map((l) => `${l}\n`).join("")))
      const args = [input, output, work, String(batch)]

      // 20 ms between writing a batch and acking it: the whole input takes the reader 4 s or more, so it is
      // still running when it is killed after 3000 lines, even if this process is starved on a busy machine
      const first = yield* start([...args, "20"])
      const firstExit = yield* Effect.fork(exited(first))
      const deadline = Date.now() + 40_000
      let seen = 0
      while (seen < 3000) {
        expect(first.exitCode, "the reader ended before it was killed").toBeNull()
        expect(Date.now(), "the reader copied 3000 lines within 40 s").toBeLessThan(deadline)
        yield* Effect.sleep("5 millis")
        seen = (yield* lines(output)).length
      }
      first.kill("SIGKILL")
      const killed = yield* Fiber.join(firstExit)
      expect(killed.signal).toBe("SIGKILL")
      const before = yield* lines(output)
      expect(before.length).toBeLessThan(total)

      const second = yield* start([...args, "0"])
      const done = yield* exited(second)
      expect(done.stderr).toBe("")
      expect(done.code).toBe(0)

      const out = yield* lines(output)
      const counts = new Map<string, number>()
      for (const line of out) counts.set(line, (counts.get(line) ?? 0) + 1)
      const expected = new Set(numbered(total))
      expect([...counts.keys()].filter((l) => !expected.has(l))).toEqual([])
      expect(numbered(total).filter((l) => !counts.has(l))).toEqual([])
      const duplicates = out.length - counts.size
      yield* Effect.log(`killed after ${before.length} lines; ${duplicates} duplicated`)
      expect(duplicates).toBeLessThanOrEqual(batch)
      // the copy after the restart starts where the acked prefix ended: it repeats only the tail of the first run
      expect(out.slice(before.length, before.length + duplicates)).toEqual(before.slice(before.length - duplicates))
    }), { timeout: 90_000 })
})
