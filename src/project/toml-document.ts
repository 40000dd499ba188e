/**
 * `TomlDocument`: one parsed project file that can say where its keys are, so every problem found
 * in it is reported with the file, the line (when it can be told) and the key path.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as ParamMap from "../config/param.js"
import { ConfigError } from "../errors/config.js"
import { describeCause } from "../errors/describe.js"
import * as TomlLines from "./toml-lines.js"
import * as TomlSyntax from "./toml-syntax.js"
import * as Utf8 from "./utf8.js"

/** A parsed TOML file: its path (as shown in messages), text, table and key lines. */
export interface TomlDocument {
  readonly file: string
  readonly text: string
  readonly table: ParamMap.ParamMap
  readonly lines: TomlLines.TomlLines
}

/**
 * Parses `text` as the contents of `file`; a syntax error is a `ConfigError` with file, line and column
 * (an unterminated string is called one, at its opening quote).
 */
export const parse = (file: string, text: string): Effect.Effect<TomlDocument, ConfigError> =>
  ParamMap.fromTomlText(text, file).pipe(
    Effect.mapError((e) => TomlSyntax.explain(text, e)),
    Effect.map((table) => ({ file, text, table, lines: TomlLines.scan(text) }))
  )

/** The text of `file`'s `bytes`; bytes that are not UTF-8 are a `ConfigError` naming the line and the byte offset. */
export const decodeText = (file: string, bytes: Uint8Array): Effect.Effect<string, ConfigError> => {
  const bad = Utf8.firstInvalidByte(bytes)
  if (bad === undefined) return Effect.succeed(new TextDecoder().decode(bytes))
  return Effect.fail(new ConfigError({
    detail: `invalid UTF-8 at byte offset ${bad} (byte 0x${bytes[bad]!.toString(16).padStart(2, "0")})`,
    file,
    line: Utf8.lineAt(bytes, bad),
    expected: "a file encoded in UTF-8",
    suggestion: "save the file as UTF-8"
  }))
}

/** Reads and parses `file`; an unreadable file, or one that is not UTF-8, is a `ConfigError` naming it. */
export const read = (file: string): Effect.Effect<TomlDocument, ConfigError> =>
  Effect.tryPromise({
    try: () => fs.readFile(file),
    catch: (cause) => new ConfigError({ detail: `cannot read the file: ${describeCause(cause)}`, file, cause })
  }).pipe(
    Effect.flatMap((bytes) => decodeText(file, bytes)),
    Effect.flatMap((text) => parse(file, text))
  )

/** The line of `segments` (or of its nearest parent), if known. */
export const line = (doc: TomlDocument, segments: ReadonlyArray<TomlLines.Segment>): number | undefined =>
  TomlLines.lineOf(doc.lines, segments)

/** `file:line` of `segments` (or of its nearest parent), or just the file when no line is known. */
export const location = (doc: TomlDocument, segments: ReadonlyArray<TomlLines.Segment>): string => {
  const line = TomlLines.lineOf(doc.lines, segments)
  return line === undefined ? doc.file : `${doc.file}:${line}`
}

/** What a problem says, apart from where it is. */
export interface Problem {
  readonly detail: string
  readonly expected?: string | undefined
  readonly suggestion?: string | undefined
}

/** A `ConfigError` at `segments` of `doc`: its file, the line of that key (or its nearest parent) and the path. */
export const problem = (doc: TomlDocument, segments: ReadonlyArray<TomlLines.Segment>, what: Problem): ConfigError =>
  new ConfigError({
    detail: what.detail,
    file: doc.file,
    line: TomlLines.lineOf(doc.lines, segments),
    path: ParamMap.formatPath(undefined, segments),
    expected: what.expected,
    suggestion: what.suggestion
  })

/**
 * Places `error`, whose `path` is relative to `base` (e.g. `params.port` from a factory's `validateSpec`),
 * in `doc`: the path becomes `base` plus its own, with the file and line of that key. A `column` is kept
 * only when the error already named this file (it is then a column of this file).
 */
export const locate = (doc: TomlDocument, base: ReadonlyArray<TomlLines.Segment>, error: ConfigError): ConfigError => {
  const segments = [...base, ...(error.path === undefined ? [] : TomlLines.parsePath(error.path))]
  const { column: _column, ...fields } = error.fields
  return new ConfigError({
    ...fields,
    ...(error.file === doc.file && error.column !== undefined ? { column: error.column } : {}),
    file: doc.file,
    line: TomlLines.lineOf(doc.lines, segments),
    path: ParamMap.formatPath(undefined, segments)
  })
}
