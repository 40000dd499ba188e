import { describe, expect, it } from "@effect/vitest"
import * as WalAcks from "../../../src/connectors/net/wal-acks.js"

describe("WalAcks", () => {
  it("moves over acks in whatever order, cumulative acks and skipped ranges", () => {
    const acks = WalAcks.make(10)
    expect(WalAcks.ack(acks, 12)).toBe(false) // ahead of 10 and 11
    expect(WalAcks.ack(acks, 5)).toBe(false) // acked long ago
    expect(acks.acked).toBe(10)
    expect(WalAcks.ack(acks, 10)).toBe(true)
    expect(acks.acked).toBe(11)
    expect(WalAcks.ack(acks, 11)).toBe(true)
    expect(acks.acked).toBe(13) // 12 joined
    WalAcks.skip(acks, 15, 20) // never handed out
    expect(WalAcks.ack(acks, 14)).toBe(false)
    expect(WalAcks.ackUpTo(acks, 13)).toBe(true)
    expect(acks.acked).toBe(20) // 14 was acked ahead, 15..19 skipped
    expect(WalAcks.ackUpTo(acks, 19)).toBe(false)
    WalAcks.ack(acks, 25)
    expect(WalAcks.ackUpTo(acks, 30)).toBe(true)
    expect(acks.acked).toBe(31)
    expect(acks.ahead.size).toBe(0)
  })
})
