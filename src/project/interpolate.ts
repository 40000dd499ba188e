/**
 * `${VAR}` and `${VAR:-default}` in string parameters, taken from the environment, and `${file:PATH}`,
 * the content of a file without its final newline (a secret mounted as a file: a password, a TLS key
 * passphrase). `$${` writes a literal `${`; a `$` not followed by `{` is kept as it is.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
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
const fileForm = /^file:(.+)$/s

/** The content of `file` without one final newline (`\n` or `\r\n`), or the error code of the read. */
const readSecret = (file: string): { readonly value: string } | { readonly code: string } => {
  try {
    return { value: fs.readFileSync(file, "utf8").replace(/\r?\n$/, "") }
  } catch (error) {
    return { code: (error as NodeJS.ErrnoException).code ?? String(error) }
  }
}

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
    const f = fileForm.exec(body)
    if (f !== null) {
      const read = readSecret(f[1]!)
      if ("value" in read) return read.value
      out.push({
        segments,
        detail: `cannot read the file of ${match}: ${read.code}`,
        expected: "a readable file",
        suggestion: "check the path and the file's permissions"
      })
      return match
    }
    const m = form.exec(body)
    if (m === null) {
      out.push({
        segments,
        detail: `malformed variable reference ${JSON.stringify(match)}`,
        expected: "${NAME}, ${NAME:-default} or ${file:PATH}, NAME made of letters, digits and _ (not starting with a digit)",
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
 * alone). `${NAME:-default}` uses the default when NAME is unset or empty; `${file:PATH}` reads PATH. Returns the expanded table and
 * every reference that could not be expanded (an unset variable without default, a malformed reference).
 */
export const params = (
  table: ParamMap,
  env: Environment
): { readonly params: ParamMap; readonly unresolved: ReadonlyArray<Unresolved> } => {
  const unresolved: Array<Unresolved> = []
  return { params: expandTable(table, env, [], unresolved), unresolved }
}
