import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as Checkpoint from "../../../src/connectors/file/checkpoint.js"
import { tempDir } from "./fixtures.js"

describe("Checkpoint", () => {
  it("names one file per source under <work_root>/checkpoints, safe and distinct", () => {
    expect(Checkpoint.location("/w", "app.log-1")).toBe("/w/checkpoints/file-app.log-1.json")
    const a = Checkpoint.location("/w", "a/b")
    const b = Checkpoint.location("/w", "a b")
    expect(path.dirname(a)).toBe("/w/checkpoints")
    expect(path.basename(a)).toMatch(/^file-a_b-[0-9a-f]{8}\.json$/)
    expect(a).not.toBe(b)
  })

  it.live("saves in place, loads back, and refuses to save once its Scope is closed", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const dir = yield* Scope.extend(tempDir, scope)
      const file = path.join(dir, "work", "checkpoints", "file-x.json")
      expect(yield* Checkpoint.load(file)).toEqual({ _tag: "Missing" })
      const store = yield* Scope.extend(Checkpoint.open(file), scope)
      expect(yield* Checkpoint.load(file)).toEqual({ _tag: "Missing" })
      const long = { path: `/logs/${"ü".repeat(200)}.log`, dev: 1, ino: 2, offset: 123456789 }
      yield* store.save(long)
      yield* store.save({ path: "/a", dev: 1, ino: 2, offset: 5 })
      yield* store.sync
      expect(yield* Checkpoint.load(file)).toEqual({ _tag: "Found", checkpoint: { path: "/a", dev: 1, ino: 2, offset: 5 } })
      expect((yield* Effect.promise(() => fs.stat(file))).size).toBe(512)
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "bad.json"), "{\"path\":1}"))
      const bad = yield* Checkpoint.load(path.join(dir, "bad.json"))
      expect(bad._tag).toBe("Corrupt")
      const dirAsFile = yield* Effect.flip(Checkpoint.load(dir))
      expect(dirAsFile._tag).toBe("SourceUvs")
      expect(dirAsFile.message).toContain(`read checkpoint ${dir}: EISDIR`)
      const save = store.save({ path: "/a", dev: 1, ino: 2, offset: 6 })
      yield* Scope.close(scope, Exit.void)
      const closed = yield* Effect.flip(save)
      expect(closed.detail).toContain("is closed")
    }))
})
