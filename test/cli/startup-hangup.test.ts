import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as EarlySignals from "../../src/cli/early-signals.js"
import * as StartupHangup from "../../src/cli/startup-hangup.js"

/** Delivers `signal` to this process's listeners (as the signal itself would, without the OS). */
const deliver = (signal: NodeJS.Signals) => process.emit(signal, signal)

/** Waits for the next tick (the hold hands a held SIGHUP over then). */
const nextTick = Effect.promise(() => new Promise<void>((resolve) => process.nextTick(resolve)))

/** Installs the runner's SIGHUP handler (removed when the Scope closes), counting the reloads it is asked for; the count so far. */
const runnerHandler = Effect.gen(function*() {
  let reloads = 0
  const runner = () => void (reloads += 1)
  process.on("SIGHUP", runner)
  yield* Effect.addFinalizer(() => Effect.sync(() => void process.off("SIGHUP", runner)))
  return () => reloads
})

describe("StartupHangup (in-process)", () => {
  it.scopedLive("a SIGHUP while starting is held, said once, and handed to the runner's handler once it is installed", () =>
    Effect.gen(function*() {
      const printed: Array<string> = []
      yield* StartupHangup.hold((line) => Effect.sync(() => void printed.push(line)))
      deliver("SIGHUP")
      deliver("SIGHUP")
      yield* Effect.yieldNow()
      expect(printed).toEqual(["[wpc] SIGHUP while starting: the project is read again once the pipeline runs"])
      const reloads = yield* runnerHandler
      yield* nextTick
      // the two count as one; the runner's handler alone answers from now on
      expect(reloads()).toBe(1)
      deliver("SIGHUP")
      expect(reloads()).toBe(2)
      expect(printed).toHaveLength(1)
    }))

  it.scopedLive("once the runner's handler is gone (the run ended), a SIGHUP is ignored with a line, and does not end the process", () =>
    Effect.gen(function*() {
      const printed: Array<string> = []
      yield* StartupHangup.hold((line) => Effect.sync(() => void printed.push(line)))
      const runner = () => undefined
      process.on("SIGHUP", runner)
      yield* nextTick
      process.off("SIGHUP", runner)
      // a listener stays: Node's default (ending the process) does not apply
      expect(process.listenerCount("SIGHUP")).toBe(1)
      deliver("SIGHUP")
      yield* Effect.yieldNow()
      expect(printed).toEqual(["[wpc] SIGHUP while the run ends: nothing to reload"])
    }))

  it.scopedLive("its Scope closed, it leaves no listener behind", () =>
    Effect.gen(function*() {
      const before = process.listenerCount("newListener")
      yield* Effect.scoped(StartupHangup.hold(() => Effect.void))
      expect(process.listenerCount("SIGHUP")).toBe(0)
      expect(process.listenerCount("newListener")).toBe(before)
    }))

  it.scopedLive("no SIGHUP while starting: the runner's handler gets nothing when it is installed", () =>
    Effect.gen(function*() {
      yield* StartupHangup.hold(() => Effect.void)
      const reloads = yield* runnerHandler
      yield* nextTick
      expect(reloads()).toBe(0)
    }))

  it.scopedLive("a SIGHUP held while wpc loaded its modules counts as one while starting", () =>
    Effect.gen(function*() {
      EarlySignals.hold()
      deliver("SIGHUP")
      expect(EarlySignals.take()).toBeUndefined()
      const printed: Array<string> = []
      yield* StartupHangup.hold((line) => Effect.sync(() => void printed.push(line)))
      yield* Effect.yieldNow()
      expect(printed).toHaveLength(1)
      expect(EarlySignals.takeHangup()).toBe(false)
      const reloads = yield* runnerHandler
      yield* nextTick
      expect(reloads()).toBe(1)
    }))

  it.effect("EarlySignals.release gives a held SIGHUP back to the process (the handlers installed since, or Node's default)", () =>
    Effect.gen(function*() {
      EarlySignals.hold()
      deliver("SIGHUP")
      const received = new Promise<NodeJS.Signals>((resolve) => process.once("SIGHUP", resolve))
      EarlySignals.release()
      expect(yield* Effect.promise(() => received)).toBe("SIGHUP")
      expect(process.listenerCount("SIGHUP")).toBe(0)
    }))
})
