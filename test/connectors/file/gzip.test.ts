import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { build, drain, textOf } from "./file-set-fixtures.js"
import { numbered, openUnder, tempDir } from "./fixtures.js"

const text = (lines: ReadonlyArray<string>) => lines.map((l) => `${l}\n`).join("")

describe("file source, compressed rotated files", () => {
  it.scopedLive("reads a .gz file decompressed to its end, beside plain ones", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "app.log.2.gz"), zlib.gzipSync(text(numbered(5000, 0)))))
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "app.log.1"), text(numbered(10, 5000))))
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "app.log"), text(numbered(10, 6000))))
      const source = yield* build(dir, { file: "app.log*", read_bytes: 4096 })
      const events = yield* drain(source, () => false)
      expect(events.map(textOf).sort()).toEqual([...numbered(5000, 0), ...numbered(10, 5000), ...numbered(10, 6000)].sort())
      expect(events.filter((e) => e.tags.values.includes(path.join(dir, "app.log.2.gz"))).map(textOf)).toEqual(numbered(5000, 0))
    }))

  it.scopedLive("a file rotated, then compressed (.gz) while followed, is not read again: every line once", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "app.log")
      yield* Effect.promise(() => fs.writeFile(file, text(numbered(100, 0))))
      const source = yield* build(dir, { file: "app.log*", follow: true, poll_ms: 5 })
      const first = yield* drain(source, (e) => e.length >= 100)
      // logrotate with compress: app.log -> app.log.1, a new app.log, then app.log.1 -> app.log.1.gz
      yield* Effect.promise(async () => {
        await fs.rename(file, `${file}.1`)
        await fs.writeFile(file, text(numbered(50, 100)))
      })
      const second = yield* drain(source, (e) => e.length >= 50)
      yield* Effect.promise(async () => {
        await fs.writeFile(`${file}.1.gz`, zlib.gzipSync(await fs.readFile(`${file}.1`)))
        await fs.rm(`${file}.1`)
        await fs.appendFile(file, text(numbered(50, 150)))
      })
      const third = yield* drain(source, (e) => e.length >= 50)
      // some scans later: nothing more came (the .gz was known by its fingerprint, read to its end)
      const more = yield* drain(source, () => false, { tries: 40 })
      expect([...first, ...second, ...third, ...more].map(textOf)).toEqual(numbered(200))
      expect(openUnder(dir).filter((f) => f.includes("app.log"))).toEqual([file])
    }))

  it.scopedLive("a corrupt .gz file ends with a warning; the other files are read", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const gz = zlib.gzipSync(text(numbered(2000, 0)))
      // its header and start are fine (it has a fingerprint), then garbage
      gz.fill(0x5a, 200, gz.length)
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "old.log.gz"), gz))
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "new.log"), text(numbered(10, 9000))))
      const warnings: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") warnings.push(String(message))
      })
      const source = yield* build(dir, { file: "*.log*" })
      const events = yield* drain(source, () => false).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      const lines = events.map(textOf)
      expect(lines.filter((l) => Number(l.slice(5)) >= 9000)).toEqual(numbered(10, 9000))
      // what came from the damaged file is its start, in order, and not all of it
      const fromGz = lines.filter((l) => Number(l.slice(5)) < 9000)
      expect(fromGz).toEqual(numbered(fromGz.length))
      expect(fromGz.length).toBeLessThan(2000)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(`${path.join(dir, "old.log.gz")} is not a readable gzip file past offset`)
    }))
})
