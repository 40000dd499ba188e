import { describe, expect, it } from "@effect/vitest"
import { Framing } from "../../../src/connectors/tcp/index.js"

type Frame = readonly [payload: string | Uint8Array, bytes: number, flag: Framing.FrameFlag]

/** Feeds `chunks` (then the end of the stream) to a decoder; yields the frames and the first error. */
const decode = (framing: Framing.Framing, max: number, chunks: ReadonlyArray<string | Uint8Array>, end = true) => {
  const decoder = new Framing.FrameDecoder(framing, max)
  const frames: Array<Frame> = []
  const emit: Framing.FrameEmit = (payload, bytes, flag) => frames.push([payload, bytes, flag])
  let error: string | undefined
  for (const c of chunks) {
    error ??= decoder.feed(typeof c === "string" ? Buffer.from(c, "utf8") : Buffer.from(c), emit)
  }
  if (end) decoder.end(emit)
  return { frames, error }
}

const texts = (frames: ReadonlyArray<Frame>) => frames.map(([p]) => (typeof p === "string" ? p : `bytes:${Buffer.from(p).toString("hex")}`))

/** Every way to cut `text` into two chunks. */
const splits = (text: string) => Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)])

describe("FrameDecoder line", () => {
  it("cuts at LF, removes a CR before it, skips empty lines, and reports sizes", () => {
    const { error, frames } = decode("line", 100, ["alpha\r\nbeta\n\n\r\ngamma\n"])
    expect(error).toBeUndefined()
    expect(frames).toEqual([["alpha", 5, 0], ["beta", 4, 0], ["gamma", 5, 0]])
  })

  it("gives the same frames however the bytes are cut into chunks", () => {
    const text = "one\ntwo\r\nthree and more\nfour"
    for (const [a, b] of splits(text)) {
      expect(texts(decode("line", 100, [a!, b!]).frames)).toEqual(["one", "two", "three and more", "four"])
    }
  })

  it("emits a last line without LF at the end of the stream as Partial", () => {
    const { frames } = decode("line", 100, ["a\nb", "c"])
    expect(frames).toEqual([["a", 1, 0], ["bc", 2, 2]])
    expect(decode("line", 100, ["a\nbc"], false).frames).toEqual([["a", 1, 0]]) // held until the end
  })

  it("keeps bytes that are not UTF-8 as bytes, and decodes multi-byte UTF-8 as text", () => {
    const bad = Uint8Array.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3, 0x28, 0x0a])
    const { frames } = decode("line", 100, [bad, "héllo ✓\n"])
    expect(frames[0]![0]).toEqual(Uint8Array.from([0xff, 0xfe, 0x00, 0x41]))
    expect(frames[1]![0]).toEqual(Uint8Array.from([0xc3, 0x28]))
    expect(frames[2]).toEqual(["héllo ✓", 10, 0])
  })

  it("cuts a line over the limit to its head (Truncated) and skips the rest, within a chunk and across chunks", () => {
    expect(decode("line", 4, ["abcdefgh\nok\n"]).frames).toEqual([["abcd", 4, 1], ["ok", 2, 0]])
    const spread = decode("line", 4, ["ab", "cdef", "ghij", "kl\nok\n"]).frames
    expect(spread).toEqual([["abcd", 4, 1], ["ok", 2, 0]])
    // a line that ends exactly at the limit is whole
    expect(decode("line", 4, ["ab", "cd\n"]).frames).toEqual([["abcd", 4, 0]])
  })

  it("never cuts inside a UTF-8 character", () => {
    // "€" is 3 bytes: a limit of 5 leaves "a€" (4 bytes), not "a€" plus half of the next one
    const { frames } = decode("line", 5, ["a€€€\nz\n"])
    expect(frames[0]![0]).toBe("a€")
    expect(frames[0]![2]).toBe(Framing.Truncated)
    expect(texts(frames.slice(1))).toEqual(["z"])
    expect(decode("line", 5, ["a€", "€€\n"]).frames[0]![0]).toBe("a€")
  })
})

describe("FrameDecoder octet-counted", () => {
  it("reads MSG-LEN SP MSG frames, whose payload may hold LF", () => {
    const { error, frames } = decode("octet-counted", 100, ["5 hello10 two\nlines!3 end"])
    expect(error).toBeUndefined()
    expect(frames).toEqual([["hello", 5, 0], ["two\nlines!", 10, 0], ["end", 3, 0]])
  })

  it("gives the same frames however the bytes are cut", () => {
    const text = "5 hello14 héllo wörld\n2 ok"
    for (const [a, b] of splits(text)) {
      expect(texts(decode("octet-counted", 100, [a!, b!]).frames)).toEqual(["hello", "héllo wörld\n", "ok"])
    }
  })

  it("tolerates LF, CR and spaces between frames", () => {
    expect(texts(decode("octet-counted", 100, ["2 ab\n\r 2 cd\n"]).frames)).toEqual(["ab", "cd"])
  })

  it("emits the head of a frame longer than the limit and stays in step for the next one", () => {
    const { frames } = decode("octet-counted", 4, ["10 abcde", "fghij3 xyz"])
    expect(frames).toEqual([["abcd", 4, 1], ["xyz", 3, 0]])
  })

  it("emits what arrived of a frame cut by the end of the stream as Partial", () => {
    expect(decode("octet-counted", 100, ["5 hel"]).frames).toEqual([["hel", 3, 2]])
    expect(decode("octet-counted", 100, ["12"]).frames).toEqual([]) // only a header: no payload arrived
  })

  it("fails on bytes that are not an octet count, and accepts nothing after", () => {
    expect(decode("octet-counted", 100, ["2 ok<13>hello"]).error).toMatch(/expected an octet count.*0x3c/)
    expect(decode("octet-counted", 100, ["12x"]).error).toMatch(/not followed by a space/)
    const long = decode("octet-counted", 100, ["2 ok", "99999999999 x"])
    expect(long.error).toMatch(/longer than 10 digits/)
    expect(texts(long.frames)).toEqual(["ok"])
  })
})

describe("FrameDecoder auto (RFC 6587 detection per frame)", () => {
  it("mixes octet-counted and LF-delimited frames", () => {
    const text = "<13>plain line\n17 <14>counted\nframe<15>next line\n"
    const { error, frames } = decode("auto", 100, [text])
    expect(error).toBeUndefined()
    expect(texts(frames)).toEqual(["<13>plain line", "<14>counted\nframe", "<15>next line"])
    for (const [a, b] of splits(text)) expect(texts(decode("auto", 100, [a!, b!]).frames)).toEqual(texts(frames))
  })

  it("treats digits not followed by a space as the start of a line", () => {
    expect(texts(decode("auto", 100, ["123abc\n0 zero\n"]).frames)).toEqual(["123abc", "0 zero"])
    expect(texts(decode("auto", 100, ["12", "3abc\n"]).frames)).toEqual(["123abc"])
    expect(decode("auto", 100, ["42"]).frames).toEqual([["42", 2, 2]])
  })
})

describe("FrameDecoder and the caller's buffer", () => {
  /** Feeds `text` cut every `step` bytes, each piece copied into one buffer reused for every feed (as a socket read into one buffer is). */
  const reused = (framing: Framing.Framing, max: number, text: string, step: number) => {
    const decoder = new Framing.FrameDecoder(framing, max)
    const frames: Array<Frame> = []
    const emit: Framing.FrameEmit = (payload, bytes, flag) => frames.push([payload, bytes, flag])
    const bytes = Buffer.from(text, "utf8")
    const scratch = Buffer.alloc(step)
    for (let at = 0; at < bytes.length; at += step) {
      const n = bytes.copy(scratch, 0, at, at + step)
      expect(decoder.feed(scratch.subarray(0, n), emit)).toBeUndefined()
      scratch.fill(0x23) // what the next read would overwrite
    }
    decoder.end(emit)
    return texts(frames)
  }

  it("keeps no view of a chunk once feed returns: frames spanning chunks of a reused buffer come out whole", () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ${"é".repeat(i % 7)}${"x".repeat(i * 3)}`)
    const counted = lines.map((l) => `${Buffer.byteLength(l)} ${l}`).join("")
    const mixed = lines.map((l, i) => (i % 2 === 0 ? `${l}\n` : `${Buffer.byteLength(l)} ${l}`)).join("")
    for (const step of [1, 2, 3, 5, 7, 16, 61]) {
      expect(reused("line", 1000, `${lines.join("\n")}\n`, step)).toEqual(lines)
      expect(reused("octet-counted", 1000, counted, step)).toEqual(lines)
      expect(reused("auto", 1000, mixed, step)).toEqual(lines)
    }
  })

  it("cuts an over-long line held across reused chunks to its first max bytes", () => {
    expect(reused("line", 10, `${"abcdefghijklmnop"}\nnext\n`, 3)).toEqual(["abcdefghij", "next"])
    expect(reused("line", 100, "no end", 4)).toEqual(["no end"])
  })
})

describe("encode", () => {
  it("frames text and bytes as lines or octet-counted, and decodes back", () => {
    expect(Framing.encodeText(["a", "bc"], "line").toString()).toBe("a\nbc\n")
    expect(Framing.encodeText(["a", "héllo"], "octet-counted").toString()).toBe("1 a6 héllo")
    const bytes = Framing.encodeBytes([Uint8Array.from([0xff, 0x0a]), Uint8Array.from([1])], "octet-counted")
    expect(decode("octet-counted", 100, [bytes]).frames).toEqual([[Uint8Array.from([0xff, 0x0a]), 2, 0], ["\u0001", 1, 0]])
    expect(Framing.encodeBytes([Uint8Array.from([0x41])], "line")).toEqual(Buffer.from("A\n"))
  })
})
