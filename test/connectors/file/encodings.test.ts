import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Utf16Splitter } from "../../../src/connectors/file/decoder.js"
import type * as RawData from "../../../src/model/raw.js"
import { build, drain } from "./file-set-fixtures.js"
import { tempDir } from "./fixtures.js"

/** Writes `bytes` to `dir/in.log`, reads it with `params`; every payload, and the truncated tag of each. */
const readBytes = (bytes: Uint8Array, params: Record<string, unknown>) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    yield* Effect.promise(() => fs.writeFile(path.join(dir, "in.log"), bytes))
    const source = yield* build(dir, { file: "in.log", ...params })
    const events = yield* drain(source, () => false)
    return events.map((e) => e.payload)
  })

/** `text` in UTF-16BE (Node has only LE). */
const utf16be = (text: string): Buffer => Buffer.from(text, "utf16le").swap16()

// U+0A0D is 0D 0A in LE, U+0A41 is 0A 41 in BE: a 0x0a byte that is no newline
const utf16Lines = ["first 中文", "ਁ\u0A0D\u0A41 second", "third 😀"]

describe("file source encodings", () => {
  it.scopedLive("utf-16le: a byte-order mark dropped, lines split at the code unit U+000A only", () =>
    Effect.gen(function*() {
      const bytes = Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(utf16Lines.map((l) => `${l}\n`).join(""), "utf16le")])
      expect(yield* readBytes(bytes, { encoding: "utf-16le" })).toEqual(utf16Lines)
    }))

  it.scopedLive("utf-16be: the same, big-endian, and a last line without a newline", () =>
    Effect.gen(function*() {
      const bytes = Buffer.concat([Buffer.of(0xfe, 0xff), utf16be(utf16Lines.join("\n"))])
      expect(yield* readBytes(bytes, { encoding: "utf-16be" })).toEqual(utf16Lines)
    }))

  it.scopedLive("gbk and gb18030 decode to text; a line that is not valid stays bytes", () =>
    Effect.gen(function*() {
      const zhongwen = [0xd6, 0xd0, 0xce, 0xc4, 0xc8, 0xd5, 0xd6, 0xbe] // 中文日志
      const bytes = Uint8Array.from([...Buffer.from("ascii line\n"), ...zhongwen, 0x0a, 0xd6, 0x41, 0xff, 0x0a, ...Buffer.from("end\n")])
      const expected: Array<RawData.RawData> = ["ascii line", "中文日志", Uint8Array.of(0xd6, 0x41, 0xff), "end"]
      expect(yield* readBytes(bytes, { encoding: "gbk" })).toEqual(expected)
      const four = Uint8Array.from([0x95, 0x32, 0x82, 0x36, 0x0a, ...zhongwen, 0x0a]) // U+20000 is four bytes in GB18030
      expect(yield* readBytes(four, { encoding: "gb18030" })).toEqual(["𠀀", "中文日志"])
    }))

  it.scopedLive("latin1 is ISO-8859-1: every byte one character, UTF-8 sequences included", () =>
    Effect.gen(function*() {
      const bytes = Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0xc3, 0xa9, 0x80, 0x0a])
      expect(yield* readBytes(bytes, { encoding: "latin1" })).toEqual(["café", "Ã©\u0080"])
    }))

  it.scopedLive("utf-8 stays the default, and an encoding alone takes the multi-file reader (lines tagged with their file)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "in.log"), "héllo\n"))
      const source = yield* build(dir, { file: "in.log", encoding: "latin1" })
      const [event] = yield* drain(source, () => false)
      expect(event!.payload).toBe("hÃ©llo")
      expect(event!.tags.keys).toContain("file")
    }))
})

describe("Utf16Splitter", () => {
  it("cuts a line longer than max_line_bytes at a code unit, tags it, and skips the rest of it", () => {
    const splitter = new Utf16Splitter(8, 6, true)
    const text = Buffer.from("abcdefgh\nxy\n", "utf16le")
    const out: Array<[RawData.RawData, number, boolean]> = []
    for (let at = 0; at < text.length;) {
      const n = Math.min(splitter.readLength, text.length - at)
      text.copy(splitter.buffer, splitter.readAt, at, at + n)
      splitter.feed(n, (payload, _start, end, truncated) => out.push([payload, end, truncated]))
      at += n
    }
    splitter.flush((payload, _start, end, truncated) => out.push([payload, end, truncated]))
    expect(out).toEqual([["abc", 18, true], ["xy", 24, false]])
  })
})
