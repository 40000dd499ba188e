import { afterAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as FileConnector from "../../src/connectors/file/index.js"
import { ConnectorRegistry } from "../../src/index.js"
import * as Engine from "../../src/runtime/engine.js"
import type { PipelineSpec } from "../../src/runtime/pipeline.js"
import { labRegistry, makeLab, pipeline, recSink, removeScratch, scratch, seqSource, snk, src } from "./fixtures.js"

afterAll(removeScratch)

const fast = { batchWait: Duration.zero, retryBaseDelay: Duration.millis(2), retryMaxDelay: Duration.millis(20) }
const range = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}-${i}`)

/** Runs `spec` in a fiber; returns the engine (once built) and the fiber. */
const start = (spec: PipelineSpec) =>
  Effect.gen(function*() {
    const ready = yield* Deferred.make<Engine.Engine>()
    const fiber = yield* Effect.fork(Engine.runPipeline(spec, fast, (engine) => Deferred.succeed(ready, engine)))
    return { engine: yield* Deferred.await(ready), fiber }
  })

/** Waits until `holds()` is true, polling every 5 ms. */
const until = (holds: () => boolean) => Effect.gen(function*() {
  while (!holds()) yield* Effect.sleep(Duration.millis(5))
})

describe("Engine.reload", () => {
  it.live("stops a removed source (everything it read written and acked), restarts a changed one, starts an added one; an unchanged one reads on without a restart", () => {
    const lab = makeLab()
    const root = scratch("wpc-reload-")
    const endless = { count: -1, batch: 5, delay_ms: 2 }
    const group = { name: "g", sinks: [snk("g", "out")] }
    const before = pipeline(root, [src("keep", endless), src("gone", endless), src("moved", endless)], [group])
    const after = pipeline(root, [src("keep", endless), src("moved", { ...endless, batch: 3 }), src("new", endless)], [group])
    const lines = (prefix: string) => (lab.written.get("out") ?? []).filter((l) => l.startsWith(`${prefix}-`))
    return Effect.gen(function*() {
      const { engine, fiber } = yield* start(before)
      yield* until(() => lines("keep").length >= 50 && lines("gone").length >= 50 && lines("moved").length >= 50)
      const outcome = yield* engine.reload(after)
      expect(outcome.plan.sources).toEqual([
        { unit: "source", name: "moved", change: "changed" },
        { unit: "source", name: "new", change: "added" },
        { unit: "source", name: "gone", change: "removed" }
      ])
      expect(outcome.plan.groups).toEqual([])
      expect(outcome.plan.unchanged).toBe(2)
      expect(outcome.failed).toEqual([])
      // the removed source is stopped: what it read was written and acked, and it reads no more
      const gone = lines("gone")
      expect(gone).toEqual(range("gone", gone.length))
      expect(lab.acked.get("gone")).toEqual(Array.from({ length: gone.length }, (_, i) => i))
      const movedAtReload = lines("moved").length
      yield* until(() => lines("new").length >= 30 && lines("moved").length >= movedAtReload + 30)
      expect(lines("gone")).toEqual(gone)
      yield* engine.stop
      const report = yield* Fiber.join(fiber)
      expect(report.status).toBe("stopped")
      expect(report.unacked).toBe(0)
      expect(report.errors).toEqual([])
      // the unchanged source never started over: one run of keep-0, keep-1, ... with nothing repeated
      expect(lines("keep")).toEqual(range("keep", lines("keep").length))
      // the changed one did (a seq source starts at 0): its old run, then its new one, both whole
      const moved = lines("moved")
      const restartAt = moved.indexOf("moved-0", 1)
      expect(restartAt).toBeGreaterThanOrEqual(movedAtReload)
      expect(moved.slice(0, restartAt)).toEqual(range("moved", restartAt))
      expect(moved.slice(restartAt)).toEqual(range("moved", moved.length - restartAt))
      expect(lines("new")).toEqual(range("new", lines("new").length))
      // counters of a replaced source go on; a removed one keeps what it did
      expect(report.sources.map((s) => s.name)).toEqual(["keep", "gone", "moved", "new"])
      expect(report.sources.find((s) => s.name === "gone")!.events).toBe(gone.length)
      expect(report.sources.find((s) => s.name === "moved")!.events).toBe(moved.length)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a changed sink group: the old one writes what it holds before the new one writes; every event lands once, in order", () => {
    const lab = makeLab()
    const root = scratch("wpc-reload-")
    const source = src("s", { count: -1, batch: 10, delay_ms: 1 })
    // a slow old sink: its queue holds events when the reload comes
    const before = pipeline(root, [source], [{ name: "g", sinks: [snk("g", "old", { delay_ms: 20 })] }])
    const after = pipeline(root, [source], [{ name: "g", sinks: [snk("g", "new")] }])
    return Effect.gen(function*() {
      const { engine, fiber } = yield* start(before)
      yield* until(() => (lab.written.get("old") ?? []).length >= 100)
      const readAtReload = (yield* engine.progress).eventsIn
      const writtenAtReload = (lab.written.get("old") ?? []).length
      expect(readAtReload).toBeGreaterThan(writtenAtReload)
      const outcome = yield* engine.reload(after)
      expect(outcome.plan.groups).toEqual([{ unit: "sink group", name: "g", change: "changed" }])
      expect(outcome.plan.unchanged).toBe(1)
      // the old sink wrote everything it held before the reload returned
      expect(lab.written.get("old")!.length).toBeGreaterThanOrEqual(readAtReload)
      yield* until(() => (lab.written.get("new") ?? []).length >= 100)
      yield* engine.stop
      const report = yield* Fiber.join(fiber)
      expect(report.unacked).toBe(0)
      expect([...lab.written.get("old")!, ...lab.written.get("new")!]).toEqual(range("s", report.eventsIn))
      expect(lab.acked.get("s")).toEqual(Array.from({ length: report.eventsIn }, (_, i) => i))
      expect(report.sinks.map((s) => [s.name, s.events])).toEqual([["old", lab.written.get("old")!.length], ["new", lab.written.get("new")!.length]])
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a spec that does not validate changes nothing: the error names what is wrong, the run goes on", () => {
    const lab = makeLab()
    const root = scratch("wpc-reload-")
    const source = src("s", { count: -1, batch: 10, delay_ms: 1 })
    const before = pipeline(root, [source], [{ name: "g", sinks: [snk("g", "out")] }])
    const badKind = pipeline(root, [source], [{ name: "g", sinks: [snk("g", "out", {}, { kind: "nope" })] }])
    const badFilter = pipeline(root, [source], [{ name: "g", filter: "env ==", sinks: [snk("g", "out")] }])
    return Effect.gen(function*() {
      const { engine, fiber } = yield* start(before)
      yield* until(() => (lab.written.get("out") ?? []).length >= 50)
      const kind = yield* Effect.flip(engine.reload(badKind))
      expect(kind._tag).toBe("ConfigError")
      expect(kind.message).toContain("nope")
      const filter = yield* Effect.flip(engine.reload(badFilter))
      expect(filter.message).toContain("sink_group[g].filter")
      const at = lab.written.get("out")!.length
      yield* until(() => lab.written.get("out")!.length >= at + 50)
      const moved = yield* Effect.flip(engine.reload({ ...before, workRoot: scratch("wpc-reload-other-") }))
      expect(moved.message).toContain("work root")
      yield* engine.stop
      const report = yield* Fiber.join(fiber)
      expect(report.sinks.map((s) => s.name)).toEqual(["out"])
      expect(lab.written.get("out")).toEqual(range("s", report.eventsIn))
      expect(lab.replicaIdx.get("out")).toEqual([0])
      // once stopped, a reload is refused
      const late = yield* Effect.flip(engine.reload(before))
      expect(late.message).toContain("stopping")
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a reload asked for before the run starts waits for it", () => {
    const lab = makeLab()
    const root = scratch("wpc-reload-")
    const before = pipeline(root, [src("a", { count: -1, batch: 5, delay_ms: 2 })], [{ name: "g", sinks: [snk("g", "out")] }])
    const after = pipeline(root, [src("b", { count: -1, batch: 5, delay_ms: 2 })], [{ name: "g", sinks: [snk("g", "out")] }])
    return Effect.gen(function*() {
      const engine = yield* Engine.make(before, fast)
      const reload = yield* Effect.fork(engine.reload(after))
      const run = yield* Effect.fork(engine.run)
      const outcome = yield* Fiber.join(reload)
      expect(outcome.plan.sources.map((c) => `${c.name} ${c.change}`)).toEqual(["b added", "a removed"])
      yield* until(() => (lab.written.get("out") ?? []).some((l) => l.startsWith("b-")))
      yield* engine.stop
      const report = yield* Fiber.join(run)
      expect(report.unacked).toBe(0)
      expect((lab.written.get("out") ?? []).filter((l) => l.startsWith("a-"))).toEqual(range("a", report.sources[0]!.events))
    }).pipe(Effect.scoped, Effect.provide(labRegistry(lab)))
  })
})

describe("Engine.reload, a sink group that cannot be built", () => {
  it.live("the reload fails with the coded error, nothing stops, the group it did build never writes, and the run goes on as it was", () => {
    const lab = makeLab()
    const root = scratch("wpc-reload-")
    // a file where the new file sink wants a directory: its open fails with a coded SinkError
    fs.writeFileSync(path.join(root, "blocker"), "")
    const source = src("s", { count: -1, batch: 10, delay_ms: 1 })
    const before = pipeline(root, [source], [{ name: "g", sinks: [snk("g", "out")] }])
    const after = pipeline(root, [source], [
      { name: "g", sinks: [snk("g", "again")] },
      { name: "h", sinks: [snk("h", "file", { base: "blocker", file: "x.log" }, { kind: "file" })] }
    ])
    const registry = ConnectorRegistry.fromConnectors(
      ConnectorRegistry.register({ kind: "seq", source: seqSource(lab) }),
      ConnectorRegistry.register({ kind: "rec", sink: recSink(lab) }),
      FileConnector.layer
    )
    return Effect.gen(function*() {
      const { engine, fiber } = yield* start(before)
      yield* until(() => (lab.written.get("out") ?? []).length >= 50)
      const failed = yield* Effect.flip(engine.reload(after))
      expect(failed._tag).toBe("SinkUvs")
      expect(failed.message).toContain("blocker")
      // the new "g" was built (its sink "again") before "h" failed; it is dropped without writing
      expect(lab.replicaIdx.get("again")).toEqual([0])
      const at = lab.written.get("out")!.length
      yield* until(() => lab.written.get("out")!.length >= at + 50)
      yield* engine.stop
      const report = yield* Fiber.join(fiber)
      expect(lab.written.get("again")).toBeUndefined()
      expect(lab.written.get("out")).toEqual(range("s", report.eventsIn))
      expect(report.unacked).toBe(0)
    }).pipe(Effect.provide(registry))
  })
})
