import { describe, expect, it } from "@effect/vitest"
import { inspect } from "node:util"
import { SourceEvent, Tags } from "../../src/index.js"

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
})
