import { describe, expect, it } from "@effect/vitest"
import { RawData } from "../../src/index.js"

describe("RawData", () => {
  it("measures length in bytes for text and bytes", () => {
    expect(RawData.length("abc")).toBe(3)
    expect(RawData.length("é€")).toBe(5)
    expect(RawData.length(new Uint8Array([1, 2, 3, 4]))).toBe(4)
    expect(RawData.isEmpty("")).toBe(true)
    expect(RawData.isEmpty(new Uint8Array(0))).toBe(true)
  })

  it("gives bytes without copying a byte payload", () => {
    const b = new Uint8Array([104, 105])
    expect(RawData.bytes(b)).toBe(b)
    expect([...RawData.bytes("hi")]).toEqual([104, 105])
  })

  it("decodes text lossily, and strictly on demand", () => {
    const bad = new Uint8Array([0x61, 0xff, 0x62])
    expect(RawData.text(bad)).toBe("a\uFFFDb")
    expect(RawData.textStrict(bad)).toBeUndefined()
    expect(RawData.textStrict(new Uint8Array([0x68, 0x69]))).toBe("hi")
    expect(RawData.fromBytesPreferText(bad)).toBe(bad)
    expect(RawData.fromBytesPreferText(new Uint8Array([0x68, 0x69]))).toBe("hi")
  })

  it("tells text from bytes", () => {
    expect(RawData.isString(RawData.fromString("x"))).toBe(true)
    expect(RawData.isBytes(RawData.fromBytes(new Uint8Array(1)))).toBe(true)
    expect(RawData.isRawData(3)).toBe(false)
  })
})
