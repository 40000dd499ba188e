import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FileSink } from "../../../src/connectors/file/index.js"
import { numbered, openUnder, tempDir } from "./fixtures.js"

const textOf = (file: string) => Effect.promise(() => fs.readFile(file, "utf8"))
const lines = (from: number, count: number) => `${numbered(count, from).join("\n")}\n`

describe("file sink: the path names another file", () => {
  it.scopedLive("the file unlinked between batches: the next batch is in a new file at the path", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "out.log")
      const sink = yield* FileSink.make({ file })
      yield* sink.sinkStrBatch(numbered(3))
      yield* Effect.promise(() => fs.unlink(file))
      yield* sink.sinkStrBatch(numbered(2, 3))
      expect(yield* textOf(file)).toBe(lines(3, 2))
      yield* sink.sinkStr("line-5")
      expect(yield* textOf(file)).toBe(lines(3, 3))
      // the deleted file is not held open
      expect(openUnder(dir)).toEqual([file])
    }))

  it.scopedLive("renamed by an outside rotation tool: the new batch goes to the new file at the path, the old keeps what it had", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "out.log")
      const sink = yield* FileSink.make({ file })
      yield* sink.sinkStrBatch(numbered(3))

      // logrotate without copytruncate or create: rename only
      yield* Effect.promise(() => fs.rename(file, `${file}.1`))
      yield* sink.sinkStrBatch(numbered(2, 3))
      expect(yield* textOf(`${file}.1`)).toBe(lines(0, 3))
      expect(yield* textOf(file)).toBe(lines(3, 2))

      // logrotate with create: rename, then a new empty file at the path
      yield* Effect.promise(() => fs.rename(file, `${file}.2`))
      yield* Effect.promise(() => fs.writeFile(file, ""))
      yield* sink.sinkStrBatch(numbered(2, 5))
      expect(yield* textOf(`${file}.2`)).toBe(lines(3, 2))
      expect(yield* textOf(file)).toBe(lines(5, 2))
      expect(openUnder(dir)).toEqual([file])
    }))

  it.scopedLive("rotate_bytes still rotates by size after the file was replaced from outside", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "r.log")
      const sink = yield* FileSink.make({ file, rotateBytes: 25 })
      yield* sink.sinkStrBatch(["a".repeat(9)])
      // another file of 20 bytes takes the path: the next line (10 bytes) would pass 25, so it rotates first
      yield* Effect.promise(() => fs.rename(file, path.join(dir, "moved.log")))
      yield* Effect.promise(() => fs.writeFile(file, `${"x".repeat(19)}\n`))
      yield* sink.sinkStr("b".repeat(9))
      expect(yield* textOf(`${file}.1`)).toBe(`${"x".repeat(19)}\n`)
      expect(yield* textOf(file)).toBe(`${"b".repeat(9)}\n`)
      expect(yield* textOf(path.join(dir, "moved.log"))).toBe(`${"a".repeat(9)}\n`)
    }))
})
