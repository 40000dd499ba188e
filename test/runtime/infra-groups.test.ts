/**
 * WarpParse's infra groups in the engine: `error` takes the events a processor failed on with
 * `on_error = "rescue"` (instead of the rescue file), `miss` those of `on_error = "drop"`, `residue` those
 * a processor dropped by its rule, `default` what no business group selects, and `monitor` the engine's
 * counters. Every event read is acked once the groups that took it wrote it; nothing is lost.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { DataRecord, Processor, processorError, SourceEvent } from "../../src/index.js"
import * as Engine from "../../src/runtime/engine.js"
import type { GroupRole, PipelineSpec } from "../../src/runtime/pipeline.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, snk, src } from "./fixtures.js"

afterAll(removeScratch)

const fast = { batchWait: Duration.zero, retryBaseDelay: Duration.millis(2), retryMaxDelay: Duration.millis(20) }

const numberOf = (e: SourceEvent.SourceEvent): number => Number(String(e.payload).split("-")[1])

/** Payload to a record `{ n }`; fails on multiples of 5. */
const parse = (onError: Processor.OnError) =>
  Processor.sync({ name: `parse-${onError}`, kind: "test-parse", onError }, (e) => {
    const n = numberOf(e)
    if (n % 5 === 0) return processorError(`${n} is a multiple of 5`)
    return SourceEvent.update(e, { record: DataRecord.make([DataRecord.field("n", DataRecord.float(n))]) })
  })

/** Drops odd numbers (by rule). */
const evens = Processor.sync({ name: "evens", kind: "evens" }, (e) => (numberOf(e) % 2 === 1 ? Processor.dropped : e))

/** `spec` with the groups named in `roles` made infra groups. */
const withRoles = (spec: PipelineSpec, roles: { readonly [group: string]: GroupRole }): PipelineSpec => ({
  ...spec,
  groups: spec.groups.map((g) => ({ ...g, role: roles[g.name] }))
})

describe("infra groups", () => {
  it.live("error, miss and residue take what the processors set aside; nothing is rescued to a file; all acked", () => {
    const lab = makeLab()
    const spec = withRoles(
      pipeline(scratch("wpc-infra-"), [
        { ...src("r", { count: 11, batch: 4 }), processors: [parse("rescue")] },
        { ...src("d", { count: 11, batch: 4 }), processors: [parse("drop"), evens] }
      ], [
        { name: "biz", sinks: [snk("biz", "biz")] },
        // the tags the stage sets say which processor failed: the error group's filter proves them
        { name: "error", filter: "error_processor == \"parse-rescue\" && exists(#error)", sinks: [snk("error", "error")] },
        { name: "miss", sinks: [snk("miss", "miss")] },
        { name: "residue", sinks: [snk("residue", "residue")] }
      ]),
      { error: "error", miss: "miss", residue: "residue" }
    )
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      expect(lab.written.get("error")).toEqual(["r-0", "r-5", "r-10"])
      expect(lab.written.get("miss")).toEqual(["d-0", "d-5", "d-10"])
      // the odd numbers the rule dropped, as they came to it (parsed)
      expect(lab.written.get("residue")).toEqual([1, 3, 7, 9].map((n) => `{"n":${n}.0}`))
      expect(lab.written.get("biz")?.length).toBe(8 + 4)
      expect(lab.acked.get("r")).toEqual(Array.from({ length: 11 }, (_, i) => i))
      expect(lab.acked.get("d")).toEqual(Array.from({ length: 11 }, (_, i) => i))
      expect(report.unacked).toBe(0)
      expect(fs.existsSync(path.join(spec.workRoot, "rescue"))).toBe(false)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("default takes what no business group selects; monitor gets the counters as the sources ended", () => {
    const lab = makeLab()
    const spec = withRoles(
      pipeline(scratch("wpc-infra-"), [src("s", { count: 6, batch: 4 })], [
        { name: "none", filter: "src_key == \"other\"", sinks: [snk("none", "none")] },
        { name: "default", sinks: [snk("default", "default")] },
        { name: "monitor", sinks: [snk("monitor", "monitor")] }
      ]),
      { default: "default", monitor: "monitor" }
    )
    return Effect.gen(function*() {
      // 0: no periodic record, only the last one
      const report = yield* Engine.runPipeline(spec, { ...fast, monitorInterval: 0 })
      expect(report.status).toBe("completed")
      expect(lab.written.get("default")).toEqual(["s-0", "s-1", "s-2", "s-3", "s-4", "s-5"])
      expect(report.unrouted).toBe(6)
      expect(report.acked).toBe(6)
      const monitor = (lab.written.get("monitor") ?? []).map((line) => JSON.parse(line) as { kind: string; name: string; events: number })
      // one record per source and per sink (none, default, monitor), from the final emission
      expect(monitor.map((m) => `${m.kind}:${m.name}`)).toEqual(["source:s", "sink:none", "sink:default", "sink:monitor"])
      expect(monitor[0]!.events).toBe(6)
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})

describe("infra groups across a reload", () => {
  it.live("an error group removed by a reload: the failures after it go to the rescue file, none lost; one added takes them", () => {
    const lab = makeLab()
    const root = scratch("wpc-infra-")
    const endless = { count: -1, batch: 5, delay_ms: 2 }
    const source = { ...src("r", endless), processors: [parse("rescue")] }
    const biz = { name: "biz", sinks: [snk("biz", "biz")] }
    const withError = withRoles(pipeline(root, [source], [biz, { name: "error", sinks: [snk("error", "error")] }]), { error: "error" })
    const without = pipeline(root, [source], [biz])
    const rescueFile = path.join(root, "rescue", "processing__parse-rescue.jsonl")
    /** The payloads of the rescue file's whole lines (one may be on its way). */
    const rescued = (): Array<string> => {
      if (!fs.existsSync(rescueFile)) return []
      const lines = fs.readFileSync(rescueFile, "utf8").split("\n")
      return lines.slice(0, -1).map((l) => (JSON.parse(l) as { readonly event: { readonly payload: string } }).event.payload)
    }
    const until = (holds: () => boolean) => Effect.gen(function*() {
      while (!holds()) yield* Effect.sleep(Duration.millis(5))
    })
    return Effect.gen(function*() {
      const ready = yield* Effect.makeSemaphore(0)
      let engine: Engine.Engine | undefined
      const fiber = yield* Effect.fork(Engine.runPipeline(withError, fast, (e) => Effect.zipRight(Effect.sync(() => void (engine = e)), ready.release(1))))
      yield* ready.take(1)
      yield* until(() => (lab.written.get("error") ?? []).length >= 5)
      yield* engine!.reload(without)
      const errorsAtReload = (lab.written.get("error") ?? []).length
      yield* until(() => rescued().length >= 5)
      // the error group came back: failures go to it again
      yield* engine!.reload(withError)
      yield* until(() => (lab.written.get("error") ?? []).length >= errorsAtReload + 5)
      yield* engine!.stop
      const out = yield* Fiber.join(fiber)
      expect(out.status).toBe("stopped")
      expect(out.unacked).toBe(0)
      // every multiple of 5 that was read is in the error group's output or in the rescue file, exactly once
      const read = out.sources[0]!.events
      const failed = Array.from({ length: read }, (_, i) => i).filter((n) => n % 5 === 0).map((n) => `r-${n}`)
      const landed = [...(lab.written.get("error") ?? []), ...rescued()].sort((a, b) => numberOf2(a) - numberOf2(b))
      expect(landed).toEqual(failed)
      expect(rescued().length).toBeGreaterThanOrEqual(5)
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})

const numberOf2 = (payload: string): number => Number(payload.split("-")[1])
