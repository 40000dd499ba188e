/**
 * The layout of a work root (the WarpParse engine's): where connector definitions and topology
 * files live, and listing their `*.toml` files in name order.
 *
 * @since 0.1.0
 */
import { type Cause, Effect, Option } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { ConnectorScope } from "../config/def.js"
import { ConfigError } from "../errors/config.js"
import { describeCause } from "../errors/describe.js"

/** The directory of each scope's connector definitions, relative to the work root. */
export const connectorDirs: { readonly [S in ConnectorScope]: string } = {
  source: path.join("connectors", "source.d"),
  sink: path.join("connectors", "sink.d")
}

/** The directory of `[[sources]]` files, relative to the work root. */
export const sourcesDir = path.join("topology", "sources")

/** The directory of `[sink_group]` files (searched recursively), relative to the work root. */
export const sinksDir = path.join("topology", "sinks")

/** The file of default sink tags, directly under `sinksDir`. */
export const sinkDefaultsFile = "defaults.toml"

const isMissing = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && (cause as { readonly code?: unknown }).code === "ENOENT"

const unreadable = (dir: string, cause: unknown) =>
  new ConfigError({ detail: `cannot list the directory: ${describeCause(cause)}`, file: dir, cause })

/** Relative paths of the `*.toml` files under `dir` (recursive: in subdirectories too), `/`-separated. */
const walk = (dir: string, rel: string, recursive: boolean): Effect.Effect<Array<string>, Cause.UnknownException> =>
  Effect.gen(function*() {
    const entries = yield* Effect.tryPromise(() => fs.readdir(path.join(dir, rel), { withFileTypes: true }))
    const out: Array<string> = []
    for (const entry of entries) {
      const child = rel.length === 0 ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory() && recursive) out.push(...(yield* walk(dir, child, recursive)))
      else if (entry.isFile() && entry.name.endsWith(".toml")) out.push(child)
    }
    return out
  })

/**
 * The `*.toml` files of `dir` in name order (by relative path: `a.toml` < `b.d/x.toml`), as
 * `dir/<relative path>`; `none` when `dir` does not exist. Anything but a directory is a `ConfigError`.
 */
export const tomlFiles = (
  dir: string,
  recursive: boolean
): Effect.Effect<Option.Option<ReadonlyArray<string>>, ConfigError> =>
  Effect.gen(function*() {
    const stat = yield* Effect.tryPromise(() => fs.stat(dir)).pipe(Effect.option)
    if (Option.isNone(stat)) return Option.none()
    if (!stat.value.isDirectory()) {
      return yield* new ConfigError({ detail: "is not a directory", file: dir, expected: "a directory" })
    }
    const files = yield* walk(dir, "", recursive).pipe(
      Effect.mapError((e) => unreadable(dir, e.error))
    )
    return Option.some(files.sort().map((rel) => path.join(dir, rel)))
  })

/** Checks that `workRoot` is an existing directory. */
export const checkWorkRoot = (workRoot: string): Effect.Effect<void, ConfigError> =>
  Effect.tryPromise(() => fs.stat(workRoot)).pipe(
    Effect.mapError((e) => {
      const cause = e.error
      return new ConfigError({
        detail: isMissing(cause) ? "the work root does not exist" : `cannot read the work root: ${describeCause(cause)}`,
        file: workRoot,
        expected: "a directory holding connectors/ and topology/",
        suggestion: "pass --work-root DIR, or create a project with `wpc init DIR`",
        cause
      })
    }),
    Effect.flatMap((stat) =>
      stat.isDirectory()
        ? Effect.void
        : new ConfigError({ detail: "the work root is not a directory", file: workRoot, expected: "a directory" })
    )
  )
