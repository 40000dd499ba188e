import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Scope } from "effect"
import { build, drain, textOf } from "./file-set-fixtures.js"
import { numbered, tempDir } from "./fixtures.js"

/**
 * Reads `first` lines of `file` through a source of `params` and acks them; closes it; then the file's
 * content is replaced in place (`truncate` and rewrite: the same inode) by `second`, longer than what
 * was read; a new source of the same name must read `second` whole, from its start.
 */
const replacedInPlace = (params: Record<string, unknown>) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const file = path.join(dir, "app.log")
    const first = numbered(50, 0)
    const second = Array.from({ length: 200 }, (_, i) => `new content ${i}`)
    yield* Effect.promise(() => fs.writeFile(file, first.map((l) => `${l}\n`).join("")))
    const { ino } = yield* Effect.promise(() => fs.stat(file))
    const scope = yield* Scope.make()
    const before = yield* Scope.extend(build(dir, { file: "app.log", ...params }), scope)
    const read = yield* drain(before, (events) => events.length >= first.length)
    expect(read.map(textOf)).toEqual(first)
    yield* Scope.close(scope, { _tag: "Success", value: undefined } as never)
    // copytruncate while stopped: same inode, new content past the old offset
    yield* Effect.promise(async () => {
      const handle = await fs.open(file, "r+")
      await handle.truncate(0)
      await handle.write(second.map((l) => `${l}\n`).join(""), 0)
      await handle.close()
    })
    expect((yield* Effect.promise(() => fs.stat(file))).ino).toBe(ino)
    const after = yield* build(dir, { file: "app.log", ...params })
    const again = yield* drain(after, (events) => events.length >= second.length)
    return again.map(textOf)
  })

describe("file source identity by fingerprint", () => {
  it.scopedLive("single file: content replaced in place (same inode, longer) while stopped is read from its start", () =>
    Effect.gen(function*() {
      const lines = yield* replacedInPlace({})
      expect(lines).toEqual(Array.from({ length: 200 }, (_, i) => `new content ${i}`))
    }))

  it.scopedLive("glob: content replaced in place (same inode, longer) while stopped is read from its start", () =>
    Effect.gen(function*() {
      const lines = yield* replacedInPlace({ file: "app.lo?" })
      expect(lines).toEqual(Array.from({ length: 200 }, (_, i) => `new content ${i}`))
    }))
})
