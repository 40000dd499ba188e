/**
 * `Fingerprint`: what a `file` source knows a file by — a checksum of its first line (up to and with
 * its `\n`), or of its first `bytes` bytes when the first line is longer, as Vector's `checksum`
 * strategy does. A device and inode say which file a path names now, not which content it holds: a
 * copy-truncate keeps the inode and starts new content, a deleted file's inode is soon reused; the
 * fingerprint follows the content. A file too short to have one yet (no `\n` and fewer than `bytes`
 * bytes) is not read until it does. A `.gz` file's fingerprint is that of its decompressed content, so a
 * rotated file compressed later is known as the file it was.
 *
 * @since 0.1.0
 */
import type * as fs from "node:fs/promises"
import { Effect } from "effect"
import type { SourceError } from "../../errors/source.js"
import * as FsReason from "./fs-reason.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

const NEWLINE = 0x0a

/** How many compressed bytes are inflated to find a `.gz` file's first line. */
const GZ_PROBE = 64 * 1024

/** The fingerprint of `head` (a file's first bytes), or `undefined` when it cannot have one yet. */
export const ofHead = (head: Uint8Array, bytes: number): string | undefined => {
  const nl = head.indexOf(NEWLINE)
  const end = nl >= 0 && nl < bytes ? nl + 1 : bytes
  if (head.byteLength < end) return undefined
  return NodeBuiltins.crypto().createHash("sha1").update(head.subarray(0, end)).digest("hex").slice(0, 24)
}

/** Reads the fingerprint of the file open as `handle` (`file` names it in errors); `gzip`: of its decompressed content. */
export const read = (
  handle: fs.FileHandle,
  file: string,
  bytes: number,
  gzip: boolean
): Effect.Effect<string | undefined, SourceError> =>
  Effect.tryPromise({
    try: async () => {
      const probe = Buffer.allocUnsafe(gzip ? GZ_PROBE : bytes)
      const { bytesRead } = await handle.read(probe, 0, probe.byteLength, 0)
      const head = gzip ? inflateHead(probe.subarray(0, bytesRead)) : probe.subarray(0, bytesRead)
      return ofHead(head, bytes)
    },
    catch: FsReason.sourceError("read the first bytes of", file)
  })

/**
 * What the start of `compressed` (the start of a gzip stream) inflates to; nothing when it is not gzip. A
 * stream damaged further on fails to inflate as a whole: shorter and shorter prefixes are tried, so that a
 * file whose first line is intact is still known (and read up to the damage).
 */
const inflateHead = (compressed: Uint8Array): Uint8Array => {
  for (let length = compressed.byteLength; length >= 32; length = length >> 1) {
    try {
      return NodeBuiltins.zlib().gunzipSync(compressed.subarray(0, length), { finishFlush: NodeBuiltins.zlib().constants.Z_SYNC_FLUSH })
    } catch {
      // damaged within these bytes: try fewer
    }
  }
  return new Uint8Array(0)
}
