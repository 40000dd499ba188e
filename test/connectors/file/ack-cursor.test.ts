import { describe, expect, it } from "@effect/vitest"
import * as AckCursor from "../../../src/connectors/file/ack-cursor.js"

describe("AckCursor", () => {
  it("advances over spans acked in order", () => {
    const cursor = AckCursor.make(10)
    expect(AckCursor.ack(cursor, 10, 15)).toBe(true)
    expect(AckCursor.ack(cursor, 15, 20)).toBe(true)
    expect(cursor.committed).toBe(20)
    expect(AckCursor.ack(cursor, 15, 20)).toBe(false)
    expect(cursor.committed).toBe(20)
  })

  it("waits for a gap to be acked, then jumps over everything acked beyond it", () => {
    const cursor = AckCursor.make(0)
    expect(AckCursor.ack(cursor, 20, 30)).toBe(false)
    expect(AckCursor.ack(cursor, 10, 20)).toBe(false)
    expect(cursor.committed).toBe(0)
    expect(AckCursor.ack(cursor, 0, 10)).toBe(true)
    expect(cursor.committed).toBe(30)
    expect(cursor.ahead.size).toBe(0)
  })
})
