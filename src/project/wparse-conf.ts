/**
 * `conf/wparse.toml`: the main configuration of a WarpParse work root. What maps onto this edition is
 * read — `[topology] sources / sinks` (where the topology files are), `[rescue] path`, `[performance]
 * rate_limit_rps` (the read rate of all sources together) and `[log_conf]` (`level`, `output`,
 * `[log_conf.file] path`) — and what has no meaning here (`robust`, `skip_parse`, `skip_sink`,
 * `[models]`, `parse_workers`, `[stat]`) is accepted with one warning each. Anything else is an error
 * at its key, with the nearest known key.
 *
 * @since 0.3.0
 */
import { Effect, LogLevel, Option } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { didYouMean } from "../config/suggest.js"
import type { ConfigError } from "../errors/config.js"
import type * as Problems from "./problems.js"
import * as TomlDocument from "./toml-document.js"
import type { Segment } from "./toml-lines.js"

/** The file, relative to the work root. */
export const file = path.join("conf", "wparse.toml")

/** Where `wpc run` writes its log lines: stderr, a file, or both. */
export interface LogConf {
  /** The least severe level written. */
  readonly level: LogLevel.LogLevel
  /** `Console`: stderr only; `File`: the file only; `Both`. */
  readonly output: "Console" | "File" | "Both"
  /** The log file (`<[log_conf.file] path>/wparse.log`, absolute) when `output` is `File` or `Both`. */
  readonly file: string | undefined
}

/** What `conf/wparse.toml` sets; every path absolute. */
export interface WparseConf {
  readonly sourcesDir: string | undefined
  readonly sinksDir: string | undefined
  readonly rescueDir: string | undefined
  /** `[performance] rate_limit_rps`: events per second all sources together read at most (0: unlimited). */
  readonly readRateLimitRps: number | undefined
  readonly log: LogConf | undefined
}

/** Nothing set (a work root without `conf/wparse.toml`). */
export const empty: WparseConf = { sourcesDir: undefined, sinksDir: undefined, rescueDir: undefined, readRateLimitRps: undefined, log: undefined }

/** The name of the log file under `[log_conf.file] path`. */
export const logFileName = "wparse.log"

/** Keys accepted and ignored, with why they mean nothing here. */
const ignored: { readonly [key: string]: string } = {
  robust: "this edition has one robustness mode: failures are retried, then rescued (docs/engine.md)",
  skip_parse: "this edition parses with processors/*.toml, which sources name; a source without processors passes its events as read",
  skip_sink: "sinks are always written; disable a source or remove a group instead",
  models: "WPL/OML models are not run by this edition; parsing is done by processors (docs/processors.md)",
  stat: "the engine's counters are in the run report, the progress line, Prometheus (--metrics-port) and the monitor group"
}

const ignoredIn: { readonly [table: string]: { readonly [key: string]: string } } = {
  performance: {
    parse_workers: "processors run on each source's own fiber, in order: there is no pool of parse workers to size"
  }
}

/** The tables of the file and their keys. */
const tables: { readonly [table: string]: ReadonlyArray<string> } = {
  topology: ["sources", "sinks"],
  performance: ["rate_limit_rps", "parse_workers"],
  rescue: ["path"],
  log_conf: ["level", "output", "file"]
}

const levels: { readonly [name: string]: LogLevel.LogLevel } = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  off: LogLevel.None
}

const isTable = (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u)

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : isTable(value) ? "a table" : String(value))

/** The settings of a parsed `conf/wparse.toml` under `workRoot`, with its problems and warnings (in line order). */
export const decode = (
  workRoot: string,
  doc: TomlDocument.TomlDocument
): { readonly conf: WparseConf; readonly problems: ReadonlyArray<ConfigError>; readonly warnings: ReadonlyArray<ConfigError> } => {
  const problems: Array<ConfigError> = []
  const warnings: Array<ConfigError> = []
  const bad = (at: ReadonlyArray<Segment>, value: unknown, expected: string) =>
    problems.push(TomlDocument.problem(doc, at, { detail: `invalid value ${show(value)}`, expected }))
  const missing = (at: ReadonlyArray<Segment>, expected: string) =>
    problems.push(TomlDocument.problem(doc, at, { detail: "missing required key", expected }))
  const warn = (at: ReadonlyArray<Segment>, why: string) =>
    warnings.push(TomlDocument.problem(doc, at, { detail: "accepted, has no meaning in this edition", expected: why }))
  const dir = (at: ReadonlyArray<Segment>, value: unknown): string | undefined => {
    if (typeof value === "string" && value.trim().length > 0) return path.isAbsolute(value) ? value : path.join(workRoot, value)
    bad(at, value, "a non-empty path (relative to the work root)")
    return undefined
  }
  const conf: { -readonly [K in keyof WparseConf]: WparseConf[K] } = { ...empty }
  const topKeys = ["version", ...Object.keys(ignored), ...Object.keys(tables)]
  for (const [key, value] of Object.entries(doc.table)) {
    if (key === "version") continue
    const why = ignored[key]
    if (why !== undefined) {
      warn([key], why)
      continue
    }
    const keys = tables[key]
    if (keys === undefined) {
      problems.push(TomlDocument.problem(doc, [key], { detail: `unknown key "${key}"`, expected: `one of: ${topKeys.join(", ")}`, suggestion: didYouMean(key, topKeys) }))
      continue
    }
    if (!isTable(value)) {
      bad([key], value, `a [${key}] table`)
      continue
    }
    for (const sub of Object.keys(value)) {
      const at = [key, sub]
      const subWhy = ignoredIn[key]?.[sub]
      if (subWhy !== undefined) {
        warn(at, subWhy)
        continue
      }
      if (!keys.includes(sub)) {
        problems.push(TomlDocument.problem(doc, at, { detail: `unknown key "${sub}"`, expected: `one of: ${keys.join(", ")}`, suggestion: didYouMean(sub, keys) }))
      }
    }
    switch (key) {
      case "topology":
        if (value["sources"] !== undefined) conf.sourcesDir = dir([key, "sources"], value["sources"])
        if (value["sinks"] !== undefined) conf.sinksDir = dir([key, "sinks"], value["sinks"])
        break
      case "rescue":
        if (value["path"] !== undefined) conf.rescueDir = dir([key, "path"], value["path"])
        break
      case "performance": {
        const rps = value["rate_limit_rps"]
        if (rps === undefined) break
        if (Number.isSafeInteger(rps) && (rps as number) >= 0) conf.readRateLimitRps = rps as number
        else bad([key, "rate_limit_rps"], rps, "an integer >= 0 (events per second all sources together read; 0 = unlimited)")
        break
      }
      case "log_conf":
        conf.log = logConf(value, bad, warn, missing, workRoot)
        break
    }
  }
  const byLine = (a: ConfigError, b: ConfigError) => (a.line ?? 0) - (b.line ?? 0)
  return { conf, problems: problems.sort(byLine), warnings: warnings.sort(byLine) }
}

/** `[log_conf]`: `level` (`"warn,ctrl=info"`: the first bare level counts), `output`, `[log_conf.file] path`. */
const logConf = (
  table: { readonly [key: string]: unknown },
  bad: (at: ReadonlyArray<Segment>, value: unknown, expected: string) => void,
  warn: (at: ReadonlyArray<Segment>, why: string) => void,
  missing: (at: ReadonlyArray<Segment>, expected: string) => void,
  workRoot: string
): LogConf | undefined => {
  let level: LogLevel.LogLevel = LogLevel.Info
  let ok = true
  const rawLevel = table["level"]
  if (rawLevel !== undefined) {
    const parts = typeof rawLevel === "string" ? rawLevel.split(",").map((p) => p.trim()).filter((p) => p.length > 0) : []
    const bare = parts.filter((p) => !p.includes("="))
    const targets = parts.filter((p) => p.includes("="))
    const named = bare.length === 1 ? levels[bare[0]!.toLowerCase()] : undefined
    if (named === undefined) {
      bad(["log_conf", "level"], rawLevel, `one level (${Object.keys(levels).join(", ")}), optionally followed by target=level pairs`)
      ok = false
    } else {
      level = named
      if (targets.length > 0) warn(["log_conf", "level"], `per-target levels (${targets.join(", ")}) have no meaning here: "${bare[0]}" applies to every log line`)
    }
  }
  const rawOutput = table["output"] ?? "Console"
  const output = rawOutput === "Console" || rawOutput === "File" || rawOutput === "Both" ? rawOutput : undefined
  if (output === undefined) {
    bad(["log_conf", "output"], rawOutput, "\"Console\", \"File\" or \"Both\"")
    return undefined
  }
  let logFile: string | undefined
  const fileTable = table["file"]
  if (fileTable !== undefined && !(isTable(fileTable) && Object.keys(fileTable).every((k) => k === "path"))) {
    bad(["log_conf", "file"], fileTable, "a [log_conf.file] table with path")
    return undefined
  }
  if (output !== "Console") {
    const dir = isTable(fileTable) ? fileTable["path"] : undefined
    if (typeof dir !== "string" || dir.trim().length === 0) {
      const expected = `the directory of ${logFileName} (output = "${output}" writes to a file)`
      if (dir === undefined) missing(["log_conf", "file", "path"], expected)
      else bad(["log_conf", "file", "path"], dir, expected)
      return undefined
    }
    logFile = path.join(path.isAbsolute(dir) ? dir : path.join(workRoot, dir), logFileName)
  }
  return ok ? { level, output, file: logFile } : undefined
}

/** Loads `<workRoot>/conf/wparse.toml` when it exists (`empty` without it); problems and warnings go to `problems`. */
export const load = (workRoot: string, problems: Problems.Problems): Effect.Effect<WparseConf> =>
  Effect.gen(function*() {
    const at = path.join(workRoot, file)
    const exists = yield* Effect.promise(() => fs.stat(at).then((s) => s.isFile(), () => false))
    if (!exists) return empty
    const doc = yield* problems.attempt(TomlDocument.read(at))
    if (Option.isNone(doc)) return empty
    const decoded = decode(workRoot, doc.value)
    problems.add(...decoded.problems)
    problems.warn(...decoded.warnings)
    return decoded.conf
  })
