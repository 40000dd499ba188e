/**
 * `Discovery`: the regular files a `file` source's globs match now, found by walking each glob's root
 * directory (no further down than the glob can match), minus those an exclude glob matches. A poll scan:
 * no native watcher, so it works on every file system (NFS, bind mounts, overlay) the same way.
 *
 * @since 0.1.0
 */
import type { Dirent, Stats } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import * as Glob from "./glob.js"

/** What a scan found: each matched regular file's absolute path and its stats. */
export type Found = Map<string, Stats>

/** The globs to match (`include`) and to leave out (`exclude`). */
export interface Patterns {
  readonly include: ReadonlyArray<Glob.Glob>
  readonly exclude: ReadonlyArray<Glob.Glob>
}

/** The entries of `dir`, none when it cannot be read (missing, not a directory, no permission). */
const entries = (dir: string): Promise<Array<Dirent>> => fs.readdir(dir, { withFileTypes: true }).catch(() => [])

/** The stats of `file`, `undefined` when it is gone or unreadable. */
const statOf = (file: string): Promise<Stats | undefined> => fs.stat(file).catch(() => undefined)

/** Walks `dir` (`level` levels below the glob's root) adding matched regular files to `found`. */
const walk = async (glob: Glob.Glob, patterns: Patterns, dir: string, level: number, found: Found): Promise<void> => {
  for (const entry of await entries(dir)) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      // symbolic links to directories are not followed: a `**` glob could loop through them
      if (level < glob.depth) await walk(glob, patterns, full, level + 1, found)
      continue
    }
    if (found.has(full) || !Glob.matches(glob, full) || patterns.exclude.some((x) => Glob.matches(x, full))) continue
    const stats = await statOf(full)
    if (stats !== undefined && stats.isFile()) found.set(full, stats)
  }
}

/** Scans for the files `patterns` match now (never fails: what cannot be read is not there). */
export const scan = (patterns: Patterns): Effect.Effect<Found> =>
  Effect.promise(async () => {
    const found: Found = new Map()
    for (const glob of patterns.include) {
      if (glob.depth === 0 && !/[*?[{]/.test(path.basename(glob.pattern))) {
        // a literal path: one stat, no directory listing
        const stats = await statOf(glob.pattern)
        if (stats?.isFile() === true && !patterns.exclude.some((x) => Glob.matches(x, glob.pattern))) found.set(glob.pattern, stats)
      } else {
        await walk(glob, patterns, glob.root, 0, found)
      }
    }
    return found
  })
