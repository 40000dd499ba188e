import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FileSink } from "../../../src/connectors/file/index.js"
import { numbered, tempDir } from "./fixtures.js"
import { smallDisk } from "./small-disk.js"

const bytesOf = (file: string) => Effect.promise(() => fs.readFile(file))
const textOf = (file: string) => Effect.promise(() => fs.readFile(file, "utf8"))
const exists = (file: string) => Effect.promise(() => fs.access(file).then(() => true, () => false))

/** `count` lines `"<prefix>-<i>"` padded with dots to `width` characters. */
const padded = (prefix: string, count: number, width: number): Array<string> =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`.padEnd(width, "."))

describe("file sink: a failed write and a torn tail", () => {
  it.scopedLive("a batch whose write hits ENOSPC partway leaves the file as it was; the next batch starts on its own line", () =>
    Effect.gen(function*() {
      const disk = yield* smallDisk()
      const file = path.join(disk.dir, "out.log")
      const sink = yield* FileSink.make({ file })
      const first = padded("a", 10, 99)
      yield* sink.sinkStrBatch(first)
      const before = yield* bytesOf(file)

      // 8 KiB left, a batch of 40 KiB: the write stops partway with ENOSPC
      yield* disk.fill(8 * 1024)
      const failed = yield* Effect.flip(sink.sinkStrBatch(padded("b", 400, 99)))
      expect(failed._tag).toBe("SinkUvs")
      expect(failed.code).toBe(203)
      expect(failed.message).toContain(`write ${file}: ENOSPC`)
      expect((yield* bytesOf(file)).equals(before)).toBe(true)

      // the same batch again while the disk is still full: still nothing of it in the file
      yield* Effect.flip(sink.sinkStrBatch(padded("b", 400, 99)))
      expect((yield* bytesOf(file)).equals(before)).toBe(true)

      yield* disk.clear
      const third = padded("c", 5, 99)
      yield* sink.sinkStrBatch(third)
      expect((yield* textOf(file)).split("\n")).toEqual([...first, ...third, ""])
    }))

  it.scopedLive("a sink opening a file with a torn tail does not glue its first batch onto it: the fragment goes to <file>.torn", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "out.log")
      // what a write killed partway leaves: whole lines, then part of one
      yield* Effect.promise(() => fs.writeFile(file, "line-0\nline-1\nline-2-cut-sh"))
      yield* Effect.scoped(Effect.gen(function*() {
        const sink = yield* FileSink.make({ file })
        yield* sink.sinkStrBatch(["line-2", "line-3"])
      }))
      expect(yield* textOf(file)).toBe("line-0\nline-1\nline-2\nline-3\n")
      expect(yield* textOf(`${file}.torn`)).toBe("line-2-cut-sh\n")

      // opened again: the file ends with a newline, nothing is moved
      yield* Effect.scoped(Effect.gen(function*() {
        const sink = yield* FileSink.make({ file })
        yield* sink.sinkStr("line-4")
      }))
      expect(yield* textOf(file)).toBe("line-0\nline-1\nline-2\nline-3\nline-4\n")
      expect(yield* textOf(`${file}.torn`)).toBe("line-2-cut-sh\n")
    }))

  it.scopedLive("a torn tail longer than one read, and a file that is one unterminated line, are moved whole", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const long = path.join(dir, "long.log")
      const tail = "t".repeat(200_000)
      yield* Effect.promise(() => fs.writeFile(long, `${numbered(3).join("\n")}\n${tail}`))
      const single = path.join(dir, "single.log")
      yield* Effect.promise(() => fs.writeFile(single, "no newline at all"))
      yield* Effect.scoped(Effect.gen(function*() {
        const a = yield* FileSink.make({ file: long, fsync: false })
        yield* a.sinkStr("next")
        const b = yield* FileSink.make({ file: single })
        yield* b.sinkStr("first")
      }))
      // compared as booleans: a failure would print 200 KB
      expect((yield* textOf(long)) === `${numbered(3).join("\n")}\nnext\n`).toBe(true)
      expect((yield* textOf(`${long}.torn`)) === `${tail}\n`).toBe(true)
      expect(yield* textOf(single)).toBe("first\n")
      expect(yield* textOf(`${single}.torn`)).toBe("no newline at all\n")
    }))

  it.scopedLive("an empty file and a file ending with a newline are left as they are, with no .torn file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const empty = path.join(dir, "empty.log")
      const whole = path.join(dir, "whole.log")
      yield* Effect.promise(() => fs.writeFile(empty, ""))
      yield* Effect.promise(() => fs.writeFile(whole, "a\nb\n"))
      yield* Effect.scoped(Effect.gen(function*() {
        yield* (yield* FileSink.make({ file: empty })).sinkStr("x")
        yield* (yield* FileSink.make({ file: whole })).sinkStr("c")
      }))
      expect(yield* textOf(empty)).toBe("x\n")
      expect(yield* textOf(whole)).toBe("a\nb\nc\n")
      expect(yield* exists(`${empty}.torn`)).toBe(false)
      expect(yield* exists(`${whole}.torn`)).toBe(false)
    }))
})
