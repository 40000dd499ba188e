/**
 * `TornTail`: the bytes after the last newline of a file the `file` sink appends to — part of a line,
 * left by a write cut short (the process killed mid-batch, or a failed write whose truncation failed
 * too). The sink never appends onto them: when it opens the file they are moved to `<file>.torn`
 * (appended there with a newline, and synced) and cut from the file, so the file holds whole lines
 * only and nothing is thrown away.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs/promises"
import { Effect } from "effect"
import type { SinkError } from "../../errors/sink.js"
import * as FsReason from "./fs-reason.js"

const NEWLINE = 0x0a
const CHUNK = 64 * 1024

/** Where the torn tail of `file` is kept: `<file>.torn`. */
export const keptIn = (file: string): string => `${file}.torn`

/** The offset just past the last newline among the first `size` bytes of `handle`, reading back from the end (0 if none). */
const endOfLastLine = async (handle: fs.FileHandle, size: number): Promise<number> => {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size))
  let end = size
  while (end > 0) {
    const start = Math.max(0, end - buffer.byteLength)
    const { bytesRead } = await handle.read(buffer, 0, end - start, start)
    const at = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE)
    if (at >= 0) return start + at + 1
    end = start
  }
  return 0
}

/** Appends bytes `from` .. `to` of `handle`, then a newline, to `target`, and syncs it. */
const copyOut = async (handle: fs.FileHandle, from: number, to: number, target: string): Promise<void> => {
  const out = await fs.open(target, "a", 0o666)
  try {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, to - from))
    for (let at = from; at < to;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.byteLength, to - at), at)
      if (bytesRead === 0) break
      await out.writeFile(buffer.subarray(0, bytesRead))
      at += bytesRead
    }
    await out.writeFile(Buffer.of(NEWLINE))
    await out.sync()
  } finally {
    await out.close()
  }
}

/**
 * Makes `file` (open as `handle`, readable and writable, `size` bytes) end with a whole line: when its
 * last byte is not a newline, the bytes after the last newline go to `<file>.torn` and are cut from the
 * file. Returns the file's size afterwards. One 1-byte read when the file ends well.
 */
export const repair = (handle: fs.FileHandle, file: string, size: number): Effect.Effect<number, SinkError> => {
  if (size === 0) return Effect.succeed(0)
  return Effect.gen(function*() {
    const cut = yield* Effect.tryPromise({
      try: async () => {
        const last = Buffer.allocUnsafe(1)
        const { bytesRead } = await handle.read(last, 0, 1, size - 1)
        return bytesRead === 1 && last[0] === NEWLINE ? size : endOfLastLine(handle, size)
      },
      catch: FsReason.sinkError("read the end of", file)
    })
    if (cut === size) return size
    const target = keptIn(file)
    yield* Effect.tryPromise({ try: () => copyOut(handle, cut, size, target), catch: FsReason.sinkError("keep a torn line in", target) })
    yield* Effect.tryPromise({ try: () => handle.truncate(cut), catch: FsReason.sinkError("cut a torn line from", file) })
    yield* Effect.logWarning(
      `file sink: ${file} ended with ${size - cut} bytes of a line cut short (at offset ${cut}); moved them to ${target}`
    )
    return cut
  })
}
