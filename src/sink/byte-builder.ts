/**
 * `ByteBuilder`: a growing buffer that a sink's encoder writes UTF-8 into, piece by piece, instead of
 * building a string. A string made of pieces is a tree that V8 must flatten before it becomes bytes (about
 * 0.5 µs for a syslog message of 15 pieces); written here, each piece is copied once, short ASCII pieces
 * without a call into C++. What is built is taken as one `Buffer` (`take`), which lives outside the
 * JavaScript heap: a queue of them costs the young-generation collector nothing.
 *
 * @since 0.3.0
 */

/** The least room a builder has. */
const minCapacity = 256

/**
 * Pieces at most this long are copied by a JavaScript loop: a native write costs more than it copies,
 * and V8 keeps texts this short as flat copies (a longer one may be a slice or a join of others, which
 * the loop reads slowly: a parser's fields usually are slices of its line).
 */
const shortText = 12

/** A `Buffer` with the native write behind `buf.write(text, offset, "utf8")`, which skips its argument checks. */
interface NativeWrite {
  readonly utf8Write: (text: string, offset: number) => number
}

/** `true` when this Node's buffers have `utf8Write` (Node 20 does; `buf.write` otherwise). */
const hasUtf8Write = typeof (Buffer.prototype as Partial<NativeWrite>).utf8Write === "function"

/** Writes `text` as UTF-8 into `buf` from `offset`; the number of bytes written. */
const utf8Write: (buf: Buffer, text: string, offset: number) => number = hasUtf8Write
  ? (buf, text, offset) => (buf as Buffer & NativeWrite).utf8Write(text, offset)
  : (buf, text, offset) => buf.write(text, offset, "utf8")

/**
 * Writes `text` as UTF-8 into `buf` from `offset` (a lone surrogate becomes U+FFFD, as `Buffer.from`
 * writes it); the offset after it. `buf` must have room for `3 * text.length` bytes from `offset`.
 */
export const putText = (buf: Buffer, offset: number, text: string): number => {
  const n = text.length
  if (n > shortText) return offset + utf8Write(buf, text, offset)
  let off = offset
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k)
    if (c >= 0x80) return off + utf8Write(buf, k === 0 ? text : text.slice(k), off)
    buf[off++] = c
  }
  return off
}

/**
 * Writes `text`, known to be ASCII (a time an encoder checked or made), into `buf` from `offset` by a
 * JavaScript loop whatever its length (one native call costs as much as 30 characters copied); the offset
 * after it.
 */
export const putAscii = (buf: Buffer, offset: number, text: string): number => {
  let off = offset
  for (let k = 0; k < text.length; k++) buf[off++] = text.charCodeAt(k)
  return off
}

/** Writes the decimal digits of `n` (a non-negative integer) into `buf` from `offset`; the offset after them. */
export const putDigits = (buf: Buffer, offset: number, n: number): number => {
  if (n >= 1000) return offset + utf8Write(buf, String(n), offset)
  let off = offset
  if (n >= 100) buf[off++] = 0x30 + ((n / 100) | 0)
  if (n >= 10) buf[off++] = 0x30 + (((n / 10) | 0) % 10)
  buf[off++] = 0x30 + (n % 10)
  return off
}

/** Writes the decimal digits of `n` (a non-negative safe integer, such as a time in milliseconds) into `buf` from `offset`, without a string; the offset after them. */
export const putInteger = (buf: Buffer, offset: number, n: number): number => {
  if (n < 1000) return putDigits(buf, offset, n)
  let digits = 1
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++
  let rest = n
  for (let k = offset + digits - 1; k >= offset; k--) {
    buf[k] = 0x30 + (rest % 10)
    rest = Math.floor(rest / 10)
  }
  return offset + digits
}

/**
 * A growing byte buffer; `length` bytes of `buf` are written. An encoder on a hot path may make room once
 * (`ensure`), write with `putText` / `putDigits` at a local offset into `buf`, and set `length` after.
 */
export class ByteBuilder {
  /** The bytes; only the first `length` are written. */
  buf: Buffer
  /** How many bytes are written. */
  length = 0

  constructor(capacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(minCapacity, capacity))
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buf.copy(grown, 0, 0, this.length)
    this.buf = grown
  }

  /** Appends one byte. */
  byte(b: number): void {
    if (this.length === this.buf.length) this.ensure(1)
    this.buf[this.length++] = b
  }

  /** Appends `bytes` (a few: copied by a loop, not a native call). */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length
    this.ensure(n)
    const buf = this.buf
    let off = this.length
    for (let k = 0; k < n; k++) buf[off++] = bytes[k]!
    this.length = off
  }

  /** Appends `text` as UTF-8 (a lone surrogate becomes U+FFFD, as `Buffer.from` writes it). */
  text(text: string): void {
    this.ensure(text.length * 3)
    this.length = putText(this.buf, this.length, text)
  }

  /** Inserts `text` (ASCII) at byte `at`, moving what was written from there on after it. */
  insertAscii(at: number, text: string): void {
    const n = text.length
    this.ensure(n)
    this.buf.copy(this.buf, at + n, at, this.length)
    for (let k = 0; k < n; k++) this.buf[at + k] = text.charCodeAt(k)
    this.length += n
  }

  /** Forgets what was written from byte `at` on. */
  truncate(at: number): void {
    this.length = at
  }

  /** The text of bytes `from` to `to` (UTF-8). */
  textOf(from: number, to: number = this.length): string {
    return this.buf.toString("utf8", from, to)
  }

  /**
   * What was written, as a `Buffer` of its own; the builder is then empty. A buffer at least half written
   * is handed over as it is (the builder takes a new one, a quarter larger than what was written: the next
   * batch is likely as large, and then fills it); else what was written is copied out.
   */
  take(): Buffer {
    const n = this.length
    this.length = 0
    if (n * 2 >= this.buf.length) {
      const out = this.buf.subarray(0, n)
      this.buf = Buffer.allocUnsafeSlow(Math.max(minCapacity, n + (n >> 2)))
      return out
    }
    const out = Buffer.allocUnsafeSlow(n)
    this.buf.copy(out, 0, 0, n)
    return out
  }
}

/** A builder with room for `capacity` bytes to start with (it grows). */
export const make = (capacity?: number): ByteBuilder => new ByteBuilder(capacity)
