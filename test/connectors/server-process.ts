/**
 * A real server process for the integration tests (nats-server, redis-server): started on a free
 * loopback port with its data in a temp dir, killed with SIGKILL and restarted on the same port and
 * dir on demand, killed and its dir removed when the Scope closes.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import { freePort } from "../../src/testkit/ports.js"

/** A running server process. */
export interface ServerProcess {
  readonly port: number
  readonly dir: string
  /** Kills the server (SIGKILL) and waits for it to exit. */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port and dir. */
  readonly start: Effect.Effect<void, Error>
}

/** The first of `candidates` that exists (Debian puts some servers in /usr/sbin, which a PATH may lack), else `name`. */
export const findBinary = (name: string, candidates: ReadonlyArray<string>): string =>
  candidates.find((c) => fs.existsSync(c)) ?? name

/** How long a started server may take to listen: generous, as a busy 2-core machine starts one slowly. */
const listenWithinMs = 20_000

/**
 * Resolves once something accepts connections on 127.0.0.1:`port` (tries every 20 ms for 20 s, on real
 * time: it also works under a TestClock, as in the conformance fault cases).
 */
export const waitForPort = (port: number): Effect.Effect<void, Error> =>
  Effect.async<void, Error>((resume) => {
    const deadline = Date.now() + listenWithinMs
    let timer: NodeJS.Timeout | undefined
    const attempt = () => {
      const socket = net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        resume(Effect.void)
      })
      socket.once("error", (e) => {
        socket.destroy()
        if (Date.now() > deadline) resume(Effect.fail(new Error(`nothing listens on 127.0.0.1:${port} after ${listenWithinMs / 1000} s: ${e.message}`)))
        else timer = setTimeout(attempt, 20)
      })
    }
    attempt()
    return Effect.sync(() => clearTimeout(timer))
  })

/** Kills `child` with SIGKILL and waits for its exit. */
const kill = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  })

/**
 * Resolves with the error when `child` cannot be spawned (a missing binary: says how to install it)
 * or when it exits. Listens from the start: a spawn error is emitted on the next tick.
 */
const failure = (name: string, binary: string, child: ChildProcess): Promise<Error> =>
  new Promise<Error>((resolve) => {
    child.once("error", (e) => resolve(new Error(`cannot start ${binary}: ${e.message} (on Debian: apt-get install -y ${name}-server)`)))
    child.once("exit", (code, signal) => resolve(new Error(`${binary} exited before it listened (code ${code}, signal ${signal})`)))
  })

/** Starts `binary` with `args(port, dir)` on a free port in a fresh temp dir named `wpc-<name>-*`. */
export const serverProcess = (
  name: string,
  binary: string,
  args: (port: number, dir: string) => ReadonlyArray<string>
): Effect.Effect<ServerProcess, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), `wpc-${name}-`))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    const port = yield* freePort
    let child: ChildProcess | undefined
    const start = Effect.suspend(() => {
      child = spawn(binary, args(port, dir), { stdio: "ignore" })
      const died = failure(name, binary, child)
      // the acquisition is uninterruptible: both racers must be made interruptible, or the loser is never stopped
      return Effect.raceFirst(Effect.interruptible(waitForPort(port)), Effect.interruptible(Effect.flatMap(Effect.promise(() => died), Effect.fail)))
    })
    const stop = Effect.suspend(() => (child === undefined ? Effect.void : kill(child)))
    yield* Effect.acquireRelease(start, () => stop)
    return { port, dir, stop, start }
  })
