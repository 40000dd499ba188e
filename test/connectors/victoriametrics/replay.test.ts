import { describe, expect, it } from "@effect/vitest"
import { VictoriaMetricsReplay as Replay } from "../../../src/connectors/victoriametrics/index.js"

const body = (s: string) => Buffer.from(s)

/** Everything due at `now` after `losses` losses, replaying each (as the sink does). */
const drain = (w: Replay.ReplayWindow, now: number, losses: number): Array<string> => {
  const out: Array<string> = []
  for (let due = w.nextDue(now, losses); due !== undefined; due = w.nextDue(now, losses)) {
    out.push(due.body.toString())
    w.replayed(now, losses)
  }
  return out
}

describe("victoriametrics replay window", () => {
  it("after a loss, the bodies kept before it are due, oldest first, once; those kept after it are not", () => {
    const w = Replay.make(10_000, 1 << 20)
    w.keep(body("a"), 1, 1000, 0)
    w.keep(body("b"), 1, 2000, 0)
    expect(w.nextDue(2500, 0)).toBeUndefined()
    w.keep(body("c"), 1, 3000, 1)
    expect(drain(w, 3500, 1)).toEqual(["a", "b"])
    expect(drain(w, 3600, 1)).toEqual([])
    // a second loss: the replayed ones and c are due again
    expect(drain(w, 4000, 2)).toEqual(["c", "a", "b"])
  })

  it("settled after a loss (the server did not restart), nothing kept before it is due; a later loss makes them due again", () => {
    const w = Replay.make(10_000, 1 << 20)
    w.keep(body("a"), 1, 1000, 0)
    w.keep(body("b"), 1, 2000, 0)
    w.settle(1)
    expect(w.nextDue(2500, 1)).toBeUndefined()
    w.keep(body("c"), 1, 3000, 1)
    expect(drain(w, 3500, 2)).toEqual(["a", "b", "c"])
  })

  it("bodies older than the window are not due; flush_interval_secs 0 keeps nothing", () => {
    const w = Replay.make(10_000, 1 << 20)
    w.keep(body("old"), 1, 0, 0)
    w.keep(body("new"), 1, 5000, 0)
    expect(drain(w, 12_000, 1)).toEqual(["new"])
    const none = Replay.make(0, 1 << 20)
    none.keep(body("x"), 1, 0, 0)
    expect(none.nextDue(0, 1)).toBeUndefined()
  })

  it("over max bytes the oldest bodies are dropped and their samples reported once; a single huge body is kept", () => {
    const w = Replay.make(60_000, 10)
    w.keep(body("aaaa"), 4, 1, 0)
    w.keep(body("bbbb"), 3, 2, 0)
    w.keep(body("cccc"), 2, 3, 0)
    expect(w.takeEvicted()).toBe(4)
    expect(w.takeEvicted()).toBe(0)
    expect(drain(w, 10, 1)).toEqual(["bbbb", "cccc"])
    const huge = Replay.make(60_000, 2)
    huge.keep(body("zzzz"), 1, 1, 0)
    expect(drain(huge, 2, 1)).toEqual(["zzzz"])
  })
})
