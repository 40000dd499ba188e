/**
 * The `[engine]` table of a project: `<work root>/engine.toml` (optional) sets the engine's options for
 * the pipeline — the keys of `EngineOptions` in snake_case, durations in milliseconds (`batch_wait_ms`),
 * and `[engine.deadlines]` for the Stop phases. Every problem (an unknown key, with the nearest known
 * one; a bad value) is reported at its file, line and key path.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { didYouMean } from "../config/suggest.js"
import type { ConfigError } from "../errors/config.js"
import * as EngineOptions from "../runtime/engine-options.js"
import type * as Problems from "./problems.js"
import * as TomlDocument from "./toml-document.js"
import type { Segment } from "./toml-lines.js"

/** The file of the `[engine]` table, relative to the work root. */
export const file = "engine.toml"

type Field = { readonly key: string; readonly kind: EngineOptions.OptionKind; readonly toml: string }

const byToml = (fields: { readonly [key: string]: { readonly kind: EngineOptions.OptionKind; readonly toml: string } }) =>
  new Map<string, Field>(Object.entries(fields).map(([key, f]) => [f.toml, { key, ...f }]))

const optionFields = byToml(EngineOptions.fields)
const deadlineFields = byToml(EngineOptions.deadlineFields)

/** What a key of `kind` holds in TOML. */
const expected = (kind: EngineOptions.OptionKind): string =>
  kind === "delay" || kind === "deadline" ? "an integer >= 0 (milliseconds)" : EngineOptions.expectedOf(kind)

/** The value of a TOML key of `kind` as an engine option, or `None` when it is not one. */
const toOption = (kind: EngineOptions.OptionKind, value: unknown): Option.Option<unknown> => {
  if (kind === "delay" || kind === "deadline") {
    return Number.isSafeInteger(value) && (value as number) >= 0 ? Option.some(Duration.millis(value as number)) : Option.none()
  }
  return value === undefined ? Option.none() : EngineOptions.checkValue(kind, value)
}

const isTable = (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u)

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : isTable(value) ? "a table" : String(value))

/** Decodes the keys of `table` (at `at` in `doc`) with `fields`, into `out`; each problem is added to `problems`. */
const decodeTable = (
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  table: { readonly [key: string]: unknown },
  fields: ReadonlyMap<string, Field>,
  extra: ReadonlyArray<string>,
  out: Record<string, unknown>,
  problems: Array<ConfigError>
): void => {
  const known = [...fields.keys(), ...extra]
  for (const [key, value] of Object.entries(table)) {
    if (extra.includes(key)) continue
    const field = fields.get(key)
    if (field === undefined) {
      problems.push(TomlDocument.problem(doc, [...at, key], {
        detail: `unknown key "${key}"`,
        expected: `one of: ${known.join(", ")}`,
        suggestion: didYouMean(key, known)
      }))
      continue
    }
    const option = toOption(field.kind, value)
    if (Option.isNone(option)) {
      problems.push(TomlDocument.problem(doc, [...at, key], { detail: `invalid value ${show(value)}`, expected: expected(field.kind) }))
    } else {
      out[field.key] = option.value
    }
  }
}

/** The engine options of a parsed `engine.toml`, and every problem of it, in line order. */
export const decode = (doc: TomlDocument.TomlDocument): { readonly options: EngineOptions.EngineOptionsInput; readonly problems: ReadonlyArray<ConfigError> } => {
  const problems: Array<ConfigError> = []
  const options: Record<string, unknown> = {}
  for (const key of Object.keys(doc.table)) {
    if (key === "engine" || key === "version") continue
    problems.push(TomlDocument.problem(doc, [key], {
      detail: `unknown key "${key}"`,
      expected: "an [engine] table (and a version)",
      suggestion: didYouMean(key, ["engine", "version"]) ?? `engine options go in the [engine] table: [engine] ${key} = ...`
    }))
  }
  const engine = doc.table["engine"]
  if (engine === undefined) return { options, problems }
  if (!isTable(engine)) {
    problems.push(TomlDocument.problem(doc, ["engine"], { detail: `invalid value ${show(engine)}`, expected: "an [engine] table" }))
    return { options, problems }
  }
  decodeTable(doc, ["engine"], engine, optionFields, ["deadlines"], options, problems)
  const deadlines = engine["deadlines"]
  if (deadlines !== undefined) {
    if (!isTable(deadlines)) {
      problems.push(TomlDocument.problem(doc, ["engine", "deadlines"], { detail: `invalid value ${show(deadlines)}`, expected: "an [engine.deadlines] table" }))
    } else {
      const out: Record<string, unknown> = {}
      decodeTable(doc, ["engine", "deadlines"], deadlines, deadlineFields, [], out, problems)
      options["deadlines"] = out
    }
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  return { options: options as EngineOptions.EngineOptionsInput, problems }
}

/** Loads `<workRoot>/engine.toml` when it exists: its options (none without the file); problems go to `problems`. */
export const load = (workRoot: string, problems: Problems.Problems): Effect.Effect<EngineOptions.EngineOptionsInput> =>
  Effect.gen(function*() {
    const at = path.join(workRoot, file)
    const exists = yield* Effect.promise(() => fs.stat(at).then((s) => s.isFile(), () => false))
    if (!exists) return {}
    const doc = yield* problems.attempt(TomlDocument.read(at))
    if (Option.isNone(doc)) return {}
    const decoded = decode(doc.value)
    problems.add(...decoded.problems)
    return decoded.options
  })
