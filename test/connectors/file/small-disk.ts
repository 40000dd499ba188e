/**
 * A real small disk for the tests of a full disk: a tmpfs of a few hundred KiB mounted on a fresh
 * temporary directory (the tests run as root), filled with a filler file to make writes fail with
 * ENOSPC, and "cleared" by deleting the filler. Unmounted and removed when its Scope closes.
 */
import { execFileSync } from "node:child_process"
import * as fsSync from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import * as FsReason from "../../../src/connectors/file/fs-reason.js"

/** A mounted tmpfs and the filler that takes its space. */
export interface SmallDisk {
  /** The mount point: files created under it are on the small disk. */
  readonly dir: string
  /** Fills the disk with a filler file until only `freeBytes` (rounded down to pages) are left. */
  readonly fill: (freeBytes?: number) => Effect.Effect<void>
  /** Deletes the filler: the space comes back. */
  readonly clear: Effect.Effect<void>
  /** The bytes free on the disk now. */
  readonly free: Effect.Effect<number>
}

const errorText = (cause: unknown): string => {
  const stderr = typeof cause === "object" && cause !== null && "stderr" in cause ? String(cause.stderr).trim() : ""
  return stderr !== "" ? stderr : cause instanceof Error ? cause.message : String(cause)
}

/** Mounts a tmpfs of `sizeBytes` on a new temp dir; the test dies with a clear message if it cannot. */
const mount = (sizeBytes: number): Effect.Effect<string> =>
  Effect.sync(() => {
    const dir = fsSync.mkdtempSync(path.join(os.tmpdir(), "wp-small-disk-"))
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes}`, "tmpfs", dir], { stdio: ["ignore", "ignore", "pipe"] })
    } catch (cause) {
      fsSync.rmdirSync(dir)
      throw new Error(
        `small-disk: cannot mount a ${sizeBytes}-byte tmpfs on ${dir} (these tests need root and tmpfs): ${errorText(cause)}`
      )
    }
    return dir
  })

/** Unmounts `dir` (lazily if something still holds a file on it) and removes it. */
const unmount = (dir: string): Effect.Effect<void> =>
  Effect.sync(() => {
    try {
      execFileSync("umount", [dir], { stdio: ["ignore", "ignore", "pipe"] })
    } catch {
      execFileSync("umount", ["-l", dir], { stdio: ["ignore", "ignore", "pipe"] })
    }
    fsSync.rmdirSync(dir)
  })

/** A tmpfs of `sizeBytes` (default 256 KiB) mounted for the current Scope. */
export const smallDisk = (sizeBytes = 256 * 1024): Effect.Effect<SmallDisk, never, Scope.Scope> =>
  Effect.map(Effect.acquireRelease(mount(sizeBytes), unmount), (dir) => {
    const filler = path.join(dir, ".filler")
    const free = Effect.promise(async () => {
      const stats = await fs.statfs(dir)
      return stats.bavail * stats.bsize
    })
    const fill = (freeBytes = 0) =>
      Effect.promise(async () => {
        const handle = await fs.open(filler, "a")
        try {
          const chunk = Buffer.alloc(16 * 1024, 0x2e)
          for (;;) {
            try {
              await handle.write(chunk)
            } catch (cause) {
              if (FsReason.errnoCode(cause) === "ENOSPC") break
              throw cause
            }
          }
          const { size } = await handle.stat()
          await handle.truncate(Math.max(0, size - freeBytes))
        } finally {
          await handle.close()
        }
      })
    const clear = Effect.promise(() => fs.rm(filler, { force: true }))
    return { dir, fill, clear, free }
  })
