/**
 * `Framer`: how a `file` source cuts the bytes it reads into events — lines (`LineSplitter`, for
 * `encode = "text"`) or raw chunks (`RawFramer`, for `encode = "raw"`). The source reads into
 * `buffer` at `readAt`, up to `readLength` bytes, then calls `feed` with the count it read.
 *
 * @since 0.1.0
 */
import type * as RawData from "../../model/raw.js"

/**
 * Receives one event: its payload, the span `[start, end)` of the file it accounts for (spans are
 * contiguous: `start` is the previous event's `end`), whether the payload was cut, and the payload's
 * size in bytes (UTF-8 for text: the bytes it was decoded from).
 */
export type Emit = (payload: RawData.RawData, start: number, end: number, truncated: boolean, bytes: number) => void

/** Cuts a file's bytes, read in order, into events. */
export interface Framer {
  /** Where the next read goes. */
  readonly buffer: Uint8Array
  /** The index in `buffer` to read at. */
  readonly readAt: number
  /** How many bytes to read at most. */
  readonly readLength: number
  /** The file offset of the next byte to read. */
  readonly position: number
  /** Restarts at file offset `offset`; with `midLine`, the bytes before the next line start are skipped. */
  reset(offset: number, midLine?: boolean): void
  /** Frames the `n` bytes just read, emitting every complete event. */
  feed(n: number, emit: Emit): void
  /** At the end of the file: emits what is held (a last line without `\n`). */
  flush(emit: Emit): void
}

/** Raw chunks: each read of up to `readBytes` bytes is one event (the payload is never a view of a reused buffer). */
export class RawFramer implements Framer {
  buffer: Uint8Array
  readonly readAt = 0
  readonly readLength: number
  position = 0

  constructor(readBytes: number) {
    this.readLength = readBytes
    this.buffer = new Uint8Array(readBytes)
  }

  reset(offset: number): void {
    this.position = offset
  }

  feed(n: number, emit: Emit): void {
    if (n === 0) return
    const start = this.position
    this.position += n
    if (n === this.readLength) {
      emit(this.buffer, start, this.position, false, n)
      this.buffer = new Uint8Array(this.readLength)
    } else {
      emit(this.buffer.slice(0, n), start, this.position, false, n)
    }
  }

  flush(): void {}
}
