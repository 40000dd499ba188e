import * as fsSync from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { build, drain, fileOf, textOf } from "./file-set-fixtures.js"
import { numbered, openUnder, tempDir } from "./fixtures.js"

const write = (file: string, lines: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, lines.map((l) => `${l}\n`).join(""))
  })

describe("file source over a glob", () => {
  it.scopedLive("reads every file `*.log` and `**` match, minus excludes, each event tagged with its file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(3, 0))
      yield* write(path.join(dir, "b.log"), numbered(3, 100))
      yield* write(path.join(dir, "c.txt"), ["not me"])
      yield* write(path.join(dir, "sub/deep/d.log"), numbered(2, 200))
      yield* write(path.join(dir, "sub/skip.log"), ["excluded"])
      const source = yield* build(dir, { file: "**/*.log", exclude: ["**/skip.log"] })
      const events = yield* drain(source, () => false)
      const byFile = new Map<string, Array<string>>()
      for (const e of events) byFile.set(fileOf(e)!, [...(byFile.get(fileOf(e)!) ?? []), textOf(e)])
      expect(Object.fromEntries(byFile)).toEqual({
        [path.join(dir, "a.log")]: numbered(3, 0),
        [path.join(dir, "b.log")]: numbered(3, 100),
        [path.join(dir, "sub/deep/d.log")]: numbered(2, 200)
      })
    }))
})

/** Appends `lines` to `file` in chunks of `chunk` lines, yielding a little between chunks (a writer at work). */
const writeSlowly = (file: string, lines: ReadonlyArray<string>, chunk = 50) =>
  Effect.gen(function*() {
    for (let i = 0; i < lines.length; i += chunk) {
      yield* Effect.promise(() => fs.appendFile(file, lines.slice(i, i + chunk).map((l) => `${l}\n`).join("")))
      yield* Effect.sleep("2 millis")
    }
  })

/** Every line of `events` counted: the lines missing from `expected`, the unexpected ones, and the duplicates. */
const tally = (events: ReadonlyArray<{ readonly text: string }>, expected: ReadonlyArray<string>) => {
  const counts = new Map<string, number>()
  for (const e of events) counts.set(e.text, (counts.get(e.text) ?? 0) + 1)
  const wanted = new Set(expected)
  return {
    missing: expected.filter((l) => !counts.has(l)),
    unexpected: [...counts.keys()].filter((l) => !wanted.has(l)),
    duplicates: events.length - counts.size
  }
}

describe("file source over a glob: resources", () => {
  it.scopedLive("closing its Scope closes every file, parked or not, and both checkpoint files", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      for (let f = 0; f < 4; f++) yield* write(path.join(dir, `f${f}.log`), numbered(5, f * 100))
      const scope = yield* Scope.make()
      const source = yield* Scope.extend(build(dir, { file: "*.log", follow: true, poll_ms: 5, max_open_files: 2 }), scope)
      yield* drain(source, (e) => e.length >= 20, { tries: 400 })
      expect(openUnder(dir).length).toBeGreaterThan(0)
      yield* Scope.close(scope, Exit.void)
      expect(openUnder(dir)).toEqual([])
    }))
})

describe("file source over a glob: bad input", () => {
  it.scopedLive("one named file that is missing fails the build naming it (102); a directory (201); a glob matching nothing just ends", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const missing = yield* Effect.flip(build(dir, { file: "none.log", encoding: "latin1" }))
      expect(missing.code).toBe(102)
      expect(missing.message).toContain(`open ${path.join(dir, "none.log")}: ENOENT`)
      yield* Effect.promise(() => fs.mkdir(path.join(dir, "adir")))
      const directory = yield* Effect.flip(build(dir, { file: "adir", multiline_start: "^x" }))
      expect(directory.code).toBe(201)
      expect(directory.message).toContain("EISDIR")
      const source = yield* build(dir, { file: "*.nothing" })
      const ended = yield* Effect.flip(source.receive)
      expect(ended._tag).toBe("SourceEof")
    }))
})

describe("file source over a glob, following", () => {
  it.scopedLive("picks up files that appear while it runs, and releases deleted ones once read and acked", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(10, 0))
      const source = yield* build(dir, { file: "*.log", follow: true, poll_ms: 10 })
      const first = yield* drain(source, (events) => events.length >= 10)
      expect(first.map(textOf)).toEqual(numbered(10, 0))
      yield* write(path.join(dir, "b.log"), numbered(10, 100))
      yield* write(path.join(dir, "sub.log.d/c.log"), ["not matched: *.log has no /"])
      const second = yield* drain(source, (events) => events.length >= 10)
      expect(second.map(textOf)).toEqual(numbered(10, 100))
      expect(second.every((e) => fileOf(e) === path.join(dir, "b.log"))).toBe(true)
      expect(openUnder(dir).filter((f) => f.endsWith(".log")).sort()).toEqual([path.join(dir, "a.log"), path.join(dir, "b.log")])
      yield* Effect.promise(() => fs.rm(path.join(dir, "a.log")))
      // a.log is gone: read to its end (nothing more), acked, so released: its descriptor is closed
      yield* drain(source, () => !openUnder(dir).some((f) => f.startsWith(path.join(dir, "a.log"))), { tries: 400 })
      expect(openUnder(dir).filter((f) => f.includes(".log"))).toEqual([path.join(dir, "b.log")])
    }))

  it.scopedLive("rotation by rename while writing: every line once, the old file read to its end", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "app.log")
      const all = numbered(3000)
      yield* write(file, all.slice(0, 100))
      const source = yield* build(dir, { file: "app.log*", follow: true, poll_ms: 5, batch_lines: 64 })
      const writer = yield* Effect.fork(Effect.gen(function*() {
        yield* writeSlowly(file, all.slice(100, 1000))
        yield* Effect.promise(() => fs.rename(file, `${file}.1`))
        // the writer still has the old file open: what it appends after the rename lands in app.log.1
        yield* writeSlowly(`${file}.1`, all.slice(1000, 1200))
        yield* writeSlowly(file, all.slice(1200, 2000))
        yield* Effect.promise(() => fs.rename(`${file}.1`, `${file}.2`))
        yield* Effect.promise(() => fs.rename(file, `${file}.1`))
        yield* writeSlowly(file, all.slice(2000))
      }))
      const events = yield* drain(source, (events) => events.length >= all.length, { tries: 20_000 })
      yield* writer.await
      const result = tally(events.map((e) => ({ text: textOf(e) })), all)
      expect(result).toEqual({ missing: [], unexpected: [], duplicates: 0 })
      // each file's lines in order
      const perFile = new Map<string, Array<number>>()
      for (const e of events) perFile.set(fileOf(e)!, [...(perFile.get(fileOf(e)!) ?? []), Number(textOf(e).slice(5))])
      for (const numbers of perFile.values()) expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
    }), 60_000)

  it.scopedLive("copy-truncate while writing: the copy goes on where the reading was, the truncated file from 0", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "app.log")
      const all = numbered(3000)
      yield* write(file, all.slice(0, 100))
      const source = yield* build(dir, { file: "app.log*", follow: true, poll_ms: 5, batch_lines: 64 })
      const writer = yield* Effect.fork(Effect.gen(function*() {
        for (const [from, to] of [[100, 1000], [1000, 2000], [2000, 3000]] as const) {
          yield* writeSlowly(file, all.slice(from, to))
          if (to === 3000) break
          // logrotate's copytruncate: copy, then truncate in place (the writer appends at the new end)
          yield* Effect.promise(() => fs.copyFile(file, `${file}.${to}`))
          yield* Effect.promise(() => fs.truncate(file, 0))
        }
      }))
      const events = yield* drain(source, (events) => events.length >= all.length, { tries: 20_000 })
      yield* writer.await
      expect(tally(events.map((e) => ({ text: textOf(e) })), all)).toEqual({ missing: [], unexpected: [], duplicates: 0 })
    }), 60_000)

  it.scopedLive("keeps at most max_open_files open, and reads every file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      for (let f = 0; f < 6; f++) yield* write(path.join(dir, `f${f}.log`), numbered(20, f * 100))
      const source = yield* build(dir, { file: "*.log", max_open_files: 2, batch_lines: 7 })
      let most = 0
      const events = yield* drain(source, () => {
        most = Math.max(most, openUnder(dir).filter((f) => f.endsWith(".log")).length)
        return false
      })
      expect(most).toBeLessThanOrEqual(2)
      expect(most).toBe(2)
      expect(events.map(textOf).sort()).toEqual(Array.from({ length: 6 }, (_, f) => numbered(20, f * 100)).flat().sort())
    }))

  it.scopedLive("following more files than max_open_files: the idle ones give up their slot, and every line arrives", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const files = Array.from({ length: 4 }, (_, f) => path.join(dir, `f${f}.log`))
      for (const [f, file] of files.entries()) yield* write(file, [`first of ${f}`])
      const source = yield* build(dir, { file: "*.log", follow: true, poll_ms: 5, max_open_files: 2 })
      const expected = files.flatMap((_, f) => [`first of ${f}`, ...numbered(30, f * 1000)])
      let most = 0
      const writer = yield* Effect.fork(Effect.forEach(numbered(30).map((_, i) => i), (i) =>
        Effect.zipRight(
          // synchronous appends: this process never holds a writer's descriptor when the readers' are counted
          Effect.sync(() => files.forEach((file, f) => fsSync.appendFileSync(file, `line-${f * 1000 + i}\n`))),
          Effect.sleep("3 millis")
        ), { discard: true }))
      const events = yield* drain(source, (events) => {
        most = Math.max(most, openUnder(dir).filter((f) => f.endsWith(".log")).length)
        return events.length >= expected.length
      }, { tries: 20_000 })
      yield* writer.await
      expect(most).toBeLessThanOrEqual(2)
      expect(tally(events.map((e) => ({ text: textOf(e) })), expected)).toEqual({ missing: [], unexpected: [], duplicates: 0 })
    }), 60_000)

  it.scopedLive("a file missing from a scan (renamed out of the glob and back) goes on being followed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "a.log")
      yield* write(file, numbered(5, 0))
      const source = yield* build(dir, { file: "*.log", follow: true, poll_ms: 5 })
      // nothing acked: the file stays with the source however it goes
      expect((yield* drain(source, (e) => e.length >= 5, { ack: false })).map(textOf)).toEqual(numbered(5, 0))
      yield* Effect.promise(() => fs.rename(file, `${file}.away`))
      expect(yield* drain(source, () => false, { ack: false, tries: 20 })).toEqual([])
      yield* Effect.promise(() => fs.rename(`${file}.away`, file))
      yield* Effect.promise(() => fs.appendFile(file, numbered(5, 5).map((l) => `${l}\n`).join("")))
      expect((yield* drain(source, (e) => e.length >= 5, { ack: false, tries: 400 })).map(textOf)).toEqual(numbered(5, 5))
    }))
})
