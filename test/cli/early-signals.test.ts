import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as EarlySignals from "../../src/cli/early-signals.js"
import * as StartupStop from "../../src/cli/startup-stop.js"
import { tempDir } from "../project/fixtures.js"
import { example, wpc } from "./fixtures.js"

/** Delivers `signal` to this process's listeners (as the signal itself would, without the OS). */
const deliver = (signal: NodeJS.Signals) => process.emit(signal, signal)

describe("EarlySignals and StartupStop (in-process)", () => {
  it.scopedLive("a signal held while wpc loads is the first signal of the start-up guard: it stops at once", () =>
    Effect.gen(function*() {
      EarlySignals.hold()
      deliver("SIGTERM")
      const printed: Array<string> = []
      let stopped = 0
      const guard = yield* StartupStop.guard(Effect.sync(() => void (stopped += 1)), (line) => Effect.sync(() => void printed.push(line)))
      // the stop runs in a fiber of its own
      yield* Effect.yieldNow()
      expect(guard.signalled()).toBe("SIGTERM")
      expect(stopped).toBe(1)
      expect(printed).toEqual(["[wpc] SIGTERM while starting: stopping (send it again to force)"])
      expect(EarlySignals.take()).toBeUndefined()
    }))

  it.scopedLive("the guard steps aside once another handler of the signals is installed (the runner's), and Node keeps listening", () =>
    Effect.gen(function*() {
      let stopped = 0
      const guard = yield* StartupStop.guard(Effect.sync(() => void (stopped += 1)), () => Effect.void)
      const runners: Array<NodeJS.Signals> = []
      let received: (signal: NodeJS.Signals) => void = () => undefined
      const runner = (signal: NodeJS.Signals) => {
        runners.push(signal)
        received(signal)
      }
      process.on("SIGINT", runner)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.off("SIGINT", runner)))
      deliver("SIGINT")
      expect(runners).toEqual(["SIGINT"])
      // once the guard's handlers are gone, a real SIGINT still reaches the runner's (it would end this process otherwise)
      yield* Effect.promise(() => new Promise<void>((resolve) => process.nextTick(resolve)))
      expect(process.listeners("SIGINT")).toEqual([runner])
      expect(process.listenerCount("SIGTERM")).toBe(0)
      const real = new Promise<NodeJS.Signals>((resolve) => (received = resolve))
      process.kill(process.pid, "SIGINT")
      expect(yield* Effect.promise(() => real)).toBe("SIGINT")
      expect(stopped).toBe(0)
      expect(guard.signalled()).toBeUndefined()
    }))

  it.effect("release gives a held signal back to the process (Node's default, or the handlers installed since)", () =>
    Effect.gen(function*() {
      EarlySignals.hold()
      deliver("SIGINT")
      const received = new Promise<NodeJS.Signals>((resolve) => process.once("SIGINT", resolve))
      EarlySignals.release()
      expect(yield* Effect.promise(() => received)).toBe("SIGINT")
      EarlySignals.release()
      expect(process.listenerCount("SIGINT")).toBe(0)
    }))

  it.scopedLive("wpc run with a signal held while it loaded: exit 0, stopped, nothing built", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "p")
      fs.cpSync(example, dir, { recursive: true, filter: (from) => !/[/\\](data[/\\]out|checkpoints|rescue)$/.test(from) })
      const cwd = process.cwd()
      yield* Effect.addFinalizer(() => Effect.sync(() => process.chdir(cwd)))
      EarlySignals.hold()
      deliver("SIGTERM")
      const run = yield* wpc("run", "-w", dir, "--json", "--progress", "0")
      expect(run.code).toBe(0)
      expect(JSON.parse(run.out)).toMatchObject({ status: "stopped", eventsIn: 0, acked: 0, unacked: 0 })
      expect(fs.existsSync(path.join(dir, "data/out"))).toBe(false)
      expect(process.listenerCount("SIGTERM")).toBe(0)
    }))
})
