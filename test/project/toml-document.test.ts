import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as TomlDocument from "../../src/project/toml-document.js"
import { cleanFiles, load, tempDir, workRoot } from "./fixtures.js"

/** The error `TomlDocument.parse` gives for `text`, as `[line, column, detail]`. */
const parseError = (text: string) =>
  Effect.map(Effect.flip(TomlDocument.parse("f.toml", text)), (e) => [e.line, e.column, e.detail])

/** The error `TomlDocument.read` gives for a file of `bytes`. */
const readError = (bytes: Uint8Array) =>
  Effect.gen(function*() {
    const file = path.join(yield* tempDir, "bad.toml")
    yield* Effect.promise(() => fs.writeFile(file, bytes))
    return { file, error: yield* Effect.flip(TomlDocument.read(file)) }
  })

const bytes = (...parts: ReadonlyArray<string | ReadonlyArray<number>>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))))

describe("TomlDocument: unterminated strings", () => {
  it.effect("a string the line ends in is reported as unterminated, at its opening quote", () =>
    Effect.gen(function*() {
      expect(yield* parseError(`a = 1\n[t]\nfile = "sample.log\nencode = "text"\n`)).toEqual([
        3,
        8,
        "unterminated string: the line ends before its closing \""
      ])
      expect(yield* parseError(`k = ['x', 'y\n]\n`)).toEqual([1, 11, "unterminated string: the line ends before its closing '"])
      expect(yield* parseError(`a = { b = "c }\r\nd = 1\r\n`)).toEqual([1, 11, "unterminated string: the line ends before its closing \""])
      expect(yield* parseError(`a = "x\\"\n`)).toEqual([1, 5, "unterminated string: the line ends before its closing \""])
      expect(yield* parseError(`"ke\ny" = 1\n`)).toEqual([1, 1, "unterminated string: the line ends before its closing \""])
    }))

  it.effect("a string the file ends in, multi-line ones too, is reported as unterminated at its opening quote", () =>
    Effect.gen(function*() {
      expect(yield* parseError(`x = 1\na = "abc`)).toEqual([2, 5, "unterminated string: the file ends before its closing \""])
      expect(yield* parseError(`x = 1\na = """abc\nb = 1\n`)).toEqual([2, 5, "unterminated multi-line string: the file ends before its closing \"\"\""])
      expect(yield* parseError(`a = '''abc\n`)).toEqual([1, 5, "unterminated multi-line string: the file ends before its closing '''"])
    }))

  it.effect("a real control character in a string is still reported as one; a # in a string is no comment", () =>
    Effect.gen(function*() {
      const [line, , detail] = yield* parseError(`a = "x\u0001y"\n`)
      expect([line, detail]).toEqual([1, "control characters are not allowed in strings"])
      const doc = yield* TomlDocument.parse("f.toml", `a = "x # y"\nb = "it's"\n`)
      expect(doc.table).toEqual({ a: "x # y", b: "it's" })
    }))
})

describe("TomlDocument: invalid UTF-8", () => {
  it.scopedLive("is refused, naming the file, the line and the byte offset, in a key and in a value", () =>
    Effect.gen(function*() {
      const inKey = yield* readError(bytes(`[[sources]]\nkey = "a"\n\n[sources.params]\n"fi`, [0xff], `le" = "x"\n`))
      expect(inKey.error).toMatchObject({ file: inKey.file, line: 5, expected: "a file encoded in UTF-8" })
      expect(inKey.error.detail).toBe("invalid UTF-8 at byte offset 43 (byte 0xff)")
      const inValue = yield* readError(bytes(`a = "sam`, [0xc3], `ple"\n`))
      expect(inValue.error).toMatchObject({ line: 1, detail: "invalid UTF-8 at byte offset 8 (byte 0xc3)" })
      // a truncated sequence at the end, an overlong encoding and a UTF-16 surrogate are invalid too
      expect((yield* readError(bytes(`a = 1\n# `, [0xe2, 0x82]))).error.detail).toBe("invalid UTF-8 at byte offset 8 (byte 0xe2)")
      expect((yield* readError(bytes(`a = "`, [0xc0, 0xaf], `"`))).error.detail).toBe("invalid UTF-8 at byte offset 5 (byte 0xc0)")
      expect((yield* readError(bytes(`a = "`, [0xed, 0xa0, 0x80], `"`))).error.detail).toBe("invalid UTF-8 at byte offset 5 (byte 0xed)")
    }))

  it.scopedLive("valid multi-byte UTF-8 is read as it is", () =>
    Effect.gen(function*() {
      const file = path.join(yield* tempDir, "ok.toml")
      yield* Effect.promise(() => fs.writeFile(file, `a = "ü € 𝄞"\n`))
      expect((yield* TomlDocument.read(file)).table).toEqual({ a: "ü € 𝄞" })
    }))

  it.scopedLive("in a project file, it is one problem among the others", () =>
    Effect.gen(function*() {
      const dir = yield* workRoot({
        ...cleanFiles,
        "topology/sources/b.toml": `[[sources]]\nkey = "in2"\nconnect = "net_in"\nparams = { port = 0 }\n`
      })
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "topology/sources/a.toml"), bytes(`[[sources]]\nkey = "in`, [0xff], `1"\n`)))
      const errors = Either.getLeft(yield* load(dir)).pipe(Option.map((e) => e.errors.map((x) => [path.relative(dir, x.file!), x.line, x.path, x.detail])))
      expect(errors).toEqual(Option.some([
        ["topology/sources/a.toml", 2, undefined, "invalid UTF-8 at byte offset 21 (byte 0xff)"],
        ["topology/sources/b.toml", 4, "sources[0].params.port", expect.stringContaining("0")]
      ]))
    }))
})
