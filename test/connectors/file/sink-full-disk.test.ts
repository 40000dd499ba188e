import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber } from "effect"
import * as FileConnector from "../../../src/connectors/file/index.js"
import { ConnectorRegistry } from "../../../src/index.js"
import * as Engine from "../../../src/runtime/engine.js"
import { type Lab, makeLab, pipeline, seqSource, snk, src } from "../../runtime/fixtures.js"
import { tempDir } from "./fixtures.js"
import { smallDisk } from "./small-disk.js"

/** `seq` sources (from the engine tests) and the real `file` connector. */
const registry = (lab: Lab) =>
  ConnectorRegistry.fromConnectors(ConnectorRegistry.register({ kind: "seq", source: seqSource(lab) }), FileConnector.layer)

const fast = { batchWait: Duration.zero, retryBaseDelay: Duration.millis(2), retryMaxDelay: Duration.millis(20) }
const pad = 80
/** The payloads the `seq` source `s` sends: `s-<i>` padded with `pad` x's. */
const payloads = (count: number) => Array.from({ length: count }, (_, i) => `s-${i}${"x".repeat(pad)}`)
const exists = (file: string) => Effect.promise(() => fs.access(file).then(() => true, () => false))

describe("file sink on a full disk, in the engine", () => {
  it.scopedLive("a disk full for a while, then cleared: every event in the output exactly once, in order, nothing rescued, retries counted", () => {
    const lab = makeLab()
    return Effect.gen(function*() {
      const disk = yield* smallDisk(256 * 1024)
      const work = yield* tempDir
      // ~130 KB of lines, 16 KiB free: the sink fills the disk within the first batches
      yield* disk.fill(16 * 1024)
      const count = 1500
      const spec = pipeline(work, [src("s", { count, batch: 50, pad })], [
        { name: "g", sinks: [snk("g", "out", { base: disk.dir, file: "out.log" }, { kind: "file" })] }
      ])
      const ready = yield* Deferred.make<Engine.Engine>()
      const run = yield* Effect.fork(Engine.runPipeline(spec, { ...fast, maxRetries: 1_000_000 }, (engine) => Deferred.succeed(ready, engine)))
      const engine = yield* Deferred.await(ready)
      // the disk stays full until the sink has failed and been retried a few times (or gave up: asserted below)
      const waiting = (p: Engine.Progress) => p.errors < 3 && p.rescued === 0 && p.written < count
      while (waiting(yield* engine.progress)) yield* Effect.sleep(Duration.millis(2))
      const stalled = yield* engine.progress
      expect(stalled.written).toBeLessThan(count)
      expect(stalled.rescued).toBe(0)
      yield* disk.clear
      const report = yield* Fiber.join(run)

      expect(report.status).toBe("completed")
      const out = yield* Effect.promise(() => fs.readFile(path.join(disk.dir, "out.log"), "utf8"))
      expect(out.split("\n")).toEqual([...payloads(count), ""])
      const stats = report.sinks[0]!
      expect(stats.events).toBe(count)
      expect(stats.rescued).toBe(0)
      expect(stats.retries).toBeGreaterThanOrEqual(3)
      expect(stats.errors).toBe(stats.retries)
      expect(yield* exists(path.join(work, "rescue"))).toBe(false)
      expect(lab.acked.get("s")).toEqual(Array.from({ length: count }, (_, i) => i))
      expect(report.unacked).toBe(0)
    }).pipe(Effect.provide(registry(lab)))
  })

  it.scopedLive("the rescue on the same full disk and the retries spent: the run fails and nothing is acked", () => {
    const lab = makeLab()
    return Effect.gen(function*() {
      const disk = yield* smallDisk(256 * 1024)
      const work = yield* tempDir
      yield* disk.fill(0)
      const spec = pipeline(work, [src("s", { count: 100, batch: 10, pad })], [
        { name: "g", sinks: [snk("g", "out", { base: disk.dir, file: "out.log" }, { kind: "file" })] }
      ])
      const report = yield* Engine.runPipeline(spec, { ...fast, maxRetries: 3, rescueDir: path.join(disk.dir, "rescue") })

      expect(report.status).toBe("failed")
      expect(report.errors.join("\n")).toContain(`rescue file ${path.join(disk.dir, "rescue", "g__out.jsonl")} could not be written`)
      const stats = report.sinks[0]!
      // the first batch was tried 1 + maxRetries times, then its rescue failed: the run stopped there
      expect(stats.retries).toBe(3)
      expect(stats.errors).toBe(4)
      expect(stats.events).toBe(0)
      expect(stats.rescued).toBe(0)
      expect(report.acked).toBe(0)
      expect(lab.acked.get("s")).toBeUndefined()
      expect((yield* Effect.promise(() => fs.stat(path.join(disk.dir, "out.log")))).size).toBe(0)
    }).pipe(Effect.provide(registry(lab)))
  })
})
