/**
 * `LineSplitter`: turns the bytes of a file, read chunk by chunk, into lines with their byte spans.
 * It owns the read buffer (a partial line is kept at its front, so a line never needs joining), scans
 * for `\n` natively, decodes a line as text only when it is valid UTF-8 (bytes otherwise; a file in GBK,
 * GB18030 or Latin-1 passes its own decoder for lines that are not ASCII, see `Decoder`), and cuts a
 * line longer than `maxLineBytes` to its first `maxLineBytes` (at a character boundary), skipping the
 * rest without buffering it.
 *
 * @since 0.1.0
 */
import { isAscii, isUtf8 } from "node:buffer"
import type * as RawData from "../../model/raw.js"
import type { Emit, Framer } from "./framer.js"

const NEWLINE = 0x0a
const NORMAL = 0
const OVERFLOW = 1
const DISCARD = 2

/** Splits a file's bytes into lines; read into `buffer` at `readAt` (up to `readLength` bytes), then `feed`. */
export class LineSplitter implements Framer {
  /** The read buffer: a partial line at its front, then room for one read. */
  readonly buffer: Buffer
  /** How many bytes to read at most per chunk. */
  readonly readLength: number
  private readonly maxLineBytes: number
  /** File offset of `buffer[0]`. */
  private base = 0
  /** Bytes of a partial line at the front of `buffer`. */
  private carry = 0
  /** File offset where the last line ended (the start of the next span). */
  private lastEnd = 0
  private mode = NORMAL
  /** The head of a line longer than `maxLineBytes`, while the rest of it is skipped. */
  private head: RawData.RawData = ""
  /** The bytes of `head`. */
  private headBytes = 0

  /**
   * `decodeOther` decodes a line that is not ASCII when the file is in another encoding than UTF-8 (one
   * whose `\n` is the byte 0x0a and never part of another character: GBK, GB18030, Latin-1).
   */
  constructor(readBytes: number, maxLineBytes: number, private readonly decodeOther?: LineDecoder) {
    this.readLength = readBytes
    this.maxLineBytes = maxLineBytes
    this.buffer = Buffer.allocUnsafe(readBytes + maxLineBytes)
  }

  /** The line `data[start, end)` as text (bytes when it is not valid in the file's encoding). */
  private decode(data: Buffer, start: number, end: number, ascii: boolean): RawData.RawData {
    return this.decodeOther === undefined || ascii ? decode(data, start, end, ascii) : this.decodeOther(data, start, end)
  }

  /** Where the next chunk goes in `buffer`. */
  get readAt(): number {
    return this.carry
  }

  /** File offset of the next byte to read. */
  get position(): number {
    return this.base + this.carry
  }

  /**
   * Restarts at file offset `offset`, forgetting a partial line it holds. With `midLine`, the bytes up to the next
   * `\n` belong to a line that started before `offset`: they are skipped, and the next line starts after them.
   */
  reset(offset: number, midLine = false): void {
    this.base = offset
    this.lastEnd = offset
    this.carry = 0
    this.head = ""
    this.headBytes = 0
    this.mode = midLine ? DISCARD : NORMAL
  }

  /** Splits the `n` bytes just read at `readAt`, emitting every complete line. */
  feed(n: number, emit: Emit): void {
    const end = this.carry + n
    const data = this.buffer.subarray(0, end)
    const ascii = isAscii(data)
    const max = this.maxLineBytes
    let lineStart = 0
    let nl = data.indexOf(NEWLINE, this.carry)
    while (nl >= 0) {
      const lineEnd = this.base + nl + 1
      if (this.mode === NORMAL) {
        if (nl - lineStart > max) {
          const end = cutEnd(data, lineStart, max, ascii)
          emit(this.decode(data, lineStart, end, ascii), this.lastEnd, lineEnd, true, end - lineStart)
        } else {
          emit(this.decode(data, lineStart, nl, ascii), this.lastEnd, lineEnd, false, nl - lineStart)
        }
        this.lastEnd = lineEnd
      } else {
        if (this.mode === OVERFLOW) {
          emit(this.head, this.lastEnd, lineEnd, true, this.headBytes)
          this.head = ""
          this.headBytes = 0
          this.lastEnd = lineEnd
        }
        this.mode = NORMAL
      }
      lineStart = nl + 1
      nl = data.indexOf(NEWLINE, lineStart)
    }
    const tail = end - lineStart
    if (this.mode !== NORMAL || tail > max) {
      if (this.mode === NORMAL) {
        const headEnd = cutEnd(data, lineStart, max, ascii)
        this.head = this.decode(data, lineStart, headEnd, ascii)
        this.headBytes = headEnd - lineStart
        this.mode = OVERFLOW
      }
      this.base += end
      this.carry = 0
    } else {
      if (lineStart > 0 && tail > 0) this.buffer.copy(this.buffer, 0, lineStart, end)
      this.base += lineStart
      this.carry = tail
    }
  }

  /** At the end of the file: emits the last line if it has no `\n` (its span ends at the end of the file). */
  flush(emit: Emit): void {
    if (this.mode === OVERFLOW) {
      emit(this.head, this.lastEnd, this.base, true, this.headBytes)
      this.lastEnd = this.base
    } else if (this.mode === NORMAL && this.carry > 0) {
      const data = this.buffer.subarray(0, this.carry)
      emit(this.decode(data, 0, this.carry, isAscii(data)), this.lastEnd, this.base + this.carry, false, this.carry)
      this.base += this.carry
      this.lastEnd = this.base
    }
    this.carry = 0
    this.head = ""
    this.headBytes = 0
    this.mode = NORMAL
  }
}

/** Decodes the line `data[start, end)` of a file in another encoding than UTF-8: text, or a copy of its bytes. */
export type LineDecoder = (data: Buffer, start: number, end: number) => RawData.RawData

/** The line `data[start, end)`: a string when it is UTF-8, else a copy of its bytes (never a view of the read buffer). */
const decode = (data: Buffer, start: number, end: number, ascii: boolean): RawData.RawData => {
  if (ascii) return data.toString("latin1", start, end)
  const bytes = data.subarray(start, end)
  return isUtf8(bytes) ? data.toString("utf8", start, end) : new Uint8Array(bytes)
}

/** Where the first `max` bytes of the line at `start` end, backed off to a UTF-8 character boundary. */
const cutEnd = (data: Buffer, start: number, max: number, ascii: boolean): number => {
  let end = start + max
  if (!ascii) {
    const floor = Math.max(start, end - 3)
    while (end > floor && (data[end]! & 0xc0) === 0x80) end--
  }
  return end
}
