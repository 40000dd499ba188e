/**
 * The multi-file `file` source under `wpc run` (the real CLI, a child process): files written while they are
 * rotated by rename and by copy-truncate and new ones appear, the process SIGKILLed in the middle of it,
 * more written and rotated while it is down, then restarted; every line of every file must arrive.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fsSync from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { wpcMain } from "../../js-build.js"
import { tempDir } from "./fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..", "..")

/** A project: a `file` source over `logs/*.log*` (followed) and a `file` sink writing `out/all.log`. */
const project = (dir: string) => {
  const files: Record<string, string> = {
    "connectors/source.d/file.toml": `[[connectors]]
id = "logs_src"
type = "file"
allow_override = ["file"]

[connectors.params]
base = "logs"
file = "*.log*"
follow = true
poll_ms = 20
batch_lines = 256
`,
    "connectors/sink.d/file.toml": `[[connectors]]
id = "out_sink"
type = "file"
allow_override = ["file"]

[connectors.params]
base = "out"
file = "all.log"
fmt = "raw"
`,
    "topology/sources/logs.toml": `[[sources]]
key = "logs"
enable = true
connect = "logs_src"
tags = []

[sources.params]
file = "*.log*"
`,
    "topology/sinks/defaults.toml": `tags = []\n`,
    "topology/sinks/business.d/all.toml": `[sink_group]
name = "all"
tags = []

[[sink_group.sinks]]
name = "copy"
connect = "out_sink"

[sink_group.sinks.params]
file = "all.log"
`
  }
  for (const [file, text] of Object.entries(files)) {
    fsSync.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fsSync.writeFileSync(path.join(dir, file), text)
  }
  fsSync.mkdirSync(path.join(dir, "logs"))
}

/** `wpc run` on `dir`, killed with SIGKILL (if still running) when the Scope closes. */
const run = (dir: string) =>
  Effect.acquireRelease(
    Effect.sync(() => spawn(process.execPath, [wpcMain, "run", "--work-root", dir, "--progress", "0"], { cwd: repo, stdio: ["ignore", "ignore", "pipe"] })),
    (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

const killed = (child: ChildProcess) =>
  Effect.async<NodeJS.Signals | null>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.succeed(child.signalCode))
    child.once("exit", (_code, signal) => resume(Effect.succeed(signal)))
    child.kill("SIGKILL")
  })

/** The lines of the output so far. */
const output = (dir: string): Array<string> => {
  const file = path.join(dir, "out", "all.log")
  if (!fsSync.existsSync(file)) return []
  const text = fsSync.readFileSync(file, "utf8")
  return text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter((l) => l !== "")
}

/**
 * The writer: 5 services, each appending numbered lines (`svc<k> <i>`) in bursts; `svc0` rotated by rename
 * (`.1`, `.2`, ... like logrotate), `svc1` by copy-truncate (copies `svc1.log.c<n>`), `svc2` never; `svc3`
 * and `svc4` appear later. `phase` picks which part of the run it writes: lines `from` to `to` of each service.
 */
const writer = (logs: string, from: number, to: number) =>
  Effect.gen(function*() {
    let copies = 0
    for (let i = from; i < to; i += 50) {
      for (let k = 0; k < 5; k++) {
        if (k >= 3 && i < 1000) continue
        const file = path.join(logs, `svc${k}.log`)
        const start = k >= 3 ? Math.max(i, 1000) : i
        const lines = Array.from({ length: Math.min(50, to - start) }, (_, j) => `svc${k} ${start + j}`)
        if (lines.length > 0) fsSync.appendFileSync(file, lines.map((l) => `${l}\n`).join(""))
      }
      if (i % 1500 === 1450) {
        // svc0: rename rotation, keeping every older file (svc0.log.1 -> svc0.log.2, ...)
        const n = fsSync.readdirSync(logs).filter((f) => f.startsWith("svc0.log.")).length + 1
        for (let m = n - 1; m >= 1; m--) fsSync.renameSync(path.join(logs, `svc0.log.${m}`), path.join(logs, `svc0.log.${m + 1}`))
        fsSync.renameSync(path.join(logs, "svc0.log"), path.join(logs, "svc0.log.1"))
      }
      if (i % 2000 === 1950) {
        const c = ++copies
        fsSync.copyFileSync(path.join(logs, "svc1.log"), path.join(logs, `svc1.log.c${from}-${c}`))
        fsSync.truncateSync(path.join(logs, "svc1.log"), 0)
      }
      yield* Effect.sleep("4 millis")
    }
  })

/** Every line the writer wrote for lines `0` to `to`. */
const expectedLines = (to: number): Array<string> =>
  [0, 1, 2, 3, 4].flatMap((k) => Array.from({ length: k >= 3 ? to - 1000 : to }, (_, i) => `svc${k} ${(k >= 3 ? 1000 : 0) + i}`))

describe("file source over a glob, wpc run killed and restarted", () => {
  it.scopedLive("every line of every file arrives: rotations by rename and copy-truncate, new files, SIGKILL", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      project(dir)
      const logs = path.join(dir, "logs")
      const total = 9000

      // phase 1: written while wpc runs; killed once a third of it arrived, the writer still going
      const first = yield* run(dir)
      const writing = yield* Effect.fork(writer(logs, 0, 6000))
      const deadline = Date.now() + 60_000
      while (output(dir).length < 6000 && Date.now() < deadline) yield* Effect.sleep("10 millis")
      expect(first.exitCode, "wpc run ended by itself").toBeNull()
      expect(yield* killed(first)).toBe("SIGKILL")
      const atKill = output(dir).length
      yield* Fiber.join(writing)
      // phase 2: written (and rotated) while it is down
      yield* writer(logs, 6000, 7500)
      // phase 3: restarted, written while it runs
      const second = yield* run(dir)
      let stderr = ""
      second.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString()
      })
      yield* writer(logs, 7500, total)
      const expected = expectedLines(total)
      const wanted = new Set(expected)
      let seen = new Set<string>()
      while (Date.now() < deadline + 60_000) {
        seen = new Set(output(dir))
        if (expected.every((l) => seen.has(l))) break
        yield* Effect.sleep("20 millis")
      }
      expect(second.exitCode, `wpc run ended by itself: ${stderr}`).toBeNull()
      yield* killed(second)

      const out = output(dir)
      expect(out.filter((l) => !wanted.has(l))).toEqual([])
      expect(expected.filter((l) => !seen.has(l))).toEqual([])
      const duplicates = out.length - new Set(out).size
      yield* Effect.log(`killed after ${atKill} of ${expected.length} lines; ${duplicates} duplicated`)
      // at most what was read but not acked when it was killed: the engine's queue bound plus a batch
      expect(duplicates).toBeLessThanOrEqual(16_384 + 256)
      // the rotations did happen: six renamed files of svc0, four copies of svc1
      const rotatedAway = (yield* Effect.promise(() => fs.readdir(logs))).sort()
      expect(rotatedAway.filter((f) => f.startsWith("svc0.log."))).toHaveLength(6)
      expect(rotatedAway.filter((f) => f.startsWith("svc1.log.c"))).toHaveLength(4)
    }), 180_000)
})
