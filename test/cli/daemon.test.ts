import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { freePort } from "../../src/testkit/ports.js"
import { copyTracked } from "../examples/copy-tracked.js"
import { wpcMain } from "../js-build.js"
import { tempDir } from "../project/fixtures.js"
import { example } from "./fixtures.js"

// `wpc run` as an operator runs it: a real process serving metrics, /health and /ready, logging in
// JSON, read by `wpc top`.

const repo = path.join(import.meta.dirname, "..", "..")

/** The metric names docs/metrics.md lists in its tables. */
const documented = (): Array<string> =>
  [...fs.readFileSync(path.join(repo, "docs", "metrics.md"), "utf8").matchAll(/^\| `(wpc_[a-z0-9_]+)` \|/gm)]
    .map((m) => m[1]!)
    .sort()

/** A copy of examples/file-to-file whose source follows its file (the run does not end) through a syslog processor. */
const followingProject = Effect.gen(function*() {
  const dir = path.join(yield* tempDir, "project")
  copyTracked(example, dir)
  const defs = path.join(dir, "connectors/source.d/file.toml")
  fs.writeFileSync(defs, fs.readFileSync(defs, "utf8").replace(`encode = "text"`, `encode = "text"\nfollow = true`))
  const sources = path.join(dir, "topology/sources/file.toml")
  fs.writeFileSync(sources, fs.readFileSync(sources, "utf8").replace(`connect = "file_src"`, `connect = "file_src"\nprocessors = ["parse"]`))
  fs.mkdirSync(path.join(dir, "processors"))
  fs.writeFileSync(path.join(dir, "processors/parse.toml"), `[[processors]]\nname = "parse"\nkind = "syslog"\n`)
  return dir
})

interface Exited {
  readonly code: number | null
  readonly out: string
  readonly err: string
}

/** A `node <wpc> args...` child: its output so far, and how it ended. */
interface Child {
  readonly out: () => string
  readonly err: () => string
  readonly signal: (signal: NodeJS.Signals) => void
  readonly exited: Promise<Exited>
}

/** Spawns `wpc args...` for the Scope: a child still running when it closes is killed and awaited. */
const wpc = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): Effect.Effect<Child, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, [wpcMain, ...args], { cwd: repo, env: { ...process.env, ...env } })
      let out = ""
      let err = ""
      child.stdout.on("data", (d: Buffer) => (out += d.toString()))
      child.stderr.on("data", (d: Buffer) => (err += d.toString()))
      const exited = new Promise<Exited>((resolve) => child.on("close", (code) => resolve({ code, out, err })))
      return { out: () => out, err: () => err, signal: (s: NodeJS.Signals) => void child.kill(s), exited, child }
    }),
    ({ child, exited }) =>
      Effect.promise(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        return exited
      })
  )

/** Waits until `ready()` holds, checking every 50 ms, for at most 30 s; fails naming `what` after that. */
const until = (what: string, ready: () => boolean) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 30_000
    while (!ready()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep("50 millis")
    }
  })

/** A GET on 127.0.0.1: status and body. */
const get = (port: number, urlPath: string) =>
  Effect.async<{ readonly status: number; readonly body: string }, Error>((resume) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, agent: false }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => (body += c))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body })))
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    return Effect.sync(() => req.destroy())
  })

/** Starts `wpc run` on `dir` serving metrics on a free port: the child and the port, once it says where it serves. */
const runServing = (dir: string, extra: ReadonlyArray<string> = []) =>
  Effect.gen(function*() {
    const port = yield* freePort
    const child = yield* wpc(["run", "--work-root", dir, "--progress", "0", "--metrics-addr", `127.0.0.1:${port}`, ...extra])
    yield* until("the metrics line", () => child.err().includes(`metrics on http://127.0.0.1:${port}/metrics`))
    return { child, port }
  })

const outputLines = (dir: string): number => {
  const file = path.join(dir, "data/out/sample.out.log")
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").length : 0
}

describe("wpc run as a daemon (real processes)", () => {
  it.scopedLive("a scrape right after the start lists exactly the metrics of docs/metrics.md, zeros included; /health and /ready answer", () =>
    Effect.gen(function*() {
      const dir = yield* followingProject
      const { child, port } = yield* runServing(dir)
      const first = yield* get(port, "/metrics")
      expect(first.status).toBe(200)
      const exported = [...first.body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!).sort()
      // both ways: nothing documented is missing, nothing undocumented is exported
      expect(exported).toEqual(documented())
      expect(first.body).toContain(`wpc_retries_total{group="all",sink="copy"} 0\n`)
      expect(first.body).toContain(`wpc_processor_dropped_total{source="sample_log",processor="parse"} 0\n`)
      expect(first.body).toContain(`wpc_process_gc_total{kind="major"} `)
      expect(first.body).toContain("# TYPE wpc_errors_total counter\n")

      const health = yield* get(port, "/health")
      expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: "up" }])
      yield* until("the copy", () => outputLines(dir) === 6)
      const ready = yield* get(port, "/ready")
      expect([ready.status, JSON.parse(ready.body)]).toEqual([200, { status: "ready", notReady: [] }])
      const later = (yield* get(port, "/metrics")).body
      expect(later).toContain(`wpc_source_events_total{source="sample_log"} 6\n`)
      expect(later).toContain(`wpc_source_up{source="sample_log"} 1\n`)
      expect(later).toContain(`wpc_queue_capacity_events{group="all",sink="copy"} 16384\n`)
      expect([...later.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!).sort()).toEqual(documented())

      child.signal("SIGINT")
      expect((yield* Effect.promise(() => child.exited)).code).toBe(0)
    }), 60_000)

  it.scopedLive("--log-format json writes one JSON object per stderr line, from the start to the stop", () =>
    Effect.gen(function*() {
      const dir = yield* followingProject
      const { child } = yield* runServing(dir, ["--log-format", "json", "--log-level", "debug"])
      yield* until("the copy", () => outputLines(dir) === 6)
      child.signal("SIGINT")
      const exited = yield* Effect.promise(() => child.exited)
      expect(exited.code).toBe(0)
      const lines = exited.err.split("\n").filter((l) => l !== "")
      const records = lines.map((l) => JSON.parse(l) as { message: unknown; logLevel: string; timestamp: string })
      const messages = records.map((r) => String(r.message))
      expect(messages[0]).toBe("[wpc] starting: 1 source, 1 sink group")
      expect(messages).toContain("[wpc] SIGINT: stopping (send it again to force)")
      for (const r of records) expect(Date.parse(r.timestamp)).not.toBeNaN()
      expect(records[0]!.logLevel).toBe("INFO")
      // the report still goes to stdout as text
      expect(exited.out).toMatch(/\[wpc\] stopped in/)
    }), 60_000)

  it.scopedLive("WPC_LOG_LEVEL sets the level; --log-level wins over it; a bad value is a usage error naming it", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const dir = path.join(root, "project")
      copyTracked(example, dir)
      const quiet = yield* wpc(["run", "-w", dir, "--progress", "0", "--log-format", "json"], { WPC_LOG_LEVEL: "warning" })
      const q = yield* Effect.promise(() => quiet.exited)
      expect(q.code).toBe(0)
      expect(q.err).toBe("")
      const bad = yield* wpc(["run", "-w", dir, "--progress", "0"], { WPC_LOG_LEVEL: "loud" })
      const b = yield* Effect.promise(() => bad.exited)
      expect(b.code).toBe(2)
      expect(b.err).toContain(`wpc: WPC_LOG_LEVEL="loud" is not a log level: expected one of all, trace, debug, info, warning, error, fatal, none`)
    }), 60_000)

  it.scopedLive("wpc top --once prints a table of the running sources and sinks, on a terminal it redraws every second; an address where none listens exits 1", () =>
    Effect.gen(function*() {
      const dir = yield* followingProject
      const { port } = yield* runServing(dir)
      yield* until("the copy", () => outputLines(dir) === 6)
      const top = yield* wpc(["top", "--once", "--metrics-addr", `127.0.0.1:${port}`])
      const shown = yield* Effect.promise(() => top.exited)
      expect(shown.code, shown.err).toBe(0)
      const rows = shown.out.split("\n")
      expect(rows[0]).toMatch(/^SOURCE\s+EVENTS\/S\s+EVENTS\s+ACKED\s+STATE$/)
      expect(rows.find((r) => r.startsWith("sample_log"))?.split(/\s+/)).toEqual(["sample_log", "0", "6", "6", "up"])
      expect(rows.find((r) => r.startsWith("SINK"))).toMatch(/^SINK\s+EVENTS\/S\s+QUEUE\s+WRITTEN\s+RETRIES\s+RESCUED\s+BREAKER$/)
      expect(rows.find((r) => r.startsWith("all/copy"))?.split(/\s+/)).toEqual(["all/copy", "0", "0.0%", "6", "0", "0", "closed"])
      expect(shown.out).toMatch(/^process: rss [0-9.]+ MiB, heap used [0-9.]+ MiB, event-loop delay p99 [0-9.]+ ms$/m)

      // on a terminal (a pty from util-linux's `script`) it clears the screen and redraws every second
      const live = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const command = [process.execPath, wpcMain, "top", "--metrics-addr", `127.0.0.1:${port}`].map((a) => `'${a}'`).join(" ")
          const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: repo })
          let screen = ""
          child.stdout.on("data", (d: Buffer) => (screen += d.toString()))
          const closed = new Promise<void>((resolve) => child.on("close", () => resolve()))
          return { child, closed, screen: () => screen }
        }),
        ({ child, closed }) =>
          Effect.promise(() => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
            return closed
          })
      )
      const clear = "\u001b[H\u001b[2J"
      yield* until("three frames", () => live.screen().split(clear).length > 3)
      const frames = live.screen().split(clear).slice(1)
      expect(frames[0]).toMatch(/^SOURCE\s+EVENTS\/S/)
      // later frames name what they read and have rates
      expect(frames[1]).toContain(`http://127.0.0.1:${port}/metrics`)
      expect(frames[1]?.split(/\r?\n/).find((r) => r.startsWith("sample_log"))?.split(/\s+/)).toEqual(["sample_log", "0", "6", "6", "up"])
      live.child.kill("SIGTERM")

      const nobody = yield* freePort
      const refused = yield* wpc(["top", "--once", "--metrics-addr", `127.0.0.1:${nobody}`])
      const r = yield* Effect.promise(() => refused.exited)
      expect(r.code).toBe(1)
      expect(r.err).toContain(`wpc top: [202 Uvs] NetworkError: cannot read http://127.0.0.1:${nobody}/metrics: connection refused`)
    }), 60_000)
})
