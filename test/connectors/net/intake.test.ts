import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import { SourceEvent } from "../../../src/index.js"
import * as Intake from "../../../src/connectors/net/intake.js"

let nextId = 0
const events = (n: number) => Array.from({ length: n }, () => SourceEvent.make({ eventId: nextId++, srcKey: "t", payload: "x" }))
const ids = (batch: ReadonlyArray<SourceEvent.SourceEvent>) => batch.map((e) => e.eventId)

describe("Intake", () => {
  it.effect("hands out batches in order, merging small ones and splitting large ones at max", () =>
    Effect.gen(function*() {
      nextId = 0
      const intake = Intake.make({ maxEvents: 100_000, maxBytes: 1 << 30, eof: "done" })
      intake.push(events(3), 3)
      intake.push(events(4), 4)
      intake.push(events(10), 10)
      expect(ids(yield* intake.take(8))).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
      expect(ids(yield* intake.take(8))).toEqual([8, 9, 10, 11, 12, 13, 14, 15])
      expect(ids(Option.getOrThrow(intake.poll(8)))).toEqual([16])
      expect(intake.poll(8)).toEqual(Option.none())
      // thousands of one-event batches (UDP) keep their order through the compaction of the queue
      for (let i = 0; i < 5000; i++) intake.push(events(1), 1)
      const out: Array<number> = []
      while (intake.size() > 0) out.push(...ids(yield* intake.take(700)))
      expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => 17 + i))
      expect(intake.bytes()).toBe(0)
    }))

  it.effect("reports full at either limit, and resumes paused producers once a take made room", () =>
    Effect.gen(function*() {
      const intake = Intake.make({ maxEvents: 4, maxBytes: 100, eof: "done" })
      expect(intake.push(events(2), 10)).toBe(true)
      expect(intake.push(events(2), 10)).toBe(false) // 4 events
      let resumed = 0
      intake.whenRoom(() => resumed++)
      expect(resumed).toBe(0)
      expect(intake.push(events(1), 10)).toBe(false) // a push past the limit is still queued
      expect(intake.size()).toBe(5)
      yield* intake.take(1)
      expect(resumed).toBe(0) // 4 events: still full
      yield* intake.take(1)
      expect(resumed).toBe(1) // 3 events: room again
      intake.whenRoom(() => resumed++)
      expect(resumed).toBe(2) // room now: called at once
      const byBytes = Intake.make({ maxEvents: 100, maxBytes: 10, eof: "done" })
      expect(byBytes.push(events(1), 9)).toBe(true)
      expect(byBytes.push(events(1), 1)).toBe(false)
      expect(byBytes.bytes()).toBe(10)
    }))

  it.effect("close: take drains what waits, then SourceEof, and wakes a waiting take", () =>
    Effect.gen(function*() {
      const intake = Intake.make({ maxEvents: 10, maxBytes: 100, eof: "stopped" })
      intake.push(events(2), 2)
      intake.close()
      expect((yield* intake.take(10)).length).toBe(2)
      const eof = yield* Effect.flip(intake.take(10))
      expect(eof._tag).toBe("SourceEof")
      expect(eof.message).toContain("stopped")
      const empty = Intake.make({ maxEvents: 10, maxBytes: 100, eof: "stopped" })
      const waiting = yield* Effect.fork(empty.take(10))
      yield* TestClock.adjust(Duration.millis(1))
      empty.close()
      expect((yield* Effect.flip(Fiber.join(waiting)))._tag).toBe("SourceEof")
    }))

  it.effect("an interrupted take loses nothing: what arrives afterwards is there for the next take", () =>
    Effect.gen(function*() {
      nextId = 0
      const intake = Intake.make({ maxEvents: 10, maxBytes: 100, eof: "done" })
      const waiting = yield* Effect.fork(intake.take(10))
      yield* TestClock.adjust(Duration.millis(1))
      yield* Fiber.interrupt(waiting)
      intake.push(events(2), 2)
      expect(ids(yield* intake.take(10))).toEqual([0, 1])
    }))
})
