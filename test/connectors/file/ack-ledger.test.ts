import { describe, expect, it } from "@effect/vitest"
import * as AckLedger from "../../../src/connectors/file/ack-ledger.js"

/** A ledger at offset 10 whose events 5, 6, 7 end at 15, 20, 30. */
const ledger = () => {
  const l = AckLedger.make(10, 5)
  for (const end of [15, 20, 30]) AckLedger.record(l, end)
  return l
}

describe("AckLedger", () => {
  it("advances over events acked in order; a second ack changes nothing", () => {
    const l = ledger()
    expect(AckLedger.ack(l, 5)).toBe(true)
    expect(AckLedger.ack(l, 6)).toBe(true)
    expect(l.committed).toBe(20)
    expect(AckLedger.ack(l, 6)).toBe(false)
    expect(l.committed).toBe(20)
    expect(AckLedger.pending(l)).toBe(1)
  })

  it("waits for a gap to be acked, then jumps over everything acked beyond it", () => {
    const l = ledger()
    expect(AckLedger.ack(l, 7)).toBe(false)
    expect(AckLedger.ack(l, 6)).toBe(false)
    expect(l.committed).toBe(10)
    expect(AckLedger.ack(l, 5)).toBe(true)
    expect(l.committed).toBe(30)
    expect(l.ahead.size).toBe(0)
    expect(AckLedger.pending(l)).toBe(0)
  })

  it("ignores events of an older generation (numbers before its first) and refuses numbers never read", () => {
    const l = ledger()
    expect(AckLedger.ack(l, 4)).toBe(false)
    expect(AckLedger.ack(l, 8)).toBeUndefined()
    expect(l.committed).toBe(10)
  })

  it("acks cumulatively up to an event, dropping what was acked ahead of it and joining what was acked beyond", () => {
    const l = AckLedger.make(0, 0)
    for (let i = 1; i <= 6; i++) AckLedger.record(l, i * 10)
    expect(AckLedger.ack(l, 2)).toBe(false)
    expect(AckLedger.ack(l, 4)).toBe(false)
    expect(AckLedger.ackUpTo(l, 3)).toBe(true)
    expect(l.committed).toBe(50)
    expect([...l.ahead]).toEqual([])
    expect(AckLedger.ackUpTo(l, 3)).toBe(false)
    expect(AckLedger.ackUpTo(l, 6)).toBeUndefined()
    expect(AckLedger.ackUpTo(l, 5)).toBe(true)
    expect(l.committed).toBe(60)
    expect(AckLedger.pending(l)).toBe(0)
  })

  it("keeps the ends of events read far ahead of the acks, in order, while it grows and compacts", () => {
    const l = AckLedger.make(0, 0)
    let acked = 0
    for (let i = 0; i < 50_000; i++) {
      AckLedger.record(l, (i + 1) * 7)
      if (i % 3000 === 2999) {
        acked += 1000
        expect(AckLedger.ackUpTo(l, acked - 1)).toBe(true)
        expect(l.committed).toBe(acked * 7)
      }
    }
    expect(AckLedger.pending(l)).toBe(50_000 - acked)
    expect(AckLedger.ackUpTo(l, 49_999)).toBe(true)
    expect(l.committed).toBe(350_000)
  })

  it("keeps its memory to the events not acked yet over a long run", () => {
    const l = AckLedger.make(0, 0)
    for (let i = 0; i < 100_000; i++) {
      AckLedger.record(l, i + 1)
      expect(AckLedger.ack(l, i)).toBe(true)
    }
    expect(l.committed).toBe(100_000)
    expect(l.ends.length).toBeLessThan(8192)
  })
})
