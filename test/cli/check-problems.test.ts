import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { tempDir } from "../project/fixtures.js"
import { example, wpc } from "./fixtures.js"

const sources = "topology/sources/file.toml"

/** A copy of examples/file-to-file whose sources file holds `bytes`. */
const withSources = (bytes: string | Uint8Array) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "p")
    yield* Effect.promise(async () => {
      await fs.cp(example, dir, { recursive: true })
      await fs.writeFile(path.join(dir, sources), bytes)
    })
    return dir
  })

describe("wpc check on a broken copy of examples/file-to-file", () => {
  it.scopedLive("an unknown key and a bad param of one entry are both listed", () =>
    Effect.gen(function*() {
      const dir = yield* withSources(`[[sources]]
key = "sample_log"
connect = "file_src"
colour = "red"

[sources.params]
file = "sample.log"
encode = "bogus"
`)
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      expect(check.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([
        `error: ${path.join(dir, sources)}:4: sources[0].colour: unknown key "colour"`,
        `error: ${path.join(dir, sources)}:8: sources[0].params.encode: Expected "text", actual "bogus"`
      ])
      expect(check.err.split("\n").at(-1)).toBe(`2 problems in project ${dir}`)
    }))

  it.scopedLive("an unterminated string is called one, at its line and opening quote", () =>
    Effect.gen(function*() {
      const dir = yield* withSources(`[[sources]]
key = "sample_log"
connect = "file_src"

[sources.params]
file = "sample.log
encode = "text"
`)
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      expect(check.err.split("\n").slice(0, 2)).toEqual([
        `error: ${path.join(dir, sources)}:6:8: unterminated string: the line ends before its closing "`,
        `  expected: a closing quote on the same line (a string over several lines is written between """ or ''')`
      ])
      expect(check.err).not.toContain("control characters")
    }))

  it.scopedLive("invalid UTF-8 in a key is refused with its line and byte offset, not shown as U+FFFD", () =>
    Effect.gen(function*() {
      const text = `[[sources]]\nkey = "sample_log"\nconnect = "file_src"\n\n[sources.params]\n"fi`
      const dir = yield* withSources(Buffer.concat([Buffer.from(text), Buffer.from([0xff]), Buffer.from(`le" = "sample.log"\n`)]))
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      expect(check.err.split("\n")[0]).toBe(
        `error: ${path.join(dir, sources)}:6: invalid UTF-8 at byte offset ${Buffer.byteLength(text)} (byte 0xff)`
      )
      expect(check.err + check.out).not.toContain("\uFFFD")
    }))
})
