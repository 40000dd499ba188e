/**
 * `copyTracked`: copies an example project as a fresh checkout has it — everything but what the project's
 * own `.gitignore` lists (the state a run leaves: output, checkpoints, rescue files) — so a test never
 * depends on what an earlier `npm start` or `wpc run` left in the working tree.
 */
import * as fs from "node:fs"
import * as path from "node:path"

/**
 * The paths `dir/.gitignore` lists, relative to `dir` and without their trailing `/`. Only plain paths
 * are understood: a pattern (`*`, `?`, `[`, `!`) throws, so that state it would hide cannot slip into a copy.
 */
export const ignoredPaths = (dir: string): ReadonlySet<string> => {
  const file = path.join(dir, ".gitignore")
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""
  const paths = new Set<string>()
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    if (/[*?[!\\]/.test(line)) throw new Error(`${file}:${i + 1}: "${line}" is a pattern; copyTracked understands plain paths only`)
    paths.add(path.normalize(line.replace(/^\/+/, "").replace(/\/+$/, "")))
  }
  return paths
}

/** Copies the project in `from` to `to` (created), leaving out what `from/.gitignore` lists. */
export const copyTracked = (from: string, to: string): void => {
  const ignored = ignoredPaths(from)
  fs.cpSync(from, to, { recursive: true, filter: (source) => !ignored.has(path.relative(from, source)) })
}
