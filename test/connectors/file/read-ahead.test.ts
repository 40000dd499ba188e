import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { ReadAhead } from "../../../src/connectors/file/read-ahead.js"
import { withTempWorkRoot } from "../../../src/testkit/work-root.js"

/** A temp file of `size` bytes (byte i = i % 251), opened for reading; closed with the Scope. */
const opened = (size: number) =>
  Effect.gen(function*() {
    const dir = yield* withTempWorkRoot
    const file = path.join(dir, "data.bin")
    const content = Buffer.from(Array.from({ length: size }, (_, i) => i % 251))
    yield* Effect.promise(() => fs.writeFile(file, content))
    const handle = yield* Effect.acquireRelease(Effect.promise(() => fs.open(file)), (h) => Effect.promise(() => h.close()))
    return { file, content, handle }
  })

describe("ReadAhead", () => {
  it.scopedLive("reads a file chunk by chunk exactly as direct reads would, the last one short", () =>
    Effect.gen(function*() {
      const { content, handle } = yield* opened(10_000)
      const ahead = new ReadAhead()
      const target = Buffer.alloc(1024 + 8)
      const out: Array<Buffer> = []
      let position = 0
      for (;;) {
        const n = yield* Effect.promise(() => ahead.read(handle, target, 8, 1024, position))
        if (n === 0) break
        out.push(Buffer.from(target.subarray(8, 8 + n)))
        position += n
      }
      expect(out.map((b) => b.length)).toEqual([...Array.from({ length: 9 }, () => 1024), 10_000 - 9 * 1024])
      expect(Buffer.concat(out).equals(content)).toBe(true)
    }))

  it.scopedLive("a read elsewhere (a seek) gets that position's bytes, not the chunk read ahead", () =>
    Effect.gen(function*() {
      const { content, handle } = yield* opened(10_000)
      const ahead = new ReadAhead()
      const target = Buffer.alloc(1000)
      yield* Effect.promise(() => ahead.read(handle, target, 0, 1000, 0))
      const n = yield* Effect.promise(() => ahead.read(handle, target, 0, 1000, 5000))
      expect(n).toBe(1000)
      expect(target.equals(content.subarray(5000, 6000))).toBe(true)
      // and the chunk after it was read ahead from the new position
      yield* Effect.promise(() => ahead.read(handle, target, 0, 1000, 6000))
      expect(target.equals(content.subarray(6000, 7000))).toBe(true)
    }))

  it.scopedLive("sees data appended after a short read (nothing is read ahead past the end)", () =>
    Effect.gen(function*() {
      const { file, handle } = yield* opened(1500)
      const ahead = new ReadAhead()
      const target = Buffer.alloc(1000)
      expect(yield* Effect.promise(() => ahead.read(handle, target, 0, 1000, 0))).toBe(1000)
      expect(yield* Effect.promise(() => ahead.read(handle, target, 0, 1000, 1000))).toBe(500)
      yield* Effect.promise(() => fs.appendFile(file, Buffer.alloc(700, 7)))
      expect(yield* Effect.promise(() => ahead.read(handle, target, 0, 1000, 1500))).toBe(700)
      expect(target.subarray(0, 700).every((b) => b === 7)).toBe(true)
    }))
})
