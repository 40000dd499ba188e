import { afterAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { SeekPosition } from "../../src/index.js"
import * as Builtins from "../../src/connectors/builtins.js"
import { MemoryStore } from "../../src/connectors/memory/store.js"
import * as Engine from "../../src/runtime/engine.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, snk, src } from "./fixtures.js"

afterAll(removeScratch)

v8.setFlagsFromString("--expose-gc")
/** A full garbage collection (`--expose-gc` set at run time). */
const gc = vm.runInNewContext("gc") as () => void

const tmp = () => scratch("wpc-engine-")
const fast = { batchWait: Duration.zero, retryBaseDelay: Duration.millis(2), retryMaxDelay: Duration.millis(20) }
const range = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}-${i}`)

describe("Engine", () => {
  it.live("delivers every event exactly where its filters say, in order, and acks it", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [
      src("api", { count: 50, batch: 7 }, ["env:prod", "app:api"]),
      src("web", { count: 40, batch: 5 }, ["env:dev", "app:web"]),
      src("db", { count: 30, batch: 4 }, ["env:prod", "app:db"])
    ], [
      { name: "prod", filter: "env == \"prod\"", sinks: [snk("prod", "all-prod"), snk("prod", "prod-api", {}, { filter: "app in [\"api\",\"web\"]" })] },
      { name: "everything", sinks: [snk("everything", "all")] },
      { name: "none", filter: "exists(nope)", sinks: [snk("none", "never")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      expect(report.eventsIn).toBe(120)
      const all = lab.written.get("all")!
      expect(all).toHaveLength(120)
      for (const name of ["api", "web", "db"]) {
        expect(all.filter((l) => l.startsWith(`${name}-`))).toEqual(range(name, name === "api" ? 50 : name === "web" ? 40 : 30))
      }
      const prod = lab.written.get("all-prod")!
      expect(prod.filter((l) => l.startsWith("api-"))).toEqual(range("api", 50))
      expect(prod.filter((l) => l.startsWith("db-"))).toEqual(range("db", 30))
      expect(prod.some((l) => l.startsWith("web-"))).toBe(false)
      expect(lab.written.get("prod-api")).toEqual(range("api", 50))
      expect(lab.written.get("never")).toBeUndefined()
      expect(lab.acked.get("api")).toEqual(Array.from({ length: 50 }, (_, i) => i))
      expect(lab.acked.get("web")).toEqual(Array.from({ length: 40 }, (_, i) => i))
      expect(report.acked).toBe(120)
      expect(report.unacked).toBe(0)
      expect(report.sinks.find((s) => s.name === "all")!.events).toBe(120)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("acks a source with a cumulative ackUpTo once per release, with the last token written, in order", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("c", { count: 100, batch: 7, cumulative: true })], [
      { name: "g", sinks: [snk("g", "flaky", { fail_first: 2 })] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      expect(lab.written.get("flaky")).toEqual(range("c", 100))
      // ackBatch is never called, and every ackUpTo token is the last event of a batch, increasing, ending at the last event
      expect(lab.acked.get("c")).toBeUndefined()
      const upTo = lab.ackedUpTo.get("c")!
      expect(upTo.at(-1)).toBe(99)
      for (const [i, t] of upTo.entries()) {
        expect(t === 99 || t % 7 === 6).toBe(true)
        if (i > 0) expect(t).toBeGreaterThan(upTo[i - 1]!)
      }
      expect(report.acked).toBe(100)
      expect(report.unacked).toBe(0)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("counts the events of a failed cumulative ack as acked once a later ackUpTo succeeds", () => {
    const lab = makeLab()
    // batches of 10, 20 ms apart (one release each): the ack up to token 9 fails, the next one covers it
    const spec = pipeline(tmp(), [src("c", { count: 40, batch: 10, delay_ms: 20, cumulative: true, fail_ack_at: 9 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      expect(lab.ackFailures.get("c")).toEqual([9])
      const upTo = lab.ackedUpTo.get("c")!
      expect(upTo).not.toContain(9)
      expect(upTo.at(-1)).toBe(39)
      expect(report.acked).toBe(40)
      expect(report.sources.find((s) => s.name === "c")!.acked).toBe(40)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("batchWait gathers the batches that arrive within it into one write, and writes at its deadline", () => {
    const lab = makeLab()
    const workRoot = tmp()
    const split = pipeline(workRoot, [src("far", { count: 30, batch: 10, delay_ms: 150 })], [
      { name: "far", sinks: [snk("far", "far-sink")] }
    ])
    const gathered = pipeline(workRoot, [src("near", { count: 30, batch: 10, delay_ms: 20 })], [
      { name: "near", sinks: [snk("near", "near-sink")] }
    ])
    return Effect.gen(function*() {
      // three batches 20 ms apart, batchWait 300 ms: one write of all 30 events, in order
      const near = yield* Engine.runPipeline(gathered, { batchWait: Duration.millis(300) })
      expect(near.status).toBe("completed")
      expect(lab.attempts.get("near-sink")).toBe(1)
      expect(lab.written.get("near-sink")).toEqual(range("near", 30))
      expect(lab.acked.get("near")).toEqual(Array.from({ length: 30 }, (_, i) => i))
      // three batches 150 ms apart, batchWait 30 ms: the wait ends at its deadline, one write per batch
      const far = yield* Engine.runPipeline(split, { batchWait: Duration.millis(30) })
      expect(far.status).toBe("completed")
      expect(lab.attempts.get("far-sink")).toBe(3)
      expect(lab.written.get("far-sink")).toEqual(range("far", 30))
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a sink that fails twice then recovers loses nothing", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("s", { count: 100, batch: 10 })], [
      { name: "g", sinks: [snk("g", "flaky", { fail_first: 2 })] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      expect(lab.written.get("flaky")).toEqual(range("s", 100))
      const stats = report.sinks[0]!
      expect(stats.retries).toBe(2)
      expect(stats.errors).toBe(2)
      expect(stats.rescued).toBe(0)
      expect(lab.reconnects.get("flaky")).toBe(2)
      expect(lab.acked.get("s")).toEqual(Array.from({ length: 100 }, (_, i) => i))
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a sink that always fails sends everything to the rescue file and acks only then", () => {
    const lab = makeLab()
    const root = tmp()
    const spec = pipeline(root, [src("s", { count: 25, batch: 10 }, ["env:test"])], [
      { name: "g", sinks: [snk("g", "dead", { fail_always: true }), snk("g", "ok")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, { ...fast, maxRetries: 2 })
      expect(report.status).toBe("completed")
      expect(lab.written.get("ok")).toEqual(range("s", 25))
      const lines = fs.readFileSync(path.join(root, "rescue", "g__dead.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      expect(lines.map((l) => l.event.payload)).toEqual(range("s", 25))
      expect(lines[0]).toMatchObject({ group: "g", sink: "dead", code: 500, reason: "Sink", detail: "send error: connection refused", event: { event_id: 0, src_key: "s", tags: { env: "test" } } })
      const dead = report.sinks.find((s) => s.name === "dead")!
      expect(dead.rescued).toBe(25)
      // each write is tried 3 times (2 retries) before its events are rescued
      expect(dead.retries).toBeGreaterThan(0)
      expect(lab.attempts.get("dead")).toBe((dead.retries / 2) * 3)
      expect(lab.acked.get("s")).toEqual(Array.from({ length: 25 }, (_, i) => i))
      expect(report.unacked).toBe(0)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a failure that is not retryable goes to the rescue at once", () => {
    const lab = makeLab()
    const root = tmp()
    const spec = pipeline(root, [src("s", { count: 5, batch: 5 })], [{ name: "g", sinks: [snk("g", "full", { fatal: true })] }])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(lab.attempts.get("full")).toBe(1)
      expect(report.sinks[0]!.rescued).toBe(5)
      const first = JSON.parse(fs.readFileSync(path.join(root, "rescue", "g__full.jsonl"), "utf8").split("\n")[0]!)
      expect(first).toMatchObject({ code: 510, reason: "StgCtrl", detail: "disk quota exceeded" })
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("Stop mid-run drains the queues, writes and acks everything read", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("endless", { count: -1, batch: 20, delay_ms: 1 })], [
      { name: "g", sinks: [snk("g", "slow", { delay_ms: 5 })] }
    ])
    return Effect.gen(function*() {
      const ready = yield* Deferred.make<Engine.Engine>()
      const fiber = yield* Effect.fork(Engine.runPipeline(spec, fast, (engine) => Deferred.succeed(ready, engine)))
      const engine = yield* Deferred.await(ready)
      while ((yield* engine.progress).written < 200) yield* Effect.sleep(Duration.millis(5))
      yield* engine.stop
      const report = yield* Fiber.join(fiber)
      expect(report.status).toBe("stopped")
      expect(report.eventsIn).toBeGreaterThanOrEqual(200)
      const written = lab.written.get("slow")!
      expect(written).toEqual(range("endless", report.eventsIn))
      expect(report.acked).toBe(report.eventsIn)
      expect(report.unacked).toBe(0)
      expect(report.phases.map((p) => p.phase)).toEqual(["stopSources", "drain", "acks", "close"])
      expect(report.phases.every((p) => !p.timedOut)).toBe(true)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("replicas are built with their index and share a group's load by source", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("a", { count: 20, batch: 5 }), src("b", { count: 20, batch: 5 }), src("c", { count: 20, batch: 5 })], [
      { name: "g", sinks: [snk("g", "rep", {}, { replicaCnt: 3 })] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(lab.replicaIdx.get("rep")).toEqual([0, 1, 2])
      const written = lab.written.get("rep")!
      expect(written).toHaveLength(60)
      for (const name of ["a", "b", "c"]) expect(written.filter((l) => l.startsWith(`${name}-`))).toEqual(range(name, 20))
      expect(report.sinks[0]!.events).toBe(60)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("honours rate_limit_rps", () => {
    const lab = makeLab()
    // 200 events/s with a one-second burst: 400 events take at least ~1 s
    const spec = pipeline(tmp(), [src("s", { count: 400, batch: 50 })], [
      { name: "g", sinks: [snk("g", "limited", {}, { rps: 200 })] }
    ])
    return Effect.gen(function*() {
      const t0 = Date.now()
      const report = yield* Engine.runPipeline(spec, fast)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900)
      expect(lab.written.get("limited")).toEqual(range("s", 400))
      expect(report.status).toBe("completed")
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a bad filter or an unknown kind fails before anything is built", () => {
    const lab = makeLab()
    return Effect.gen(function*() {
      const bad = pipeline(tmp(), [src("s", { count: 1 })], [{ name: "g", filter: "env == ", sinks: [snk("g", "x")] }])
      const e1 = yield* Effect.flip(Engine.runPipeline(bad, fast))
      expect(e1._tag).toBe("ConfigError")
      expect(e1.code).toBe(300)
      const unknown = pipeline(tmp(), [src("s", { count: 1 })], [{ name: "g", sinks: [snk("g", "x", {}, { kind: "kafka" })] }])
      const e2 = yield* Effect.flip(Engine.runPipeline(unknown, fast))
      expect(e2._tag === "ConfigError" && e2.detail).toBe("unknown sink connector kind \"kafka\"")
      expect(lab.replicaIdx.size).toBe(0)
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})

describe("Engine bytes", () => {
  it.live("counts UTF-8 bytes in the report, per sink and in the blackhole's count alike", () => {
    // 2 + 2 + 4 + 5 = 13 UTF-8 bytes (2 + 1 + 2 + 2 = 7 UTF-16 code units)
    const events = ["ab", "é", "😀", "é€"]
    const bytes = events.reduce((n, e) => n + Buffer.byteLength(e, "utf8"), 0)
    const spec = pipeline(tmp(), [
      { spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { events, batch_size: 2 }, tags: [] }, enabled: true }
    ], [{ name: "g", sinks: [snk("g", "hole", {}, { kind: "blackhole" })] }])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.bytesIn).toBe(bytes)
      expect(report.sources[0]!.bytes).toBe(bytes)
      expect(report.sinks[0]!.bytes).toBe(bytes)
      expect((yield* (yield* MemoryStore).counts("hole")).bytes).toBe(bytes)
    }).pipe(Effect.provide(Builtins.layer))
  })
})

describe("Engine memory", () => {
  it.live("stays bounded by its queues with a slow sink and a fast source over 100k events", () => {
    const lab = makeLab()
    const queueEvents = 2048
    // 1000-byte payloads (~100 MB in all), sink takes 10 ms per write of at most 1024 events and keeps nothing
    const spec = pipeline(tmp(), [src("fast", { count: 100_000, batch: 512, pad: 1000 })], [
      { name: "g", sinks: [snk("g", "slow", { delay_ms: 10, count_only: true })] }
    ])
    return Effect.gen(function*() {
      const ready = yield* Deferred.make<Engine.Engine>()
      const fiber = yield* Effect.fork(
        Engine.runPipeline(spec, { ...fast, queueEvents, batchEvents: 1024 }, (engine) => Deferred.succeed(ready, engine))
      )
      const engine = yield* Deferred.await(ready)
      gc()
      const heap0 = process.memoryUsage().heapUsed
      let maxQueued = 0
      let maxRead = 0
      let maxLive = 0
      let samples = 0
      while (fiber.unsafePoll() === null) {
        const p = yield* engine.progress
        maxQueued = Math.max(maxQueued, p.queued)
        maxRead = Math.max(maxRead, p.eventsIn - p.written)
        // what the run holds: the heap after a full collection (garbage not yet collected is not held)
        if (samples++ % 10 === 0) {
          gc()
          maxLive = Math.max(maxLive, process.memoryUsage().heapUsed - heap0)
        }
        yield* Effect.sleep(Duration.millis(5))
      }
      const report = yield* Fiber.join(fiber)
      expect(report.eventsIn).toBe(100_000)
      expect(lab.counted.get("slow")).toBe(100_000)
      expect(lab.acked.get("fast")?.at(-1)).toBe(99_999) // tokens count from 0; the last one was acked
      // the queue never holds more than its bound, and the source never runs ahead of it by more than one batch
      expect(maxQueued).toBeLessThanOrEqual(queueEvents)
      expect(maxRead).toBeLessThanOrEqual(queueEvents + 512)
      // 100k events of 1000 bytes are over 100 MB of strings: had they been buffered, the live heap would have
      // grown by that much; bounded by the queue (2048 events, ~2 MB) it holds a few MB more at most
      console.log(`engine memory: live heap +${(maxLive / 1048576).toFixed(1)} MB at most over 100k events of 1000 bytes`)
      expect(maxLive).toBeLessThan(24 * 1024 * 1024)
    }).pipe(Effect.provide(labRegistry(lab)))
  }, 60_000)

  it.live("rebuilds a source that fails with a retryable error, and keeps what it read", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("flaky", { count: 30, batch: 10, fail_once_at: 20 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, { ...fast, sourceRestartDelay: Duration.millis(5) })
      expect(report.status).toBe("completed")
      expect(report.sources[0]!.restarts).toBe(1)
      // the rebuilt source starts over: at-least-once, every event arrives
      const written = lab.written.get("out")!
      for (const line of range("flaky", 30)) expect(written).toContain(line)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("reports a source that fails for good, and still completes the others", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("broken", { count: 30, batch: 10, fatal_at: 10 }), src("fine", { count: 20, batch: 10 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("failed")
      expect(report.errors[0]).toContain("source broken: [500 SupplierError] bad record")
      expect(lab.written.get("out")!.filter((l) => l.startsWith("fine-"))).toEqual(range("fine", 20))
      expect(report.sources.find((s) => s.name === "broken")!.error).toContain("bad record")
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})

describe("Engine control", () => {
  it.live("a Stop asked for before run: no source reads, the run ends at once", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("endless", { count: -1, batch: 10 })], [{ name: "g", sinks: [snk("g", "out")] }])
    return Effect.gen(function*() {
      const engine = yield* Engine.make(spec, { ...fast, deadlines: { stopSources: Duration.seconds(2) } })
      yield* engine.stop
      const report = yield* engine.run
      expect(report.status).toBe("stopped")
      expect(report.eventsIn).toBe(0)
      expect(report.phases.every((p) => !p.timedOut)).toBe(true)
    }).pipe(Effect.scoped, Effect.provide(labRegistry(lab)))
  })

  it.live("once stop returned, a prompt synchronous source delivers at most the batch it was reading", () =>
    Effect.gen(function*() {
      const spec = pipeline(tmp(), [
        { spec: { name: "mem", kind: "memory", connectorId: "memory-src", params: { count: 100_000_000, batch_size: 100 }, tags: [] }, enabled: true }
      ], [{ name: "g", sinks: [snk("g", "hole", {}, { kind: "blackhole" })] }])
      const ready = yield* Deferred.make<Engine.Engine>()
      const fiber = yield* Effect.fork(Engine.runPipeline(spec, fast, (engine) => Deferred.succeed(ready, engine)))
      const engine = yield* Deferred.await(ready)
      while ((yield* engine.progress).eventsIn < 10_000) yield* Effect.yieldNow()
      yield* engine.stop
      const atStop = (yield* engine.progress).eventsIn
      const report = yield* Fiber.join(fiber)
      expect(report.status).toBe("stopped")
      expect(report.eventsIn - atStop).toBeLessThanOrEqual(100)
    }).pipe(Effect.provide(Builtins.layer)))

  it.live("isolate pauses every source and resumes it; seek is routed to the named source", () => {
    const lab = makeLab()
    const spec = pipeline(tmp(), [src("a", { count: -1, batch: 5, delay_ms: 2 }), src("b", { count: -1, batch: 5, delay_ms: 2 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    return Effect.gen(function*() {
      const ready = yield* Deferred.make<Engine.Engine>()
      const fiber = yield* Effect.fork(Engine.runPipeline(spec, fast, (engine) => Deferred.succeed(ready, engine)))
      const engine = yield* Deferred.await(ready)
      while ((yield* engine.progress).written < 50) yield* Effect.sleep(Duration.millis(5))
      yield* engine.isolate(true)
      yield* Effect.sleep(Duration.millis(50))
      const paused = (yield* engine.progress).eventsIn
      yield* Effect.sleep(Duration.millis(100))
      expect((yield* engine.progress).eventsIn).toBe(paused)
      yield* engine.isolate(false)
      while ((yield* engine.progress).eventsIn < paused + 50) yield* Effect.sleep(Duration.millis(5))
      // seek "a" back to its start: a-0 is read again, "b" goes on
      const aBefore = lab.written.get("out")!.filter((l) => l === "a-0").length
      yield* engine.seek("a", SeekPosition.Offset({ offset: 0 }))
      while (lab.written.get("out")!.filter((l) => l === "a-0").length === aBefore) yield* Effect.sleep(Duration.millis(5))
      const unknown = yield* Effect.flip(engine.seek("nope", SeekPosition.Start()))
      expect(unknown._tag).toBe("ConfigError")
      expect(unknown.expected).toBe("one of: a, b")
      yield* engine.stop
      const report = yield* Fiber.join(fiber)
      expect(report.status).toBe("stopped")
      expect(report.unacked).toBe(0)
      const b = lab.written.get("out")!.filter((l) => l.startsWith("b-"))
      expect(b).toEqual(range("b", b.length))
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})
