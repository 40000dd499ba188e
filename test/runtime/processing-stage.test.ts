import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { DataRecord, Processor, ProcessorError, processorError, SourceEvent, Tags } from "../../src/index.js"
import * as Engine from "../../src/runtime/engine.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, snk, src } from "./fixtures.js"

afterAll(removeScratch)

const fast = { batchWait: Duration.zero, retryBaseDelay: Duration.millis(2), retryMaxDelay: Duration.millis(20) }

/** The number at the end of a `seq` payload (`"s-12"` is 12). */
const numberOf = (e: SourceEvent.SourceEvent): number => Number(String(e.payload).split("-")[1])

/** Payload to a record `{ n }`; fails on multiples of 5 (the test's "bad input"). */
const parse = (onError: Processor.OnError = "rescue") =>
  Processor.sync({ name: "parse", kind: "test-parse", onError }, (e) => {
    const n = numberOf(e)
    if (n % 5 === 0) return processorError(`${n} is a multiple of 5`)
    return SourceEvent.update(e, { record: DataRecord.make([DataRecord.field("n", DataRecord.float(n))]) })
  })

/** Drops odd numbers; splits the others in two. */
const evensTwice = Processor.sync({ kind: "evens-twice" }, (e) => {
  const n = numberOf(e)
  return n % 2 === 1 ? Processor.dropped : [e, SourceEvent.update(e, { tags: Tags.set(e.tags, "copy", "2") })]
})

describe("processing stage", () => {
  it.live("runs the processors in order: records reach the sink through sinkRecords, drops and splits counted, all acked", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-proc-"), [{ ...src("s", { count: 20, batch: 6 }), processors: [parse(), evensTwice] }], [
      { name: "g", sinks: [snk("g", "all")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      // 0..19: multiples of 5 rescued (0, 5, 10, 15); odd ones dropped; evens written twice
      const evens = [2, 4, 6, 8, 12, 14, 16, 18]
      expect(lab.written.get("all")).toEqual(evens.flatMap((n) => [`{"n":${n}.0}`, `{"n":${n}.0}`]))
      expect(lab.acked.get("s")).toEqual(Array.from({ length: 20 }, (_, i) => i))
      expect(report.unacked).toBe(0)
      expect(report.processors).toEqual([
        expect.objectContaining({ source: "s", name: "parse", in: 20, out: 16, dropped: 0, failed: 4, rescued: 4 }),
        expect.objectContaining({ source: "s", name: "evens-twice", in: 16, out: 16, dropped: 8, failed: 0, rescued: 0 })
      ])
      const rescued = fs.readFileSync(path.join(spec.workRoot, "rescue", "processing__parse.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      expect(rescued.map((r) => r.event.payload)).toEqual(["s-0", "s-5", "s-10", "s-15"])
      expect(rescued[1]).toMatchObject({ group: "processing", sink: "parse", code: 540, reason: "Process", detail: "5 is a multiple of 5" })
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a batch larger than a part (256 events): records reach the sink in order, failures rescued, counts whole, all acked once", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-proc-"), [{ ...src("s", { count: 1500, batch: 1000 }), processors: [parse(), evensTwice] }], [
      { name: "g", sinks: [snk("g", "all")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      const evens = Array.from({ length: 1500 }, (_, i) => i).filter((i) => i % 2 === 0 && i % 5 !== 0)
      expect(lab.written.get("all")).toEqual(evens.flatMap((n) => [`{"n":${n}.0}`, `{"n":${n}.0}`]))
      expect(lab.acked.get("s")).toEqual(Array.from({ length: 1500 }, (_, i) => i))
      expect(report.processors).toEqual([
        expect.objectContaining({ name: "parse", in: 1500, out: 1200, failed: 300, rescued: 300 }),
        expect.objectContaining({ name: "evens-twice", in: 1200, out: 1200, dropped: 600 })
      ])
      const rescued = fs.readFileSync(path.join(spec.workRoot, "rescue", "processing__parse.jsonl"), "utf8").trim().split("\n")
      expect(rescued.map((l) => JSON.parse(l).event.payload)).toEqual(Array.from({ length: 300 }, (_, k) => `s-${k * 5}`))
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("on_error = pass: the failed event goes on unchanged, tagged with the processor and the error, and filters route on it", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-proc-"), [{ ...src("s", { count: 7, batch: 3 }), processors: [parse("pass")] }], [
      { name: "good", filter: "!exists(error_processor)", sinks: [snk("good", "good")] },
      { name: "bad", filter: "error_processor == \"parse\"", sinks: [snk("bad", "bad")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      expect(lab.written.get("bad")).toEqual(["s-0", "s-5"])
      expect(lab.written.get("good")).toEqual([1, 2, 3, 4, 6].map((n) => `{"n":${n}.0}`))
      expect(report.processors[0]).toMatchObject({ in: 7, out: 7, failed: 2, rescued: 0, dropped: 0 })
      expect(fs.existsSync(path.join(spec.workRoot, "rescue"))).toBe(false)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("on_error = drop: the failed events are counted as dropped and acked, nothing rescued", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-proc-"), [{ ...src("s", { count: 11, batch: 4 }), processors: [parse("drop")] }], [
      { name: "g", sinks: [snk("g", "all")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(lab.written.get("all")).toHaveLength(8)
      expect(report.processors[0]).toMatchObject({ in: 11, out: 8, failed: 3, dropped: 3, rescued: 0 })
      expect(report.acked).toBe(11)
      expect(fs.existsSync(path.join(spec.workRoot, "rescue"))).toBe(false)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("an Effect processor and a step that throws: the exception becomes the event's ProcessorError, the run goes on", () => {
    const lab = makeLab()
    const upper = Processor.effect({ kind: "upper" }, (e) => Effect.succeed(SourceEvent.update(e, { payload: String(e.payload).toUpperCase() })))
    const throws = Processor.sync({ kind: "throws" }, (e) => {
      if (numberOf(e) === 2) throw new RangeError("boom")
      return e
    })
    const spec = pipeline(scratch("wpc-proc-"), [{ ...src("s", { count: 4, batch: 4 }), processors: [upper, throws] }], [
      { name: "g", sinks: [snk("g", "all")] }
    ])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("completed")
      expect(lab.written.get("all")).toEqual(["S-0", "S-1", "S-3"])
      const [line] = fs.readFileSync(path.join(spec.workRoot, "rescue", "processing__throws.jsonl"), "utf8").trim().split("\n")
      expect(JSON.parse(line!)).toMatchObject({ code: 540, detail: "threw: RangeError: boom", event: { payload: "S-2" } })
      expect(report.acked).toBe(4)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("a failure that cannot be rescued fails the source, and its batch is not acked (a restart replays it)", () => {
    const lab = makeLab()
    const root = scratch("wpc-proc-")
    // the rescue directory cannot be created: a file is in its way
    fs.writeFileSync(path.join(root, "rescue"), "not a directory")
    const spec = pipeline(root, [{ ...src("s", { count: 9, batch: 3 }), processors: [parse()] }], [{ name: "g", sinks: [snk("g", "all")] }])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, fast)
      expect(report.status).toBe("failed")
      expect(report.errors.join("\n")).toContain("processor parse: its failures could not be rescued")
      // batch 0..2 holds 0, a multiple of 5: never acked, nor anything after it
      expect(lab.acked.get("s") ?? []).toEqual([])
      expect(report.unacked).toBeGreaterThan(0)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it("ProcessorError is coded 540, reason Process, not retryable, and names its processor", () => {
    const e = new ProcessorError({ detail: "not JSON", processor: "parse" })
    expect([e.code, e.reason, e.retryable, e.message]).toEqual([540, "Process", false, "[540 Process] not JSON"])
  })
})
