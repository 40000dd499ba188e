/**
 * `wpc --version`: the version of the installed package, read from its `package.json` (the nearest
 * one named `wp-connector-api` above this module: `src/cli/`, `dist/cli/` and the bundled `dist/bin/`
 * alike), so the printed version is always the package's.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The package's name, which tells its `package.json` from a consumer's. */
const packageName = "wp-connector-api"

/** The `version` of the nearest `package.json` named `wp-connector-api` at or above `dir`; `"unknown"` when there is none. */
export const find = (dir: string): string => {
  for (let at = dir;; at = path.dirname(at)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(at, "package.json"), "utf8")) as { readonly name?: unknown; readonly version?: unknown }
      if (manifest.name === packageName && typeof manifest.version === "string") return manifest.version
    } catch {
      // no (readable) package.json here: look further up
    }
    if (path.dirname(at) === at) return "unknown"
  }
}

/** This package's version. */
export const version: string = find(path.dirname(fileURLToPath(import.meta.url)))
