/**
 * `ByteBuilder` writes what `Buffer.from(text, "utf8")` writes, grows as it must, and a `Buffer` it hands
 * out stays as it was whatever is written after.
 */
import { describe, expect, it } from "@effect/vitest"
import { ByteBuilder } from "../../src/index.js"

/** Texts of every UTF-8 length, short and long (the JavaScript loop and the native write). */
const texts = [
  "",
  "a",
  "plain ascii",
  "x".repeat(41),
  "héllo", // 2-byte
  "日本語のテキスト", // 3-byte
  "emoji 😀 pair", // 4-byte (a surrogate pair)
  "lone \ud800 surrogate",
  "\udc00 at the start",
  "ends in a lone \ud83d",
  `${"long ascii then ".repeat(4)}é`,
  "\u0000\u0001 controls \u007f"
]

describe("ByteBuilder", () => {
  it("text writes the UTF-8 of every text, lone surrogates as U+FFFD, as Buffer.from does", () => {
    for (const text of texts) {
      const out = ByteBuilder.make(1)
      out.byte(0x3c)
      out.text(text)
      out.byte(0x3e)
      expect(out.textOf(0)).toBe(Buffer.from(`<${text}>`, "utf8").toString("utf8"))
      expect([...out.take()]).toEqual([...Buffer.from(`<${text}>`, "utf8")])
    }
  })

  it("putText, putAscii and putDigits write at a local offset and say where they ended", () => {
    const out = ByteBuilder.make()
    out.ensure(64)
    let off = ByteBuilder.putText(out.buf, out.length, "pri=")
    off = ByteBuilder.putAscii(out.buf, off, "2026-11-28T12:00:00.000000Z,")
    for (const n of [0, 7, 10, 99, 100, 191, 999, 1000, 123456789]) {
      off = ByteBuilder.putDigits(out.buf, off, n)
      out.buf[off++] = 0x2c
    }
    out.length = off
    expect(out.textOf(0)).toBe("pri=2026-11-28T12:00:00.000000Z,0,7,10,99,100,191,999,1000,123456789,")
  })

  it("grows past its first room without losing what was written", () => {
    const out = ByteBuilder.make(8)
    const parts: Array<string> = []
    for (let i = 0; i < 5000; i++) {
      const piece = i % 3 === 0 ? `é${i}` : `${i};`
      parts.push(piece)
      out.text(piece)
    }
    expect(out.textOf(0)).toBe(parts.join(""))
  })

  it("insertAscii puts text before what was written from an offset (an octet count)", () => {
    const out = ByteBuilder.make(4)
    out.text("a|")
    const start = out.length
    out.text("héllo")
    out.insertAscii(start, `${out.length - start} `)
    expect(out.textOf(0)).toBe("a|6 héllo")
  })

  it("a buffer it handed out keeps its bytes: taken whole (mostly full) or copied (mostly empty)", () => {
    const out = ByteBuilder.make(256)
    for (let i = 0; i < 250; i++) out.byte(0x79) // mostly full: handed over as it is
    expect(out.buf.length).toBe(256)
    const whole = out.take()
    for (let i = 0; i < 5; i++) out.byte(0x7a) // fits the buffer it handed over: must not land there
    out.text("z".repeat(245))
    out.text("w".repeat(10))
    const copied = out.take() // the new buffer is larger: 260 of it is copied out
    out.text("v".repeat(300))
    expect(whole.toString()).toBe("y".repeat(250))
    expect(copied.toString()).toBe(`${"z".repeat(250)}${"w".repeat(10)}`)
    expect(out.textOf(0)).toBe("v".repeat(300))
    expect(out.take().length).toBe(300)
    expect(out.length).toBe(0)
  })

  it("truncate forgets what was written after a mark", () => {
    const out = ByteBuilder.make()
    out.text("keep")
    const mark = out.length
    out.text(" drop")
    out.truncate(mark)
    out.text("!")
    expect(out.textOf(0)).toBe("keep!")
  })
})
