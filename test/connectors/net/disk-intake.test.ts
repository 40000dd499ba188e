import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import * as DiskIntake from "../../../src/connectors/net/disk-intake.js"
import { SourceEvent, Tags } from "../../../src/index.js"
import { smallDisk } from "../file/small-disk.js"
import { eventually } from "../tcp/harness.js"
import { events, numbered, openIntake, options, segmentFiles, takeN, tempDir, text } from "./fixtures.js"

const web = Tags.make({ env: "prod" })
const cut = Tags.make({ env: "prod", truncated: "true" })

describe("DiskIntake", () => {
  it.scopedLive("hands out what was pushed once it is on disk, in order, numbered as in the log, with tags and peer", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir))
      const bytes = new Uint8Array([0xff, 0x00, 0x80])
      expect(intake.push(events(["a", "b"], web, "10.0.0.1"), 2)).toBe(true)
      expect(intake.push(events([bytes, "ünïcödé"], cut, "10.0.0.2"), 6)).toBe(true)
      expect(intake.push(events(["no peer"]), 7)).toBe(true)
      expect(intake.stats().durableSeq).toBe(0) // nothing is received before it was synced
      const got = yield* takeN(intake, 5)
      expect(got.map((e) => e.eventId)).toEqual([0, 1, 2, 3, 4])
      expect(got.map((e) => e.ackToken)).toEqual([0, 1, 2, 3, 4])
      expect(got.map((e) => e.payload)).toEqual(["a", "b", bytes, "ünïcödé", "no peer"])
      expect(got.map((e) => e.upsIp)).toEqual(["10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2", undefined])
      expect(got.map((e) => Tags.toRecord(e.tags))).toEqual([
        { env: "prod" },
        { env: "prod" },
        { env: "prod", truncated: "true" },
        { env: "prod", truncated: "true" },
        {}
      ])
      expect(got.every((e) => e.srcKey === "t")).toBe(true)
      expect(intake.stats()).toMatchObject({ durableSeq: 5, nextSeq: 5, handedOutSeq: 5, ackedSeq: 0, appended: 5 })
      expect(intake.stats().syncs).toBeGreaterThanOrEqual(1)
      yield* close
    }))

  it.scopedLive("keeps events its producer numbered with claim as they are; numbers every other batch itself", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir))
      const mine = [0, 1, 2].map(() => {
        const n = intake.claim()
        return SourceEvent.make({ eventId: n, srcKey: "t", payload: `c${n}`, ackToken: n })
      })
      intake.push(mine, 6)
      expect(intake.claim()).toBe(3) // built, never pushed: the next push numbers its events itself
      const other = events(["o1", "o2"]) // numbered 0 and 1 by their producer
      intake.push(other, 4)
      expect(intake.claim()).toBe(5)
      const got = yield* takeN(intake, 5)
      expect(got.slice(0, 3)).toEqual(mine)
      for (let i = 0; i < 3; i++) expect(got[i]).toBe(mine[i]) // the same objects: no copy
      expect(got.map((e) => [e.eventId, e.ackToken, text(e)])).toEqual([[0, 0, "c0"], [1, 1, "c1"], [2, 2, "c2"], [3, 3, "o1"], [4, 4, "o2"]])
      yield* close
    }))

  it.scopedLive("replays what was not acked after a restart, in order and as it was, before anything new", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const first = yield* openIntake(options(dir))
      first.intake.push(events(numbered("x", 6), web, "10.0.0.1"), 6)
      first.intake.push(events([new Uint8Array([1, 2, 3]), "y"], cut, "10.0.0.2"), 4)
      const handed = yield* takeN(first.intake, 8)
      yield* first.intake.ackUpTo(handed[2]!.ackToken) // 0..2 acked
      yield* first.intake.ack(handed[4]!.ackToken) // acked ahead of a gap: 3 is not, so 3.. replay
      yield* first.close

      const second = yield* openIntake(options(dir))
      expect(second.intake.stats()).toMatchObject({ ackedSeq: 3, nextSeq: 8, recovered: 5 })
      second.intake.push(events(["new"], web, "10.0.0.3"), 3)
      const replayed = yield* takeN(second.intake, 6)
      expect(replayed.map((e) => e.eventId)).toEqual([3, 4, 5, 6, 7, 8])
      expect(replayed.map(text)).toEqual(["x-3", "x-4", "x-5", "\u0001\u0002\u0003", "y", "new"])
      expect(replayed[3]!.payload).toEqual(new Uint8Array([1, 2, 3]))
      expect(replayed.map((e) => e.upsIp)).toEqual(["10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2", "10.0.0.3"])
      expect(replayed.map((e) => Tags.toRecord(e.tags))[3]).toEqual({ env: "prod", truncated: "true" })
      expect(second.intake.stats().readBack).toBe(5)
      yield* second.intake.ackUpTo(8)
      yield* second.close

      const third = yield* openIntake(options(dir))
      expect(third.intake.stats()).toMatchObject({ ackedSeq: 9, nextSeq: 9, recovered: 0 })
      third.intake.push(events(["after"]), 5)
      expect((yield* takeN(third.intake, 1)).map((e) => [e.eventId, text(e)])).toEqual([[9, "after"]])
      yield* third.close
    }))

  it.scopedLive("cuts a torn tail off after a kill and never replays it; appends after it survive", () =>
    Effect.gen(function*() {
      for (const damage of ["truncate", "garbage", "flipped"] as const) {
        const dir = yield* tempDir
        const first = yield* openIntake(options(dir))
        first.intake.push(events(numbered("a", 3)), 9)
        yield* takeN(first.intake, 3) // its own group: synced before the next push
        first.intake.push(events(numbered("b", 3)), 9)
        yield* takeN(first.intake, 3)
        yield* first.close
        const [segment] = segmentFiles(dir)
        const file = path.join(dir, segment!)
        const size = fs.statSync(file).size
        if (damage === "truncate") fs.truncateSync(file, size - 5) // the second record's last bytes never reached the file
        else if (damage === "garbage") fs.appendFileSync(file, Buffer.from("WPI1 half a header and then nothing"))
        else {
          const bytes = fs.readFileSync(file)
          bytes[size - 3] = bytes[size - 3]! ^ 0xff // a damaged last block
          fs.writeFileSync(file, bytes)
        }

        const second = yield* openIntake(options(dir))
        const stats = second.intake.stats()
        // the torn record was the second group: its events are not replayed, and never as garbage
        const keep = damage === "garbage" ? 6 : 3
        expect(stats.nextSeq, damage).toBe(keep)
        expect(stats.cutBytes, damage).toBeGreaterThan(0)
        second.intake.push(events(["c"]), 1)
        const replayed = yield* takeN(second.intake, keep + 1)
        expect(replayed.map(text), damage).toEqual([...numbered("a", 3), ...(keep === 6 ? numbered("b", 3) : []), "c"])
        expect(replayed.map((e) => e.eventId), damage).toEqual(Array.from({ length: keep + 1 }, (_, i) => i))
        yield* second.close

        const third = yield* openIntake(options(dir))
        expect(third.intake.stats().cutBytes, damage).toBe(0)
        expect((yield* takeN(third.intake, keep + 1)).map(text).at(-1), damage).toBe("c")
        yield* third.close
      }
    }))

  it.scopedLive("a damaged record in an earlier segment loses the rest of that segment only, and acks step over it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const first = yield* openIntake(options(dir, { segmentBytes: 100 }))
      for (let i = 0; i < 6; i++) {
        first.intake.push(events(numbered("s", 2, i * 2)), 4) // one record per push, a segment per two records
        yield* takeN(first.intake, 2)
      }
      yield* first.close
      const files = segmentFiles(dir)
      expect(files.length).toBe(3)
      const damaged = path.join(dir, files[0]!)
      const bytes = fs.readFileSync(damaged)
      bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff // the second record of the first segment
      fs.writeFileSync(damaged, bytes)

      const second = yield* openIntake(options(dir))
      const got = yield* takeN(second.intake, 10)
      expect(got.map(text)).toEqual([...numbered("s", 2), ...numbered("s", 8, 4)])
      expect(second.intake.stats()).toMatchObject({ lost: 2, cutBytes: 0 })
      yield* second.intake.ackUpTo(got.at(-1)!.ackToken)
      expect(second.intake.stats().ackedSeq).toBe(12) // the two lost events do not hold the acks back
      yield* second.close
    }))

  it.scopedLive("deletes a segment once every event in it was acked", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir, { segmentBytes: 4096 }))
      const payload = "p".repeat(1000)
      for (let i = 0; i < 20; i++) {
        intake.push(events([payload, payload]), 2000)
        yield* takeN(intake, 2) // one group per push, each synced before the next
      }
      const before = segmentFiles(dir)
      expect(before.length).toBeGreaterThanOrEqual(8)
      expect(intake.stats().segments).toBe(before.length)
      yield* intake.ackUpTo(19) // the first 10 pushes
      const kept = intake.stats().segments
      expect(kept).toBeLessThan(before.length)
      expect(kept).toBeGreaterThan(1)
      yield* eventually(() => segmentFiles(dir).length === kept, "the acked segments removed") // unlinked in the background
      // the first segment left holds event 20, the first one not acked
      expect(Number(segmentFiles(dir)[0]!.slice(0, -4))).toBeLessThanOrEqual(20)
      yield* intake.ackUpTo(39)
      expect(intake.stats().segments).toBeLessThanOrEqual(1) // the segment being written stays until full
      yield* eventually(() => segmentFiles(dir).length === intake.stats().segments, "every acked segment removed")
      expect(intake.stats().logBytes).toBeLessThanOrEqual(4096 + 2100)
      yield* close
      const mark = fs.readFileSync(path.join(dir, "acked.json"), "utf8")
      expect(JSON.parse(mark)).toEqual({ acked: 40 })
    }))

  it.scopedLive("at its byte bound it reports full and pauses producers until acks free segments; nothing is dropped", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir, { maxBytes: 32 * 1024, segmentBytes: 8 * 1024 }))
      const payload = "q".repeat(1000)
      let pushed = 0
      let full = false
      while (!full) {
        full = !intake.push(events([payload]), 1000)
        pushed++
        yield* takeN(intake, 1)
      }
      expect(intake.isFull()).toBe(true)
      expect(intake.atBound()).toBe(true)
      expect(pushed).toBeGreaterThanOrEqual(30)
      expect(pushed).toBeLessThanOrEqual(34)
      let resumed = 0
      intake.whenRoom(() => resumed++)
      expect(resumed).toBe(0)
      yield* intake.ackUpTo(4) // not a whole segment yet
      expect(resumed).toBe(0)
      yield* intake.ackUpTo(pushed - 1)
      expect(resumed).toBe(1)
      expect(intake.isFull()).toBe(false)
      expect(intake.stats()).toMatchObject({ appended: pushed, ackedSeq: pushed, lost: 0 })
      yield* close
    }))

  it.scopedLive("keeps at most queue_events in memory: the rest stays on disk and is read back in order", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir, { queueEvents: 10, queueBytes: 1 << 20 }))
      const all = numbered("m", 2000)
      for (let i = 0; i < all.length; i += 50) {
        intake.push(events(all.slice(i, i + 50)), 50)
        // let each group reach the disk on its own, none taken meanwhile
        while (intake.stats().durableSeq < i + 50) yield* Effect.sleep("1 millis")
      }
      const got = yield* takeN(intake, all.length, 64)
      expect(got.map(text)).toEqual(all)
      expect(got.map((e) => e.eventId)).toEqual(all.map((_, i) => i))
      expect(intake.stats().readBack).toBeGreaterThan(1500)
      yield* close
    }))

  it.scopedLive("close: the groups in flight are synced and handed out, then SourceEof", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir))
      intake.push(events(numbered("z", 100)), 100)
      intake.close()
      expect(intake.isClosed()).toBe(true)
      const got = yield* takeN(intake, 100)
      expect(got.map(text)).toEqual(numbered("z", 100))
      const end = yield* Effect.flip(intake.take(10))
      expect(end._tag).toBe("SourceEof")
      yield* close
      // nothing was acked: a restart hands all of it out again
      const again = yield* openIntake(options(dir))
      expect((yield* takeN(again.intake, 100)).map(text)).toEqual(numbered("z", 100))
      yield* again.close
    }))

  it.scopedLive("close with events on disk only: what is in memory is handed out, then SourceEof; the rest waits for the next run", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const first = yield* openIntake(options(dir, { queueEvents: 10 }))
      for (let i = 0; i < 10; i++) {
        first.intake.push(events(numbered("d", 10, i * 10)), 10)
        while (first.intake.stats().durableSeq < (i + 1) * 10) yield* Effect.sleep("1 millis")
      }
      first.intake.close()
      const handed = yield* takeN(first.intake, 10)
      expect(handed.map(text)).toEqual(numbered("d", 10))
      expect((yield* Effect.flip(first.intake.take(10)))._tag).toBe("SourceEof") // the 90 on disk are not read now
      yield* first.intake.ackUpTo(9)
      yield* first.close
      const second = yield* openIntake(options(dir))
      expect(second.intake.stats().recovered).toBe(90)
      expect((yield* takeN(second.intake, 90)).map(text)).toEqual(numbered("d", 90, 10))
      yield* second.close
    }))

  it.scopedLive("awaitDurable resolves once the events are synced", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir))
      const end = intake.append(events(numbered("h", 10)))
      expect(end).toBe(10)
      expect(intake.stats().durableSeq).toBe(0)
      yield* intake.awaitDurable(end)
      expect(intake.stats().durableSeq).toBe(10)
      yield* close
    }))

  it.scopedLive("refuses acks of events it never handed out", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake } = yield* openIntake(options(dir))
      intake.push(events(["a", "b"]), 2)
      yield* takeN(intake, 2)
      for (const token of [2, -1, 1.5, "1", undefined]) {
        const error = yield* Effect.flip(intake.ackUpTo(token))
        expect(error._tag).toBe("SourceSupplierError")
        expect(error.message).toContain("not a disk intake ack token")
      }
      expect((yield* Effect.flip(intake.ack(7)))._tag).toBe("SourceSupplierError")
      yield* intake.ack(1)
      expect(intake.stats().ackedSeq).toBe(0) // 0 not acked yet
      yield* intake.ack(0)
      expect(intake.stats().ackedSeq).toBe(2)
      yield* close
    }))

  it.scopedLive("a full disk stops the log: what was durable is handed out, then take fails with a retryable 203", () =>
    Effect.gen(function*() {
      const disk = yield* smallDisk(512 * 1024)
      const dir = path.join(disk.dir, "intake")
      const first = yield* openIntake(options(dir))
      first.intake.push(events(numbered("ok", 5)), 20)
      yield* takeN(first.intake, 5)
      yield* disk.fill()
      first.intake.push(events(["x".repeat(64 * 1024)]), 65536) // its write fails: ENOSPC
      const error = yield* Effect.flip(first.intake.take(10))
      expect(error._tag).toBe("SourceUvs")
      expect(error.code).toBe(203)
      expect(error.retryable).toBe(true)
      expect(error.message).toContain("ENOSPC")
      expect(first.intake.isFull()).toBe(true) // producers stay paused
      expect(first.intake.push(events(["y"]), 1)).toBe(false)
      expect(first.intake.stats()).toMatchObject({ durableSeq: 5, dropped: 1 })
      yield* first.close
      yield* disk.clear
      // a new life (what the engine's rebuild does): the durable events come back, the failed group never counted
      const second = yield* openIntake(options(dir))
      second.intake.push(events(["z"]), 1)
      expect((yield* takeN(second.intake, 6)).map(text)).toEqual([...numbered("ok", 5), "z"])
      yield* second.close
    }))

  it.scopedLive("one owner per directory: a second open fails with a ConfigError at params.buffer", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const first = yield* openIntake(options(dir))
      const exit = yield* Effect.exit(Effect.scoped(DiskIntake.make(options(dir))))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Option.getOrThrow(Exit.isFailure(exit) ? Option.fromNullable(exit.cause._tag === "Fail" ? exit.cause.error : undefined) : Option.none())
      expect(error._tag).toBe("ConfigError")
      expect(error.code).toBe(300)
      expect(error.message).toContain("params.buffer")
      expect(error.message).toContain("in use")
      yield* first.close
      // released with its Scope; a lock left by a dead process is taken over
      fs.writeFileSync(path.join(dir, "lock"), "999999999\n")
      const second = yield* openIntake(options(dir))
      yield* second.close
      expect(fs.existsSync(path.join(dir, "lock"))).toBe(false)
    }))
})
