import { describe, expect, it } from "@effect/vitest"
import { inspect } from "node:util"
import { DataRecord, SourceEvent, Tags } from "../../src/index.js"

describe("SourceEvent", () => {
  const secret = "password=hunter2 ".repeat(10)
  const e = SourceEvent.make({
    eventId: 7,
    srcKey: "app-log",
    payload: secret,
    tags: Tags.make({ env: "prod" }),
    upsIp: "10.0.0.9"
  })

  it("keeps its fields, with empty tags by default", () => {
    expect(e.eventId).toBe(7)
    expect(e.srcKey).toBe("app-log")
    expect(e.payload).toBe(secret)
    expect(e.upsIp).toBe("10.0.0.9")
    const bare = SourceEvent.make({ eventId: 1, srcKey: "s", payload: new Uint8Array([1, 2]) })
    expect(Tags.isEmpty(bare.tags)).toBe(true)
    expect(bare.upsIp).toBeUndefined()
    expect(bare.preproc).toBeUndefined()
  })

  it("shows lengths, never the payload, in its debug forms", () => {
    expect(e.summary()).toBe("SourceEvent(id=7, src=app-log, payload=str(170), tags=1, ups_ip=10.0.0.9)")
    for (const text of [String(e), inspect(e), JSON.stringify(e)]) {
      expect(text).not.toContain("hunter2")
    }
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ payloadKind: "str", payloadLen: 170 })
    const bytes = SourceEvent.make({ eventId: 2, srcKey: "b", payload: new Uint8Array(5) })
    expect(bytes.summary()).toContain("payload=bytes(5)")
  })

  it("applies its pre-processing hook", () => {
    const hooked = SourceEvent.make({
      eventId: 1,
      srcKey: "s",
      payload: "x",
      preproc: (ev) => SourceEvent.make({ eventId: ev.eventId, srcKey: ev.srcKey, payload: `${String(ev.payload)}!` })
    })
    expect(SourceEvent.applyPreproc(hooked).payload).toBe("x!")
    expect(SourceEvent.applyPreproc(e)).toBe(e)
    expect(hooked.summary()).toContain("preproc")
  })

  it("counts the bytes of a batch", () => {
    expect(SourceEvent.batchBytes([e, SourceEvent.make({ eventId: 2, srcKey: "s", payload: new Uint8Array(30) })])).toBe(200)
  })

  it("withoutRecord: the event a record was attached to (no copy); a copy where the payload or tags changed too", () => {
    const record = DataRecord.make([DataRecord.field("a", DataRecord.chars("x"))])
    const other = DataRecord.make([DataRecord.field("b", DataRecord.chars("y"))])
    const parsed = SourceEvent.update(e, { record })
    expect(parsed.record).toBe(record)
    expect(parsed.withoutRecord()).toBe(e)
    // a second processor replacing the record, or keeping the same payload and tags explicitly
    expect(SourceEvent.update(parsed, { record: other }).withoutRecord()).toBe(e)
    expect(SourceEvent.update(parsed, { record: other, payload: secret, tags: e.tags }).withoutRecord()).toBe(e)
    // an event without a record is its own
    expect(e.withoutRecord()).toBe(e)
    expect(SourceEvent.update(parsed, { record: undefined }).withoutRecord().record).toBeUndefined()
    // a changed payload or tags: a copy with the new ones, and every other field the same
    const fields = (x: SourceEvent.SourceEvent) => [x.eventId, x.srcKey, x.payload, x.tags, x.upsIp, x.preproc, x.ackToken, x.record]
    const rewritten = SourceEvent.update(e, { payload: "short", record })
    expect(rewritten.withoutRecord()).not.toBe(e)
    expect(fields(rewritten.withoutRecord())).toEqual([7, "app-log", "short", e.tags, "10.0.0.9", undefined, undefined, undefined])
    const retagged = SourceEvent.update(parsed, { tags: Tags.make({ env: "dev" }) })
    expect(fields(retagged.withoutRecord())).toEqual([7, "app-log", secret, Tags.make({ env: "dev" }), "10.0.0.9", undefined, undefined, undefined])
    // made with a record from the start: a copy
    const made = SourceEvent.make({ eventId: 3, srcKey: "s", payload: "p", record, ackToken: 3 })
    expect(fields(made.withoutRecord())).toEqual([3, "s", "p", Tags.empty, undefined, undefined, 3, undefined])
  })
})
