/**
 * `ProcessorChain.processSyncParts`: a batch through synchronous processors in parts. Each part goes through
 * every processor and out to `onEvents` before the next part starts, in order; together the parts are what
 * `processSync` makes of the whole batch, with the same failures, residue and counts.
 */
import { describe, expect, it } from "@effect/vitest"
import { DataRecord, Processor, processorError, SourceEvent, Tags } from "../../src/index.js"
import * as ProcessorChain from "../../src/processing/chain.js"

const n = (e: SourceEvent.SourceEvent): number => e.eventId

/** To a record `{ n }`; fails on multiples of 5 (rescued). */
const parse = Processor.sync({ name: "parse", kind: "t", onError: "rescue" }, (e) =>
  n(e) % 5 === 0 ? processorError(`${n(e)} is a multiple of 5`) : SourceEvent.update(e, { record: DataRecord.make([DataRecord.field("n", DataRecord.float(n(e)))]) }))
/** Drops odd numbers, splits multiples of 4 in two, fails on multiples of 6 (dropped). */
const shape = Processor.sync({ name: "shape", kind: "t", onError: "drop" }, (e) =>
  n(e) % 2 === 1 ? Processor.dropped : n(e) % 6 === 0 ? processorError("six") : n(e) % 4 === 0 ? [e, SourceEvent.update(e, { tags: Tags.set(e.tags, "copy", "2") })] : e)

const batch = Array.from({ length: 1000 }, (_, i) => SourceEvent.make({ eventId: i, srcKey: "s", payload: `p${i}` }))

const summary = (r: ProcessorChain.Result) => ({
  rescue: r.rescue.map((f) => [f.processor.name, n(f.event), f.error.message]),
  dropped: r.dropped.map((f) => [f.processor.name, n(f.event)]),
  residue: r.residue.map(n),
  counts: r.counts.map(({ dropped, failed, in: i, out, processor }) => ({ processor, in: i, out, dropped, failed }))
})

describe("ProcessorChain.processSyncParts", () => {
  it("hands the events over part by part, in order; the parts and the result are processSync's", () => {
    const whole = ProcessorChain.processSync([parse, shape], batch, true)
    const parts: Array<ReadonlyArray<SourceEvent.SourceEvent>> = []
    const inParts = ProcessorChain.processSyncParts([parse, shape], batch, 64, (events) => void parts.push(events), true)
    // 1000 events in parts of 64: 16 parts, each handed over before the next was made
    expect(parts).toHaveLength(16)
    expect(parts.flat().map((e) => [n(e), Tags.get(e.tags, "copy")])).toEqual(whole.events.map((e) => [n(e), Tags.get(e.tags, "copy")]))
    expect(inParts.events).toEqual([])
    expect(summary(inParts)).toEqual(summary(whole))
    expect(inParts.counts[0]).toMatchObject({ in: 1000, failed: 200 })
  })

  it("a batch no larger than a part is one part, the batch itself going through the processors", () => {
    const parts: Array<ReadonlyArray<SourceEvent.SourceEvent>> = []
    const small = batch.slice(1, 4)
    ProcessorChain.processSyncParts([Processor.sync({ kind: "id" }, (e) => e)], small, 64, (events) => void parts.push(events))
    expect(parts.map((p) => p.map(n))).toEqual([[1, 2, 3]])
  })
})
