/**
 * `ReadAhead`: reads a file's next chunk while the current one is being split. After a full read it
 * starts reading the chunk that follows into a spare buffer; the next `read` at that position takes
 * it from there (one copy) instead of waiting for the disk. A read anywhere else (after a seek, a
 * truncation, a reopen) reads directly and lets the stale chunk finish into its own buffer.
 *
 * @since 0.1.0
 */
import type * as fs from "node:fs/promises"

/** A chunk being read ahead: where, into which buffer, and its outcome (a byte count, or the error). */
interface Pending {
  readonly handle: fs.FileHandle
  readonly position: number
  readonly length: number
  readonly buffer: Buffer
  readonly result: Promise<number | Error>
}

/** Reads ahead of a framer, one chunk at a time. */
export class ReadAhead {
  private pending: Pending | undefined = undefined
  private spare: Buffer | undefined = undefined

  /**
   * Reads up to `length` bytes at `position` of `handle` into `target` at `offset`; the byte count.
   * When the chunk was full, starts reading the one after it.
   */
  async read(handle: fs.FileHandle, target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const ahead = this.pending
    this.pending = undefined
    let n: number
    if (ahead !== undefined && ahead.handle === handle && ahead.position === position && ahead.length === length) {
      const result = await ahead.result
      if (result instanceof Error) throw result
      n = result
      target.set(ahead.buffer.subarray(0, n), offset)
      this.spare = ahead.buffer
    } else {
      n = (await handle.read(target, offset, length, position)).bytesRead
    }
    if (n === length) this.start(handle, position + n, length)
    return n
  }

  /** Starts reading `length` bytes at `position` into the spare buffer (a new one when the last is still in use). */
  private start(handle: fs.FileHandle, position: number, length: number): void {
    const buffer = this.spare !== undefined && this.spare.length >= length ? this.spare : Buffer.allocUnsafe(length)
    this.spare = undefined
    const result = handle.read(buffer, 0, length, position).then(
      (r) => r.bytesRead,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e)))
    )
    this.pending = { handle, position, length, buffer, result }
  }
}
