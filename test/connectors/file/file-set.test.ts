import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { build, drain, fileOf, textOf } from "./file-set-fixtures.js"
import { numbered, tempDir } from "./fixtures.js"

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
