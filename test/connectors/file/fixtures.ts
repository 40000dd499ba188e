/**
 * Test helpers of the `file` connector tests: a temporary directory removed with its Scope, and the
 * file descriptors this process holds under a directory (to prove none is left open).
 */
import * as fsSync from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"

/** A fresh directory under the OS temp dir, removed (with its content) when the Scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "wp-file-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

/** The paths of the descriptors this process has open under `dir` (Linux `/proc/self/fd`). */
export const openUnder = (dir: string): Array<string> =>
  fsSync.readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = fsSync.readlinkSync(`/proc/self/fd/${fd}`)
      return target.startsWith(dir) ? [target] : []
    } catch {
      return []
    }
  })

/** `count` numbered lines, `"line-<i>"`. */
export const numbered = (count: number, from = 0): Array<string> =>
  Array.from({ length: count }, (_, i) => `line-${from + i}`)
