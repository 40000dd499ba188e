import { describe, expect, it } from "@effect/vitest"
import * as KeyLedger from "../../../src/connectors/mysql/key-ledger.js"

describe("KeyLedger", () => {
  it("the checkpoint moves to the last key acked in order; acks ahead of a gap wait for it", () => {
    const ledger = KeyLedger.make()
    for (const key of ["1", "5", "9", "12"]) KeyLedger.handOut(ledger, key)
    expect(KeyLedger.ack(ledger, "9")).toBeUndefined()
    expect(KeyLedger.ack(ledger, "1")).toBe("1")
    expect(KeyLedger.ack(ledger, "5")).toBe("9")
    expect(KeyLedger.ack(ledger, "5")).toBeUndefined()
    expect(KeyLedger.pending(ledger)).toBe(1)
    expect(KeyLedger.ackUpTo(ledger, "12")).toBe("12")
    expect(KeyLedger.pending(ledger)).toBe(0)
  })

  it("ackUpTo acks every key handed out before the token; unknown tokens and a reset ledger move nothing", () => {
    const ledger = KeyLedger.make()
    for (const key of ["a", "b", "c"]) KeyLedger.handOut(ledger, key)
    expect(KeyLedger.ackUpTo(ledger, "b")).toBe("b")
    expect(KeyLedger.ack(ledger, "zzz")).toBeUndefined()
    KeyLedger.reset(ledger)
    expect(KeyLedger.ack(ledger, "c")).toBeUndefined()
    KeyLedger.handOut(ledger, "a")
    expect(KeyLedger.ack(ledger, "a")).toBe("a")
  })

  it("stays small over a long run: the acked prefix is dropped, indexes stay right", () => {
    const ledger = KeyLedger.make()
    for (let i = 0; i < 10_000; i++) KeyLedger.handOut(ledger, String(i))
    expect(KeyLedger.ackUpTo(ledger, "5000")).toBe("5000")
    expect(ledger.keys.length).toBeLessThan(10_000)
    expect(KeyLedger.ack(ledger, "5002")).toBeUndefined()
    expect(KeyLedger.ack(ledger, "5001")).toBe("5002")
    for (let i = 10_000; i < 10_010; i++) KeyLedger.handOut(ledger, String(i))
    expect(KeyLedger.ackUpTo(ledger, "10009")).toBe("10009")
    expect(KeyLedger.pending(ledger)).toBe(0)
  })
})
