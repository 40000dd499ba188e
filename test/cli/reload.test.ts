import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, type Scope } from "effect"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { freePort } from "../../src/testkit/ports.js"
import { silentServer } from "../connectors/nats/silent-server.js"
import { tempDir } from "../project/fixtures.js"
import { startRun } from "../scale/cluster.js"

/** A tcp -> file project on `port`: source `lines`, sink group `out` writing `data/out/<file>`. */
const project = (dir: string, port: number, file: string): void => {
  fs.mkdirSync(path.join(dir, "topology/sources"), { recursive: true })
  fs.mkdirSync(path.join(dir, "topology/sinks"), { recursive: true })
  fs.writeFileSync(
    path.join(dir, "topology/sources/tcp.toml"),
    `[[sources]]\nkey = "lines"\nconnect = "tcp-src"\nparams = { port = ${port}, idle_timeout_s = 0 }\n`
  )
  writeSink(dir, file)
}

/** Points the sink group `out` at `data/out/<file>`; with `rps`, each sink writes that many events a second at most. */
const writeSink = (dir: string, file: string, rps?: number): void =>
  fs.writeFileSync(
    path.join(dir, "topology/sinks/out.toml"),
    `[sink_group]\nname = "out"\n${rps === undefined ? "" : `rate_limit_rps = ${rps}\n`}\n[[sink_group.sinks]]\nname = "copy"\nconnect = "file-sink"\nparams = { base = "data/out", file = "${file}", fsync = false }\n`
  )

/** A running `wpc run`: its process, what it printed so far, and how it ended. */
interface Running {
  readonly child: ChildProcess
  readonly err: () => string
  readonly out: () => string
  /** Waits until stderr holds `text` (fails the test after 20 s). */
  readonly printed: (text: string) => Effect.Effect<void>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Starts `wpc run --json` on `dir` (`startRun`: SIGKILLed when the test's Scope closes if still running). */
const runWpc = (dir: string): Effect.Effect<Running, never, Scope.Scope> =>
  Effect.map(startRun(dir), (run): Running => {
    const printed = (text: string) =>
      Effect.gen(function*() {
        const deadline = Date.now() + 20_000
        while (!run.stderr().includes(text)) {
          if (Date.now() > deadline || run.child.exitCode !== null || run.child.signalCode !== null) {
            return yield* Effect.die(
              new Error(`wpc did not print ${JSON.stringify(text)} (exit code ${run.child.exitCode}, signal ${run.child.signalCode}); stderr so far:\n${run.stderr()}`)
            )
          }
          yield* Effect.sleep("10 millis")
        }
      })
    return { child: run.child, err: run.stderr, out: run.stdout, printed, exited: run.exited }
  })

/** A client connected to 127.0.0.1:`port` (retrying until the source listens); `closed` tells whether the server ended it. */
const connect = (port: number): Effect.Effect<{ readonly socket: net.Socket; readonly closed: () => boolean }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const deadline = Date.now() + 20_000
    while (true) {
      const socket = yield* Effect.promise(() =>
        new Promise<net.Socket | undefined>((resolve) => {
          const s = net.connect(port, "127.0.0.1")
          s.once("connect", () => resolve(s))
          s.once("error", () => resolve(undefined))
        })
      )
      if (socket !== undefined) {
        let closed = false
        socket.on("close", () => (closed = true))
        socket.on("error", () => (closed = true))
        yield* Effect.addFinalizer(() => Effect.sync(() => socket.destroy()))
        return { socket, closed: () => closed }
      }
      if (Date.now() > deadline) return yield* Effect.die(new Error(`nothing listens on 127.0.0.1:${port}`))
      yield* Effect.sleep("20 millis")
    }
  })

/** Writes `text` to `socket`, waiting until it is handed to the OS. */
const send = (socket: net.Socket, text: string): Effect.Effect<void> =>
  Effect.promise(() => new Promise<void>((resolve) => socket.write(text, () => resolve())))

/** The lines of `file` (none when it does not exist). */
const linesOf = (file: string): Array<string> =>
  fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0) : []

/** Waits until `file` holds `n` lines or more (fails the test after 20 s). */
const awaitLines = (file: string, n: number): Effect.Effect<void> =>
  Effect.gen(function*() {
    const deadline = Date.now() + 20_000
    while (linesOf(file).length < n) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`${file} holds ${linesOf(file).length} lines, not ${n}`))
      yield* Effect.sleep("10 millis")
    }
  })

const line = (i: number): string => `line ${i}`

/**
 * A project on a free port whose sink writes `data/out/<file>`, `wpc run` on it, and a client connected
 * that sent `text` (`lines` lines), once they are all written.
 */
const started = (file: string, text: string, lines: number) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const port = yield* freePort
    project(dir, port, file)
    const wpc = yield* runWpc(dir)
    const client = yield* connect(port)
    yield* send(client.socket, text)
    const output = path.join(dir, "data/out", file)
    yield* awaitLines(output, lines)
    return { dir, port, wpc, client, output }
  })

describe("wpc run and SIGHUP", () => {
  it.scopedLive("SIGHUP does not end the run: the pipeline goes on, and a later SIGTERM drains it (exit 0)", () =>
    Effect.gen(function*() {
      const { client, output, wpc } = yield* started("a.log", [0, 1, 2].map((i) => `${line(i)}\n`).join(""), 3)
      wpc.child.kill("SIGHUP")
      yield* wpc.printed("[wpc] reload: nothing changed")
      yield* send(client.socket, [3, 4].map((i) => `${line(i)}\n`).join(""))
      yield* awaitLines(output, 5)
      expect(client.closed()).toBe(false)
      wpc.child.kill("SIGTERM")
      expect(yield* Effect.promise(() => wpc.exited)).toEqual({ code: 0, signal: null })
      expect(linesOf(output)).toEqual([0, 1, 2, 3, 4].map(line))
      expect(JSON.parse(wpc.out())).toMatchObject({ status: "stopped", eventsIn: 5, unacked: 0 })
    }), 60_000)
})

/**
 * Sends `line(i)` for i = 0, 1, ... in runs of 10 every 10 ms until `stop` (which returns how many were
 * sent); `burst(n)` sends the next `n` at once; `sent` says how many so far.
 */
const feed = (socket: net.Socket) =>
  Effect.gen(function*() {
    let sent = 0
    let stopping = false
    const one = yield* Effect.makeSemaphore(1)
    const next = (n: number) =>
      one.withPermits(1)(Effect.suspend(() => {
        const text = Array.from({ length: n }, (_, k) => `${line(sent + k)}\n`).join("")
        sent += n
        return send(socket, text)
      }))
    const fiber = yield* Effect.fork(Effect.gen(function*() {
      while (!stopping) {
        yield* next(10)
        yield* Effect.sleep("10 millis")
      }
    }))
    return {
      sent: () => sent,
      burst: next,
      stop: Effect.gen(function*() {
        stopping = true
        yield* Fiber.join(fiber)
        return sent
      })
    }
  })

describe("wpc run reloads on SIGHUP", () => {
  it.scopedLive("a project with problems: every problem is logged, coded, and the old pipeline runs on unchanged", () =>
    Effect.gen(function*() {
      const { client, dir, output, wpc } = yield* started("a.log", `${line(0)}\n`, 1)
      // two problems: an unknown connector id for the sink, a port that is not a number for the source
      const sinkFile = path.join(dir, "topology/sinks/out.toml")
      fs.writeFileSync(sinkFile, fs.readFileSync(sinkFile, "utf8").replace(`connect = "file-sink"`, `connect = "file-snk"`))
      fs.writeFileSync(
        path.join(dir, "topology/sources/tcp.toml"),
        `[[sources]]\nkey = "lines"\nconnect = "tcp-src"\nparams = { port = "many", idle_timeout_s = 0 }\n`
      )
      wpc.child.kill("SIGHUP")
      yield* wpc.printed("[wpc] reload refused")
      const problems = wpc.err().split("\n").filter((l) => l.startsWith("[wpc] reload: [300 ConfigError]"))
      expect(problems).toHaveLength(2)
      expect(problems.some((l) => l.includes("tcp.toml") && l.includes("port"))).toBe(true)
      expect(problems.some((l) => l.includes("out.toml") && l.includes("file-snk"))).toBe(true)
      expect(wpc.err()).toContain("[wpc] reload: 2 problems in project")
      // the old pipeline goes on: same connection, same output
      yield* send(client.socket, `${line(1)}\n`)
      yield* awaitLines(output, 2)
      expect(client.closed()).toBe(false)
      wpc.child.kill("SIGTERM")
      expect(yield* Effect.promise(() => wpc.exited)).toEqual({ code: 0, signal: null })
      expect(linesOf(output)).toEqual([line(0), line(1)])
      expect(JSON.parse(wpc.out())).toMatchObject({ status: "stopped", eventsIn: 2, unacked: 0, errors: [] })
    }), 60_000)

  it.scopedLive("a changed sink while lines keep arriving: every line is in the old output or the new one, exactly once, in order; the unchanged source keeps its connection", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const port = yield* freePort
      project(dir, port, "a.log")
      // the sink writes 2,000 lines a second at most (with a burst of as many), and 4,000 lines arrive
      // at once just before the signal: its queue holds some of them at the reload
      writeSink(dir, "a.log", 2000)
      const wpc = yield* runWpc(dir)
      const client = yield* connect(port)
      const before = path.join(dir, "data/out/a.log")
      const after = path.join(dir, "data/out/b.log")
      const feeder = yield* feed(client.socket)
      yield* awaitLines(before, 200)
      writeSink(dir, "b.log", 2000)
      yield* feeder.burst(4000)
      const writtenAtSignal = linesOf(before).length
      wpc.child.kill("SIGHUP")
      yield* wpc.printed("[wpc] reload: done")
      expect(wpc.err()).toContain("[wpc] reload: sink group out changed: stopped (what it held was written) and started again")
      expect(wpc.err()).toContain("1 changed, 0 added, 0 removed, 1 unchanged")
      const sentAtReload = feeder.sent()
      // lines keep arriving after the reload, and go to the new output
      while (feeder.sent() < sentAtReload + 200) yield* Effect.sleep("10 millis")
      const total = yield* feeder.stop
      yield* Effect.gen(function*() {
        const deadline = Date.now() + 20_000
        while (linesOf(before).length + linesOf(after).length < total && Date.now() < deadline) yield* Effect.sleep("10 millis")
      })
      expect(client.closed()).toBe(false)
      wpc.child.kill("SIGTERM")
      expect(yield* Effect.promise(() => wpc.exited)).toEqual({ code: 0, signal: null })
      const old = linesOf(before)
      const fresh = linesOf(after)
      // line by line: the old output, then the new one, hold every line sent once, in the order sent
      expect([...old, ...fresh]).toEqual(Array.from({ length: total }, (_, i) => line(i)))
      // the old sink wrote what it held after the signal: the reload drained it, it did not drop it
      expect(old.length).toBeGreaterThan(writtenAtSignal)
      expect(fresh.length).toBeGreaterThan(0)
      // the source was not restarted: one connection throughout, no rebuild
      expect(JSON.parse(wpc.out())).toMatchObject({
        status: "stopped",
        eventsIn: total,
        unacked: 0,
        sources: [{ name: "lines", events: total, restarts: 0 }],
        sinks: [{ group: "out", name: "copy", events: total }]
      })
    }), 90_000)
})

describe("wpc run and SIGHUP while it starts", () => {
  it.scopedLive("SIGHUP while a source waits for its server does not end wpc: it is held for the pipeline, and a SIGTERM then stops the start-up (exit 0)", () =>
    Effect.gen(function*() {
      const silent = yield* silentServer
      const dir = yield* tempDir
      project(dir, yield* freePort, "a.log")
      fs.writeFileSync(
        path.join(dir, "topology/sources/nats.toml"),
        `[[sources]]\nkey = "queue"\nconnect = "nats-src"\nparams = { servers = "nats://127.0.0.1:${silent.port}", stream = "S", durable = "d" }\n`
      )
      const wpc = yield* runWpc(dir)
      // start-up is under way: the nats client is connecting to the server that never answers
      yield* Effect.promise(() => silent.connected)
      wpc.child.kill("SIGHUP")
      yield* wpc.printed("[wpc] SIGHUP while starting: the project is read again once the pipeline runs")
      wpc.child.kill("SIGTERM")
      expect(yield* Effect.promise(() => wpc.exited)).toEqual({ code: 0, signal: null })
      expect(JSON.parse(wpc.out())).toMatchObject({ status: "stopped", eventsIn: 0 })
    }), 60_000)
})

describe("wpc run reloads sources on SIGHUP", () => {
  it.scopedLive("a changed file source resumes from its checkpoint, an added tcp source listens, a removed one is closed after what it read is written; the unchanged one keeps its connection", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const port = yield* freePort
      const extraPort = yield* freePort
      project(dir, port, "out.log")
      const input = path.join(dir, "data/in/in.log")
      fs.mkdirSync(path.dirname(input), { recursive: true })
      fs.writeFileSync(input, "")
      const fileSource = (pollMs: number) =>
        fs.writeFileSync(
          path.join(dir, "topology/sources/file.toml"),
          `[[sources]]\nkey = "tail"\nconnect = "file-src"\nparams = { base = "data/in", file = "in.log", follow = true, poll_ms = ${pollMs} }\n`
        )
      const extraSource = (present: boolean) => {
        const file = path.join(dir, "topology/sources/extra.toml")
        if (present) fs.writeFileSync(file, `[[sources]]\nkey = "extra"\nconnect = "tcp-src"\nparams = { port = ${extraPort}, idle_timeout_s = 0 }\n`)
        else fs.rmSync(file)
      }
      fileSource(20)
      // the sink writes 1,000 lines a second at most, 100 a write: at the first reload it still holds lines of the file source
      writeSink(dir, "out.log", 1000)
      fs.writeFileSync(path.join(dir, "engine.toml"), "[engine]\nbatch_events = 100\n")
      const output = path.join(dir, "data/out/out.log")
      const wpc = yield* runWpc(dir)
      const client = yield* connect(port)
      let appended = 0
      const append = (n: number) => {
        fs.appendFileSync(input, Array.from({ length: n }, (_, k) => `tail ${appended + k}\n`).join(""))
        appended += n
      }
      const count = (prefix: string) => linesOf(output).filter((l) => l.startsWith(prefix)).length
      append(100)
      yield* send(client.socket, `${line(0)}\n`)
      yield* awaitLines(output, 101)

      // 1: the file source changes (its poll), the extra tcp source is added; 4,000 lines were just appended
      append(4000)
      yield* awaitLines(output, 201)
      const writtenAtSignal = linesOf(output).length
      fileSource(10)
      extraSource(true)
      wpc.child.kill("SIGHUP")
      yield* wpc.printed("[wpc] reload: done")
      expect(wpc.err()).toContain("[wpc] reload: source tail changed: stopped (what it had read was written and acked) and started again")
      expect(wpc.err()).toContain("[wpc] reload: source extra added: started")
      expect(wpc.err()).toContain("1 changed, 1 added, 0 removed, 2 unchanged")
      // the old file source had lines in the sink's queue at the signal: they were written (and acked) before it closed
      expect(linesOf(output).length).toBeGreaterThan(writtenAtSignal)
      append(100)
      const extra = yield* connect(extraPort)
      yield* send(extra.socket, "extra 0\nextra 1\n")
      yield* send(client.socket, `${line(1)}\n`)
      yield* Effect.gen(function*() {
        const deadline = Date.now() + 20_000
        while ((count("tail ") < 4200 || count("extra ") < 2 || count("line ") < 2) && Date.now() < deadline) yield* Effect.sleep("10 millis")
      })

      // 2: the extra source is removed: its connection is closed, what it read was written
      extraSource(false)
      const before = wpc.err().length
      wpc.child.kill("SIGHUP")
      yield* Effect.gen(function*() {
        const deadline = Date.now() + 20_000
        while (!wpc.err().slice(before).includes("[wpc] reload: done") && Date.now() < deadline) yield* Effect.sleep("10 millis")
      })
      expect(wpc.err().slice(before)).toContain("[wpc] reload: source extra removed: stopped (what it had read was written and acked)")
      yield* Effect.gen(function*() {
        const deadline = Date.now() + 20_000
        while (!extra.closed() && Date.now() < deadline) yield* Effect.sleep("10 millis")
      })
      expect(extra.closed()).toBe(true)
      expect(client.closed()).toBe(false)
      append(50)
      yield* send(client.socket, `${line(2)}\n`)
      yield* awaitLines(output, 4255)
      wpc.child.kill("SIGTERM")
      expect(yield* Effect.promise(() => wpc.exited)).toEqual({ code: 0, signal: null })
      const written = linesOf(output)
      // line by line, per source: every line once, in order (the file source did not start over)
      expect(written.filter((l) => l.startsWith("tail "))).toEqual(Array.from({ length: 4250 }, (_, i) => `tail ${i}`))
      expect(written.filter((l) => l.startsWith("line "))).toEqual([line(0), line(1), line(2)])
      expect(written.filter((l) => l.startsWith("extra "))).toEqual(["extra 0", "extra 1"])
      expect(written).toHaveLength(4255)
      expect(JSON.parse(wpc.out())).toMatchObject({ status: "stopped", eventsIn: 4255, unacked: 0, errors: [] })
    }), 90_000)
})

describe("wpc run: what a reload starts logs where the run logs", () => {
  it.scopedLive("a source restarted with a processor that drops what it fails on: its warnings go to stderr, stdout holds the JSON report alone", () =>
    Effect.gen(function*() {
      const { client, dir, output, port, wpc } = yield* started("out.log", `{"n":0}\n`, 1)
      fs.mkdirSync(path.join(dir, "processors"))
      fs.writeFileSync(path.join(dir, "processors/parse.toml"), `[[processors]]\nname = "parse"\nkind = "json"\non_error = "drop"\n`)
      fs.writeFileSync(
        path.join(dir, "topology/sources/tcp.toml"),
        `[[sources]]\nkey = "lines"\nconnect = "tcp-src"\nprocessors = ["parse"]\nparams = { port = ${port}, idle_timeout_s = 0 }\n`
      )
      client.socket.destroy()
      wpc.child.kill("SIGHUP")
      yield* wpc.printed("[wpc] reload: done")
      expect(wpc.err()).toContain("[wpc] reload: source lines changed")
      const again = yield* connect(port)
      yield* send(again.socket, `not json\n{"n":1}\n`)
      yield* wpc.printed("dropped an event it failed on")
      yield* awaitLines(output, 2)
      wpc.child.kill("SIGTERM")
      expect(yield* Effect.promise(() => wpc.exited)).toEqual({ code: 0, signal: null })
      expect(JSON.parse(wpc.out())).toMatchObject({ status: "stopped", eventsIn: 3, unacked: 0 })
      expect(linesOf(output)).toHaveLength(2)
    }), 60_000)
})
