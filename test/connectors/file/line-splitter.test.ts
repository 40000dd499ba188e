import { describe, expect, it } from "@effect/vitest"
import { RawFramer } from "../../../src/connectors/file/framer.js"
import { LineSplitter } from "../../../src/connectors/file/line-splitter.js"
import type * as RawData from "../../../src/model/raw.js"

interface Line {
  readonly payload: RawData.RawData
  readonly start: number
  readonly end: number
  readonly truncated: boolean
}

/** Feeds `bytes` through `framer` in reads of at most `readLength`, then flushes; returns what was emitted. */
const run = (framer: LineSplitter | RawFramer, bytes: Uint8Array): Array<Line> => {
  const out: Array<Line> = []
  const emit = (payload: RawData.RawData, start: number, end: number, truncated: boolean) => {
    out.push({ payload, start, end, truncated })
  }
  let at = 0
  while (at < bytes.length) {
    const n = Math.min(framer.readLength, bytes.length - at)
    framer.buffer.set(bytes.subarray(at, at + n), framer.readAt)
    framer.feed(n, emit)
    at += n
  }
  framer.flush(emit)
  return out
}

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"))

describe("LineSplitter", () => {
  it("splits lines across reads, keeps empty lines and emits a last line without newline", () => {
    for (const readBytes of [1, 2, 3, 5, 64]) {
      const lines = run(new LineSplitter(readBytes, 100), utf8("alpha\n\nbeta\r\ngamma"))
      expect(lines.map((l) => l.payload)).toEqual(["alpha", "", "beta\r", "gamma"])
      expect(lines.map((l) => [l.start, l.end])).toEqual([[0, 6], [6, 7], [7, 13], [13, 18]])
      expect(lines.every((l) => !l.truncated)).toBe(true)
    }
  })

  it("decodes UTF-8 lines as text and keeps other bytes as a Uint8Array copy", () => {
    const bytes = new Uint8Array([...utf8("héllo 日本\n"), 0xff, 0xfe, 0x41, 0x0a, ...utf8("ok\n")])
    const splitter = new LineSplitter(4, 100)
    const lines = run(splitter, bytes)
    expect(lines[0]!.payload).toBe("héllo 日本")
    expect(lines[1]!.payload).toEqual(new Uint8Array([0xff, 0xfe, 0x41]))
    expect(lines[1]!.payload).not.toBeInstanceOf(Buffer)
    expect(lines[2]!.payload).toBe("ok")
    // the bytes payload is a copy: reusing the read buffer does not change it
    splitter.buffer.fill(0)
    expect(lines[1]!.payload).toEqual(new Uint8Array([0xff, 0xfe, 0x41]))
  })

  it("cuts a line longer than max_line_bytes, skips its rest and tags it, in any read size", () => {
    const long = "x".repeat(50)
    for (const readBytes of [1, 7, 10, 64]) {
      const lines = run(new LineSplitter(readBytes, 10), utf8(`a\n${long}\nb\n${long}`))
      expect(lines.map((l) => l.payload)).toEqual(["a", "x".repeat(10), "b", "x".repeat(10)])
      expect(lines.map((l) => l.truncated)).toEqual([false, true, false, true])
      expect(lines.map((l) => [l.start, l.end])).toEqual([[0, 2], [2, 53], [53, 55], [55, 105]])
    }
  })

  it("cuts at a character boundary, so a cut UTF-8 line stays text", () => {
    const lines = run(new LineSplitter(8, 10), utf8(`${"é".repeat(20)}\n`))
    expect(lines).toHaveLength(1)
    expect(lines[0]!.payload).toBe("é".repeat(5))
    expect(lines[0]!.truncated).toBe(true)
    const four = run(new LineSplitter(64, 6), utf8("a😀😀\n"))
    expect(four[0]!.payload).toBe("a😀")
  })

  it("after a reset in the middle of a line, skips to the next line and starts its span at the reset offset", () => {
    const splitter = new LineSplitter(4, 100)
    splitter.reset(3, true)
    const out: Array<[RawData.RawData, number, number]> = []
    const tail = utf8("lo\nnext\n")
    splitter.buffer.set(tail, splitter.readAt)
    splitter.feed(tail.length, (payload, start, end) => out.push([payload, start, end]))
    expect(out).toEqual([["next", 3, 11]])
    expect(splitter.position).toBe(11)
  })
})

describe("RawFramer", () => {
  it("emits one event per read, contiguous spans, never sharing a buffer it reuses", () => {
    const framer = new RawFramer(4)
    const chunks = run(framer, utf8("abcdefghij"))
    expect(chunks.map((c) => Buffer.from(c.payload as Uint8Array).toString())).toEqual(["abcd", "efgh", "ij"])
    expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, 4], [4, 8], [8, 10]])
    framer.buffer.fill(0)
    expect(Buffer.from(chunks[2]!.payload as Uint8Array).toString()).toBe("ij")
  })
})
