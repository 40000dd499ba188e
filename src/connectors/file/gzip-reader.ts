/**
 * `GzipReader`: reads the decompressed bytes of a `.gz` file (a rotated log compressed) in order, as a
 * `FileHandle` reads a plain file: `read(target, offset, length, position)` with positions in the
 * decompressed stream. Reading forward skips; reading back (a seek) starts the stream again. A corrupt
 * stream rejects the read.
 *
 * @since 0.1.0
 */
import * as fsSync from "node:fs"
import type * as zlib from "node:zlib"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** A sequential reader of one `.gz` file's content. */
export class GzipReader {
  private iterator: AsyncIterator<Buffer> | undefined = undefined
  private stream: zlib.Gunzip | undefined = undefined
  /** Decompressed bytes not handed out yet, and the offset of their first byte. */
  private held: Buffer = Buffer.alloc(0)
  private at = 0
  private done = false

  constructor(readonly file: string) {}

  /** Reads up to `length` decompressed bytes at `position` into `target` at `offset`; 0 at the end. */
  async read(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    if (this.iterator === undefined || position < this.at) this.restart()
    while (true) {
      const within = position - this.at
      if (within < this.held.byteLength) {
        const n = Math.min(length, this.held.byteLength - within)
        target.set(this.held.subarray(within, within + n), offset)
        this.held = this.held.subarray(within + n)
        this.at = position + n
        return n
      }
      this.at += this.held.byteLength
      this.held = Buffer.alloc(0)
      if (this.done) return 0
      const next = await this.iterator!.next()
      if (next.done === true) {
        this.done = true
        return 0
      }
      this.held = next.value
    }
  }

  /** Stops reading and releases the file. */
  close(): void {
    this.stream?.destroy()
    this.stream = undefined
    this.iterator = undefined
  }

  private restart(): void {
    this.close()
    const gunzip = NodeBuiltins.zlib().createGunzip()
    const input = fsSync.createReadStream(this.file)
    input.on("error", (error) => gunzip.destroy(error))
    gunzip.on("close", () => input.destroy())
    this.stream = input.pipe(gunzip)
    this.iterator = this.stream[Symbol.asyncIterator]()
    this.held = Buffer.alloc(0)
    this.at = 0
    this.done = false
  }
}
