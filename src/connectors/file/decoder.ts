/**
 * `Decoder`: how a `file` source turns the bytes of a file in a given `encoding` into lines of text.
 * UTF-8 is the `LineSplitter` as it is; GBK, GB18030 and Latin-1 keep its split on the byte 0x0a (never
 * part of another character in them) and decode each line that is not ASCII with their decoder; UTF-16
 * (LE or BE) needs its own splitter (`Utf16Splitter`), since its `\n` is two bytes, 0x0a one of them.
 * A line that is not valid in its encoding stays bytes, as in UTF-8.
 *
 * @since 0.1.0
 */
import type * as RawData from "../../model/raw.js"
import type { Emit, Framer } from "./framer.js"
import { type LineDecoder, LineSplitter } from "./line-splitter.js"

/** The encodings a `file` source reads. */
export type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "gbk" | "gb18030" | "latin1"

/**
 * A strict decoder of `label` as a `LineDecoder` (bytes, copied, when the line is not valid). Node's GBK
 * and GB18030 decoders drop the byte 0xff without an error even when fatal; it is never part of a
 * character in either, so a line holding one is not valid (`refuse`).
 */
const strict = (label: string, refuse?: number): LineDecoder => {
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true })
  return (data, start, end) => {
    const bytes = data.subarray(start, end)
    if (refuse !== undefined && bytes.includes(refuse)) return new Uint8Array(bytes)
    try {
      return decoder.decode(bytes)
    } catch {
      return new Uint8Array(bytes)
    }
  }
}

/** ISO-8859-1: every byte is its own character (the WHATWG `latin1` label is windows-1252, which is not). */
const latin1: LineDecoder = (data, start, end) => data.toString("latin1", start, end)

/** The framer that reads lines of `encoding`, `readBytes` per read, cutting lines over `maxLineBytes`. */
export const framer = (encoding: Encoding, readBytes: number, maxLineBytes: number): Framer => {
  switch (encoding) {
    case "utf-8":
      return new LineSplitter(readBytes, maxLineBytes)
    case "latin1":
      return new LineSplitter(readBytes, maxLineBytes, latin1)
    case "gbk":
    case "gb18030":
      return new LineSplitter(readBytes, maxLineBytes, strict(encoding, 0xff))
    case "utf-16le":
    case "utf-16be":
      return new Utf16Splitter(readBytes, maxLineBytes, encoding === "utf-16le")
  }
}

/**
 * Splits UTF-16 bytes into lines at the code unit U+000A (at an even offset of the file); a byte-order
 * mark at the start of the file is dropped. A line over `maxLineBytes` is cut (at a code unit) and tagged
 * truncated, the rest of it skipped.
 */
export class Utf16Splitter implements Framer {
  /** The read buffer: a partial line at its front, then room for one read. */
  readonly buffer: Buffer
  /** How many bytes to read at most per chunk. */
  readonly readLength: number
  private readonly decoder: LineDecoder
  private readonly maxLineBytes: number
  /** The byte of a `\n` unit that is 0x0a: the first in LE, the second in BE. */
  private readonly nlAt: number
  /** File offset of `buffer[0]` (a line start). */
  private base = 0
  /** Bytes held at the front of `buffer`. */
  private carry = 0
  /** Skipping the rest of a line that was cut (or one sought into). */
  private skipping = false
  /** The head of the line being skipped, emitted when its `\n` comes (none after a seek into a line). */
  private head: RawData.RawData | undefined = undefined

  constructor(readBytes: number, maxLineBytes: number, private readonly littleEndian: boolean) {
    this.readLength = readBytes
    this.maxLineBytes = maxLineBytes + (maxLineBytes % 2)
    this.buffer = Buffer.allocUnsafe(readBytes + this.maxLineBytes + 2)
    this.decoder = strict(littleEndian ? "utf-16le" : "utf-16be")
    this.nlAt = littleEndian ? 0 : 1
  }

  /** Where the next chunk goes in `buffer`. */
  get readAt(): number {
    return this.carry
  }

  /** File offset of the next byte to read. */
  get position(): number {
    return this.base + this.carry
  }

  reset(offset: number, midLine = false): void {
    this.base = offset
    this.carry = 0
    this.skipping = midLine
    this.head = undefined
  }

  feed(n: number, emit: Emit): void {
    const end = this.carry + n
    const data = this.buffer
    let lineStart = 0
    // the scan goes by code unit: `at` is the offset of a unit within `data` (the file offset's parity is `base`'s)
    let at = this.base % 2 === 0 ? 0 : 1
    while (at + 1 < end) {
      if (data[at + this.nlAt] === 0x0a && data[at + 1 - this.nlAt] === 0x00) {
        this.line(data, lineStart, at, at + 2, emit)
        lineStart = at + 2
      }
      at += 2
    }
    const tail = end - lineStart
    if (tail > this.maxLineBytes) {
      // a line longer than the bound: its head now, the rest skipped up to its `\n`
      if (!this.skipping) this.head = this.text(data, lineStart, lineStart + this.maxLineBytes)
      this.skipping = true
      const keep = tail % 2
      data.copy(data, 0, end - keep, end)
      this.base += end - keep
      this.carry = keep
      return
    }
    if (lineStart > 0 && tail > 0) data.copy(data, 0, lineStart, end)
    this.base += lineStart
    this.carry = tail
  }

  flush(emit: Emit): void {
    if (this.carry > 0 || this.head !== undefined) this.line(this.buffer, 0, this.carry, this.carry, emit)
    this.base += this.carry
    this.carry = 0
    this.skipping = false
    this.head = undefined
  }

  /** Emits the line `data[start, stop)` whose span ends at `next` (after its `\n`), unless it is the rest of a cut one. */
  private line(data: Buffer, start: number, stop: number, next: number, emit: Emit): void {
    if (this.skipping) {
      // the end of a cut line: its head is the event, its span the whole line
      const head = this.head
      this.skipping = false
      this.head = undefined
      if (head !== undefined) emit(head, this.base + start, this.base + next, true, this.maxLineBytes)
      return
    }
    emit(this.text(data, start, stop), this.base + start, this.base + next, false, stop - start)
  }

  /** Decodes `data[start, stop)`, dropping a byte-order mark at the start of the file. */
  private text(data: Buffer, start: number, stop: number): RawData.RawData {
    const bom = this.base + start === 0 && stop - start >= 2 &&
      (this.littleEndian ? data[start] === 0xff && data[start + 1] === 0xfe : data[start] === 0xfe && data[start + 1] === 0xff)
    return this.decoder(data, bom ? start + 2 : start, stop)
  }
}
