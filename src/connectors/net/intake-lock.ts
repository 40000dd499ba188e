/**
 * `IntakeLock`: one owner per disk intake directory. Two processes (or two sources of one process)
 * appending to one write-ahead log would interleave and destroy it, so the owner writes its pid to
 * `<dir>/lock` (created exclusively) and removes it when its Scope closes. A lock left by a process
 * that is gone (killed) is taken over.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import * as FsReason from "../file/fs-reason.js"

/** Directories locked by this process. */
const held = new Set<string>()

/** `true` when a process with `pid` runs (signal 0 only checks; EPERM means it runs as another user). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return FsReason.errnoCode(error) === "EPERM"
  }
}

const inUse = (what: string, dir: string, by: string): ConfigError =>
  new ConfigError({
    detail: `${what}: the disk intake ${dir} is in use by ${by}`,
    path: "params.buffer",
    expected: "one running source per work root and source name",
    suggestion: `stop the other one, or give this run another --work-root; remove ${path.join(dir, "lock")} only if no process uses it`
  })

/** Takes the lock of `dir` (which must exist) for `what` (e.g. `"tcp source web"`) until the Scope closes. */
export const acquire = (what: string, dir: string): Effect.Effect<void, ConfigError | SourceError, Scope.Scope> => {
  const file = path.join(dir, "lock")
  const take = Effect.suspend((): Effect.Effect<void, ConfigError | SourceError> => {
    if (held.has(dir)) return Effect.fail(inUse(what, dir, "another source of this process"))
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o644 })
        held.add(dir)
        return Effect.void
      } catch (error) {
        if (FsReason.errnoCode(error) !== "EEXIST") return Effect.fail(FsReason.sourceError("create intake lock", file)(error))
      }
      let owner = Number.NaN
      try {
        owner = Number(fs.readFileSync(file, "utf8").trim())
      } catch (error) {
        if (FsReason.errnoCode(error) !== "ENOENT") return Effect.fail(FsReason.sourceError("read intake lock", file)(error))
      }
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        return Effect.fail(inUse(what, dir, `process ${owner}`))
      }
      // left by a process that is gone (or by this pid in an earlier life): take it over
      try {
        fs.rmSync(file, { force: true })
      } catch (error) {
        return Effect.fail(FsReason.sourceError("remove stale intake lock", file)(error))
      }
    }
    return Effect.fail(inUse(what, dir, "a process that keeps taking it"))
  })
  return Effect.acquireRelease(take, () =>
    Effect.sync(() => {
      held.delete(dir)
      fs.rmSync(file, { force: true })
    }))
}
