/**
 * `${VAR}` and `${VAR:-default}` in string parameters, taken from the environment.
 * `$${` writes a literal `${`; a `$` not followed by `{` is kept as it is.
 *
 * @since 0.1.0
 */
import type { ParamMap } from "../config/param.js"
import type { Segment } from "./toml-lines.js"

/** Where variables come from: a name to its value, `undefined` when unset (e.g. `process.env`). */
export type Environment = { readonly [name: string]: string | undefined }

/** A reference that cannot be expanded, and where it is (relative to the table expanded). */
export interface Unresolved {
  readonly segments: ReadonlyArray<Segment>
  readonly detail: string
  readonly expected: string
  readonly suggestion?: string | undefined
}

const reference = /\$\$\{|\$\{([^}]*)\}|\$\{/g
const form = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s

/** Expands the references in one string; problems are pushed to `out` (with `segments`). */
const expandString = (
  text: string,
  env: Environment,
  segments: ReadonlyArray<Segment>,
  out: Array<Unresolved>
): string => {
  if (!text.includes("${")) return text
  return text.replace(reference, (match: string, body: string | undefined) => {
    if (match === "$${") return "${"
    if (body === undefined) {
      out.push({
        segments,
        detail: `unclosed variable reference in ${JSON.stringify(text)}`,
        expected: "${NAME} or ${NAME:-default}",
        suggestion: "close it with '}', or write $${ for a literal ${"
      })
      return match
    }
    const m = form.exec(body)
    if (m === null) {
      out.push({
        segments,
        detail: `malformed variable reference ${JSON.stringify(match)}`,
        expected: "${NAME} or ${NAME:-default}, NAME made of letters, digits and _ (not starting with a digit)",
        suggestion: "write $${ for a literal ${"
      })
      return match
    }
    const name = m[1]!
    const fallback = m[2]
    const value = env[name]
    if (value !== undefined && (value.length > 0 || fallback === undefined)) return value
    if (fallback !== undefined) return fallback
    out.push({
      segments,
      detail: `environment variable ${name} is not set`,
      expected: `${name} set in the environment`,
      suggestion: `set ${name}, or give a default: \${${name}:-value}`
    })
    return match
  })
}

const expandJson = (
  value: ParamMap[string],
  env: Environment,
  segments: Array<Segment>,
  out: Array<Unresolved>
): ParamMap[string] => {
  if (typeof value === "string") return expandString(value, env, [...segments], out)
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) {
    return value.map((item: ParamMap[string], i: number) => expandJson(item, env, [...segments, i], out))
  }
  return expandTable(value as ParamMap, env, segments, out)
}

const expandTable = (table: ParamMap, env: Environment, segments: Array<Segment>, out: Array<Unresolved>): ParamMap => {
  const result: { [key: string]: ParamMap[string] } = {}
  for (const key of Object.keys(table)) result[key] = expandJson(table[key]!, env, [...segments, key], out)
  return result
}

/**
 * Expands every `${...}` in the string values of `params` (nested arrays and tables too; keys are left
 * alone). `${NAME:-default}` uses the default when NAME is unset or empty. Returns the expanded table and
 * every reference that could not be expanded (an unset variable without default, a malformed reference).
 */
export const params = (
  table: ParamMap,
  env: Environment
): { readonly params: ParamMap; readonly unresolved: ReadonlyArray<Unresolved> } => {
  const unresolved: Array<Unresolved> = []
  return { params: expandTable(table, env, [], unresolved), unresolved }
}
