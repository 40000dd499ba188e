/**
 * Framing of a byte stream into messages: `line` (LF-delimited), `octet-counted` (RFC 6587 §3.4.1,
 * `MSG-LEN SP MSG`) and `auto` (RFC 6587's per-frame detection: a frame starting with `digits SP` is
 * octet-counted, anything else runs to the next LF). `FrameDecoder` cuts one connection's chunks into
 * frames, holding at most one partial frame of `maxFrameBytes`; `encodeText` / `encodeBytes` frame
 * payloads for sending.
 *
 * @since 0.1.0
 */
import { isAscii, isUtf8 } from "node:buffer"
import type * as RawData from "../../model/raw.js"

/** How a byte stream is cut into messages. */
export type Framing = "line" | "octet-counted" | "auto"

/** How a frame ended: `Complete`, `Truncated` (longer than `maxFrameBytes`: its head) or `Partial` (the peer left mid-frame). */
export type FrameFlag = 0 | 1 | 2

/** A whole frame. */
export const Complete: FrameFlag = 0
/** The first `maxFrameBytes` of a longer frame; the rest of it is discarded. */
export const Truncated: FrameFlag = 1
/** What arrived of a frame before the connection ended. */
export const Partial: FrameFlag = 2

/** Receives one frame: its payload (text when valid UTF-8, else bytes), its size in bytes, and how it ended. */
export type FrameEmit = (payload: RawData.RawData, bytes: number, flag: FrameFlag) => void

const LF = 0x0a
const CR = 0x0d
const SP = 0x20
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
/** Longest `MSG-LEN` accepted (10 digits: up to 9,999,999,999 octets). */
const MAX_LEN_DIGITS = 10

/** Decoder states. */
const START = 0
const LINE = 1
const DISCARD_LINE = 2
const HEADER = 3
const BODY = 4

/**
 * Cuts the chunks of one connection into frames. It holds at most one partial frame, never more than
 * `maxFrameBytes` of it: a longer frame is emitted as its first `maxFrameBytes` (cut back to a UTF-8
 * character boundary) flagged `Truncated` as soon as that much arrived, and the rest of it is skipped.
 * In `line` and `auto` mode an empty line (after removing a `\r` before the `\n`) is no frame.
 */
export class FrameDecoder {
  private state = START
  /** The frame so far, when it spans chunks (line text, header digits in `auto` mode, or body bytes). */
  private pieces: Array<Buffer> = []
  /** Bytes held in `pieces`. */
  private held = 0
  /** Octet-counted: the announced length being parsed, then the frame's length. */
  private length = 0
  private digits = 0
  /** Octet-counted: body bytes still to come. */
  private remaining = 0

  constructor(readonly framing: Framing, readonly maxFrameBytes: number) {}

  /**
   * Frames `chunk`, emitting every frame it completes. Returns an error description when an
   * `octet-counted` stream is not framed as announced (the connection should be closed); the
   * decoder then accepts nothing more. The decoder keeps no view of `chunk` once this returns (the part
   * of a frame it holds is copied), so the caller may read the next chunk into the same buffer.
   */
  feed(chunk: Buffer, emit: FrameEmit): string | undefined {
    const error = this.scan(chunk, emit)
    this.detach(chunk)
    return error
  }

  /** Copies the held pieces that are views of `chunk` (at most the tail of a frame: one per chunk). */
  private detach(chunk: Buffer): void {
    const pieces = this.pieces
    for (let k = 0; k < pieces.length; k++) if (pieces[k]!.buffer === chunk.buffer) pieces[k] = Buffer.from(pieces[k]!)
  }

  private scan(chunk: Buffer, emit: FrameEmit): string | undefined {
    const n = chunk.length
    const ascii = isAscii(chunk)
    let i = 0
    while (i < n) {
      switch (this.state) {
        case START: {
          const b = chunk[i]!
          if (this.framing === "line") this.state = LINE
          else if (b >= DIGIT_0 + 1 && b <= DIGIT_9) this.startHeader()
          else if (this.framing === "auto") this.state = LINE
          else if (b === LF || b === CR || b === SP) i++ // tolerated between octet-counted frames
          else return this.fail(`expected an octet count (MSG-LEN SP MSG), got byte 0x${b.toString(16).padStart(2, "0")}`)
          break
        }
        case LINE:
          i = this.line(chunk, i, ascii, emit)
          break
        case DISCARD_LINE: {
          const nl = chunk.indexOf(LF, i)
          if (nl === -1) return undefined
          i = nl + 1
          this.state = START
          break
        }
        case HEADER: {
          const start = i
          while (i < n) {
            const b = chunk[i]!
            if (b < DIGIT_0 || b > DIGIT_9) break
            this.length = this.length * 10 + (b - DIGIT_0)
            this.digits++
            i++
          }
          if (i === n && this.digits <= MAX_LEN_DIGITS) {
            if (this.framing === "auto") this.hold(chunk.subarray(start, n)) // may still turn out to be a line
            return undefined
          }
          if (chunk[i] === SP && this.digits <= MAX_LEN_DIGITS) {
            i++
            this.pieces = []
            this.held = 0
            this.remaining = this.length
            this.state = BODY
          } else if (this.framing === "auto") {
            // not `digits SP`: the digits begin an LF-delimited line
            this.hold(chunk.subarray(start, i))
            this.state = LINE
          } else {
            return this.fail(
              this.digits > MAX_LEN_DIGITS
                ? `octet count longer than ${MAX_LEN_DIGITS} digits`
                : `octet count not followed by a space (byte 0x${chunk[i]!.toString(16).padStart(2, "0")})`
            )
          }
          break
        }
        case BODY:
          i = this.body(chunk, i, emit)
          break
        default:
          return "decoder failed earlier"
      }
    }
    return undefined
  }

  /** The connection ended: emits the frame in progress, if part of its payload arrived, as `Partial`. */
  end(emit: FrameEmit): void {
    const state = this.state
    const pieces = this.pieces
    const held = this.held
    const truncatedBody = state === BODY && this.length > this.maxFrameBytes && held === this.maxFrameBytes
    this.reset()
    if (held === 0 || truncatedBody) return // nothing held, or the head of this frame was emitted already
    if (state === LINE || state === BODY || (state === HEADER && this.framing === "auto")) {
      const frame = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, held)
      let end = frame.length
      if (state !== BODY && frame[end - 1] === CR) end--
      if (end > 0) emit(decodePayload(frame, 0, end), end, Partial)
    }
  }

  private reset(): void {
    this.state = START
    this.pieces = []
    this.held = 0
    this.length = 0
    this.digits = 0
    this.remaining = 0
  }

  private fail(detail: string): string {
    this.reset()
    this.state = -1
    return detail
  }

  private startHeader(): void {
    this.state = HEADER
    this.length = 0
    this.digits = 0
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return
    this.pieces.push(piece)
    this.held += piece.length
  }

  /**
   * Scans LF-delimited lines from `i` (the first may continue the held pieces); returns where it stopped.
   * With `line` framing it runs through every complete line of the chunk; with `auto` it stops after one,
   * since the next frame may be octet-counted.
   */
  private line(chunk: Buffer, i: number, ascii: boolean, emit: FrameEmit): number {
    const max = this.maxFrameBytes
    const n = chunk.length
    let nl = chunk.indexOf(LF, i)
    if (nl === -1) {
      if (this.held + n - i > max) {
        const head = this.held === 0 ? chunk.subarray(i, i + max) : Buffer.concat([...this.pieces, chunk.subarray(i, i + max - this.held)], max)
        this.pieces = []
        this.held = 0
        this.state = DISCARD_LINE
        emit(decodePayload(head, 0, boundary(head, 0, max)), max, Truncated)
      } else {
        this.hold(chunk.subarray(i, n))
      }
      return n
    }
    this.state = START
    if (this.held > 0) {
      const size = this.held + (nl - i)
      this.pieces.push(chunk.subarray(i, nl))
      const frame = Buffer.concat(this.pieces, Math.min(size, max))
      this.pieces = []
      this.held = 0
      if (size > max) emit(decodePayload(frame, 0, boundary(frame, 0, max)), max, Truncated)
      else {
        const end = frame[size - 1] === CR ? size - 1 : size
        if (end > 0) emit(decodePayload(frame, 0, end), end, Complete)
      }
      i = nl + 1
      if (this.framing !== "line") return i
      nl = chunk.indexOf(LF, i)
    }
    while (nl !== -1) {
      let end = nl
      if (end > i && chunk[end - 1] === CR) end--
      const size = end - i
      if (size > max) emit(decodePayload(chunk, i, boundary(chunk, i, i + max), ascii), max, Truncated)
      else if (size > 0) emit(decodePayload(chunk, i, end, ascii), size, Complete)
      i = nl + 1
      if (this.framing !== "line") return i
      nl = chunk.indexOf(LF, i)
    }
    return i
  }

  /** Takes octet-counted body bytes from `i`; returns where it stopped. */
  private body(chunk: Buffer, i: number, emit: FrameEmit): number {
    const max = this.maxFrameBytes
    const take = Math.min(this.remaining, chunk.length - i)
    const room = Math.max(0, Math.min(take, max - this.held))
    if (room > 0) this.hold(chunk.subarray(i, i + room))
    this.remaining -= take
    const length = this.length
    if (length > max && room > 0 && this.held === max) {
      // the head of an over-long frame is complete: emit it now, skip the rest
      const head = this.concat()
      emit(decodePayload(head, 0, boundary(head, 0, max)), max, Truncated)
    } else if (this.remaining === 0 && length <= max) {
      emit(decodePayload(this.concat(), 0, length), length, Complete)
    }
    if (this.remaining === 0) {
      this.pieces = []
      this.held = 0
      this.state = START
    }
    return i + take
  }

  private concat(): Buffer {
    return this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.held)
  }
}

/**
 * `data[start, end)` as text when it is UTF-8 (`ascii` tells when already known), else a copy of its
 * bytes: a payload never is a view that pins a socket's chunk.
 */
export const decodePayload = (data: Buffer, start: number, end: number, ascii?: boolean): RawData.RawData => {
  if (ascii === true) return data.toString("latin1", start, end)
  const bytes = data.subarray(start, end)
  if (ascii === undefined && isAscii(bytes)) return data.toString("latin1", start, end)
  return isUtf8(bytes) ? data.toString("utf8", start, end) : new Uint8Array(bytes)
}

/** `end`, backed off so that `data[start, end)` does not end inside a UTF-8 character. */
const boundary = (data: Buffer, start: number, end: number): number => {
  let k = end - 1
  while (k >= start && end - k <= 3 && (data[k]! & 0xc0) === 0x80) k--
  if (k < start) return end
  const lead = data[k]!
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return end - k < need ? k : end
}

/** Text payloads framed for sending: `line` appends `\n` to each, `octet-counted` prefixes `MSG-LEN SP`. */
export const encodeText = (payloads: ReadonlyArray<string>, framing: "line" | "octet-counted"): Buffer => {
  if (framing === "line") return Buffer.from(payloads.length === 1 ? `${payloads[0]!}\n` : `${payloads.join("\n")}\n`, "utf8")
  let text = ""
  for (const p of payloads) text += `${Buffer.byteLength(p, "utf8")} ${p}`
  return Buffer.from(text, "utf8")
}

const newline = Buffer.from([LF])

/**
 * How many frames `bytes` holds, as a receiver cuts them: its LFs (`line`), or its `MSG-LEN SP MSG`
 * frames (`octet-counted`; a frame cut short at the end counts too).
 */
export const countFrames = (bytes: Uint8Array, framing: "line" | "octet-counted"): number => {
  let n = 0
  if (framing === "line") {
    for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) n++
    return n
  }
  let i = 0
  while (i < bytes.length) {
    let len = 0
    while (i < bytes.length && bytes[i]! >= DIGIT_0 && bytes[i]! <= DIGIT_9) len = len * 10 + bytes[i++]! - DIGIT_0
    i += 1 + len
    n++
  }
  return n
}

/** Bytes payloads framed for sending, as `encodeText` does. */
export const encodeBytes = (payloads: ReadonlyArray<Uint8Array>, framing: "line" | "octet-counted"): Buffer => {
  const parts: Array<Uint8Array> = []
  let total = 0
  for (const p of payloads) {
    if (framing === "line") {
      parts.push(p, newline)
      total += p.length + 1
    } else {
      const header = Buffer.from(`${p.length} `, "latin1")
      parts.push(header, p)
      total += header.length + p.length
    }
  }
  return Buffer.concat(parts, total)
}
