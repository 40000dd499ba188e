/**
 * The run state on its own: the Stop request, progress summed over sources and sinks, and the report's status.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as RunState from "../../src/runtime/run-state.js"

describe("RunState", () => {
  it.effect("sums progress over sources and sinks, and tells a Stop request once", () =>
    Effect.gen(function*() {
      const state = yield* RunState.make(["a", "b"], [{ group: "g", name: "x" }, { group: "g", name: "y" }])
      state.sources[0]!.events = 3
      state.sources[0]!.bytes = 30
      state.sources[1]!.events = 2
      state.sources[1]!.acked = 2
      state.sinks[0]!.events = 4
      state.sinks[1]!.rescued = 1
      state.sinks[1]!.errors = 2
      yield* TestClock.adjust("250 millis")
      expect(yield* RunState.progress(state, 7)).toEqual({ millis: 250, eventsIn: 5, bytesIn: 30, written: 4, rescued: 1, errors: 2, acked: 2, queued: 7, sinks: [{ group: "g", name: "x", events: 4 }, { group: "g", name: "y", events: 0 }] })
      expect(yield* RunState.isStopping(state)).toBe(false)
      expect(yield* RunState.requestStop(state)).toBe(true)
      expect(yield* RunState.requestStop(state)).toBe(false)
      expect(yield* RunState.isStopping(state)).toBe(true)
    }))

  it.effect("reports completed, stopped or failed, and what is left unacked", () =>
    Effect.gen(function*() {
      const state = yield* RunState.make(["a"], [])
      state.sources[0]!.events = 10
      state.completed = 8
      state.unrouted = 2
      const done = yield* RunState.report(state, false, [])
      expect(done).toMatchObject({ status: "completed", eventsIn: 10, eventsCompleted: 8, unrouted: 2, unacked: 2 })
      expect((yield* RunState.report(state, true, [])).status).toBe("stopped")
      yield* RunState.failed(state, "sink g/x: [510 StgCtrl] rescue file could not be written")
      const failed = yield* RunState.report(state, true, [])
      expect(failed.status).toBe("failed")
      expect(failed.errors).toEqual(["sink g/x: [510 StgCtrl] rescue file could not be written"])
      // the report is a copy: later counting does not change it
      state.sources[0]!.events = 11
      expect(failed.sources[0]!.events).toBe(10)
    }))
})
