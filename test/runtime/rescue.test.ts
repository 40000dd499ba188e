import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Rescue from "../../src/runtime/rescue.js"
import * as SourceEvent from "../../src/source/event.js"
import { smallDisk } from "../connectors/file/small-disk.js"

const why: Rescue.RescueReason = { code: 203, reason: "Uvs", detail: "disk full" }
const events = (from: number, n: number, size = 200) =>
  Array.from({ length: n }, (_, i) => SourceEvent.make({ eventId: from + i, srcKey: "in", payload: `${from + i}:${"x".repeat(size)}` }))

const parse = (text: string) => text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { event: { event_id: number } })

describe("Rescue", () => {
  it.scopedLive("a write that hits a full disk partway leaves the rescue file as it was; the next write appends whole lines", () =>
    Effect.gen(function*() {
      const disk = yield* smallDisk(256 * 1024)
      const rescue = Rescue.make(path.join(disk.dir, "rescue"))
      const file = rescue.fileOf("g", "s")
      yield* rescue.write("g", "s", events(0, 3), why)
      const before = yield* Effect.promise(() => fs.readFile(file, "utf8"))
      yield* disk.fill(8 * 1024)
      // about 300 KiB of lines: more than the disk has left, so the write fails partway
      const exit = yield* Effect.exit(rescue.write("g", "s", events(3, 1000, 300), why))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* Effect.promise(() => fs.readFile(file, "utf8"))).toBe(before)
      yield* disk.clear
      yield* rescue.write("g", "s", events(1003, 2), why)
      const ids = parse(yield* Effect.promise(() => fs.readFile(file, "utf8"))).map((l) => l.event.event_id)
      expect(ids).toEqual([0, 1, 2, 1003, 1004])
    }))

  it.scopedLive("a rescue file left with a torn last line (a crash mid-append) is not glued onto: the next line stands alone", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(process.env["TMPDIR"] ?? "/tmp", "wp-rescue-"))),
        (d) => Effect.promise(() => fs.rm(d, { recursive: true, force: true }))
      )
      const rescue = Rescue.make(dir)
      const file = rescue.fileOf("g", "s")
      yield* rescue.write("g", "s", events(0, 1), why)
      yield* Effect.promise(() => fs.appendFile(file, `{"time":"2026-01-01","group":"g","sink":"s","code":2`))
      yield* rescue.write("g", "s", events(1, 2), why)
      const lines = (yield* Effect.promise(() => fs.readFile(file, "utf8"))).split("\n")
      expect(lines).toHaveLength(5)
      expect(lines[4]).toBe("")
      expect(lines[1]).toBe(`{"time":"2026-01-01","group":"g","sink":"s","code":2`)
      expect([lines[0], lines[2], lines[3]].map((l) => (JSON.parse(l!) as { event: { event_id: number } }).event.event_id)).toEqual([0, 1, 2])
    }))
})
