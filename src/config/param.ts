/**
 * `ParamMap`: the flat-or-nested parameter table every connector receives
 * (the crate's `BTreeMap<String, serde_json::Value>`), with TOML flattening and
 * sorted-key encoding for stable diffs.
 *
 * @since 0.1.0
 */
import { Array as Arr, Effect, Either, Function, Option, ParseResult, Schema, SchemaAST } from "effect"
import { parse as parseToml, TomlDate, TomlError } from "smol-toml"
import { ConfigError } from "../errors/config.js"
import { describeCause } from "../errors/describe.js"
import { didYouMean } from "./suggest.js"

/** A JSON value: what a parameter may hold. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** A table of parameters: string keys to JSON values (kept sorted by key). */
export type ParamMap = { readonly [key: string]: Json }

/** A failure found while checking outside data, located by its key path. */
interface Invalid {
  readonly path: ReadonlyArray<PropertyKey>
  readonly detail: string
  readonly expected: string
}

/** How lenient `normalize` is: `json` accepts JSON only, `toml` also maps TOML-only values. */
type Mode = "json" | "toml"

const jsonValueExpected = "a JSON value (null, boolean, finite number, string, array or plain object)"
const tableExpected = "a table of parameters (a plain object with string keys)"

const identifierKey = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

/**
 * Renders a key path: `formatPath("params", ["tags", 2])` is `"params.tags[2]"`;
 * keys that are not identifiers are quoted (`params["a b"]`). `undefined` when both parts are empty.
 */
export const formatPath = (where: string | undefined, segments: ReadonlyArray<PropertyKey>): string | undefined => {
  let out = where ?? ""
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`
    else if (typeof segment === "symbol") out += `[${String(segment)}]`
    else if (identifierKey.test(segment)) out += out.length === 0 ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out.length === 0 ? undefined : out
}

const isPlainObject = (u: unknown): u is { readonly [key: string]: unknown } => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === null || proto === Object.prototype
}

const describeActual = (u: unknown): string => {
  if (u === undefined) return "undefined"
  if (typeof u === "number") return String(u)
  if (typeof u === "bigint") return `the bigint ${u}n`
  if (typeof u === "function") return "a function"
  if (typeof u === "symbol") return "a symbol"
  if (Array.isArray(u)) return "an array"
  if (typeof u === "object" && u !== null) {
    const proto = Object.getPrototypeOf(u) as { readonly constructor?: { readonly name?: unknown } } | null
    const ctor = proto?.constructor
    const name = typeof ctor?.name === "string" && ctor.name.length > 0 ? ctor.name : "object"
    return `an instance of ${name}`
  }
  return JSON.stringify(u)
}

const sortedKeys = (o: object): Array<string> => Object.keys(o).sort()

const fail = (path: ReadonlyArray<PropertyKey>, detail: string, expected = jsonValueExpected) =>
  Either.left<Invalid>({ path, detail, expected })

/** Checks and deep-copies `u` into a JSON value with sorted keys (plain prototypes, no shared structure). */
const normalize = (
  u: unknown,
  mode: Mode,
  path: Array<PropertyKey>,
  ancestors: Set<object>
): Either.Either<Json, Invalid> => {
  switch (typeof u) {
    case "string":
    case "boolean":
      return Either.right(u)
    case "number":
      if (Number.isFinite(u)) return Either.right(u)
      return mode === "toml" ? Either.right(null) : fail([...path], `${u} is not a JSON number`)
    case "bigint":
      if (mode === "toml" && u >= BigInt(Number.MIN_SAFE_INTEGER) && u <= BigInt(Number.MAX_SAFE_INTEGER)) {
        return Either.right(Number(u))
      }
      return fail(
        [...path],
        mode === "toml"
          ? `integer ${u} cannot be represented exactly (outside ±2^53-1)`
          : `${describeActual(u)} is not a JSON value`,
        mode === "toml" ? "an integer between -9007199254740991 and 9007199254740991, or a string" : jsonValueExpected
      )
    case "object": {
      if (u === null) return Either.right(null)
      if (u instanceof Date) {
        if (mode === "json") return fail([...path], `${describeActual(u)} is not a JSON value`)
        const valid = u instanceof TomlDate ? u.isValid() : !Number.isNaN(u.getTime())
        return valid ? Either.right(u.toISOString()) : fail([...path], "invalid date", "a valid TOML date or time")
      }
      if (ancestors.has(u)) return fail([...path], "circular reference")
      if (Array.isArray(u)) {
        ancestors.add(u)
        const out: Array<Json> = []
        for (let i = 0; i < u.length; i++) {
          path.push(i)
          const item = normalize(u[i], mode, path, ancestors)
          path.pop()
          if (Either.isLeft(item)) return item
          out.push(item.right)
        }
        ancestors.delete(u)
        return Either.right(out)
      }
      if (!isPlainObject(u)) return fail([...path], `${describeActual(u)} is not a JSON value`)
      ancestors.add(u)
      const entries: Array<[string, Json]> = []
      for (const key of sortedKeys(u)) {
        path.push(key)
        const item = normalize(u[key], mode, path, ancestors)
        path.pop()
        if (Either.isLeft(item)) return item
        entries.push([key, item.right])
      }
      ancestors.delete(u)
      return Either.right(Object.fromEntries(entries))
    }
    default:
      return fail([...path], `${describeActual(u)} is not a JSON value`)
  }
}

/** Checks that `u` is a table (plain object) of JSON values and returns a sorted deep copy. */
const normalizeTable = (u: unknown, mode: Mode): Either.Either<ParamMap, Invalid> => {
  if (!isPlainObject(u)) {
    const detail = `${describeActual(u)} is not a table of parameters`
    return Either.left({ path: [], detail, expected: tableExpected })
  }
  return normalize(u, mode, [], new Set()) as Either.Either<ParamMap, Invalid>
}

const toConfigError = (invalid: Invalid, where: string | undefined): ConfigError => {
  const path = formatPath(where, invalid.path)
  return new ConfigError(
    path === undefined
      ? { detail: invalid.detail, expected: invalid.expected }
      : { detail: invalid.detail, expected: invalid.expected, path }
  )
}

/** The `expected` text of the issues this module creates (their AST is the whole declaration). */
const expectedByIssue = new WeakMap<ParseResult.ParseIssue, string>()

const toParseIssue = (invalid: Invalid, input: unknown, ast: SchemaAST.AST): ParseResult.ParseIssue => {
  const leaf = new ParseResult.Type(ast, input, invalid.detail)
  expectedByIssue.set(leaf, invalid.expected)
  return Arr.isNonEmptyReadonlyArray(invalid.path) ? new ParseResult.Pointer(invalid.path, input, leaf) : leaf
}

const declareNormalized = <A>(
  check: (u: unknown) => Either.Either<A, Invalid>,
  annotations: Schema.Annotations.Schema<A>
): Schema.Schema<A> =>
  Schema.declare<A, A, readonly []>([], {
    decode: () => (input, _options, ast) => Either.mapLeft(check(input), (e) => toParseIssue(e, input, ast)),
    encode: () => (input, _options, ast) => Either.mapLeft(check(input), (e) => toParseIssue(e, input, ast))
  }, annotations)

/** The schema of a JSON value; decoding and encoding both yield a deep copy with sorted object keys. */
export const Json: Schema.Schema<Json> = declareNormalized((u) => normalize(u, "json", [], new Set()), {
  identifier: "Json",
  description: jsonValueExpected
})

/** The schema of a `ParamMap`; decoding and encoding both yield a deep copy with sorted keys. */
export const schema: Schema.Schema<ParamMap> = declareNormalized((u) => normalizeTable(u, "json"), {
  identifier: "ParamMap",
  description: tableExpected
})

/** The empty parameter table ("no parameters", the crate's `ParamMap::new()`). */
export const empty: ParamMap = Object.freeze({})

/** A `ParamMap` from a typed record: a deep copy with sorted keys. */
export const make = (record: ParamMap): ParamMap => encode(record)

/**
 * Checks outside data: `u` must be a plain object whose values are JSON (no functions, `undefined`,
 * `NaN`/`Infinity`, bigints or class instances such as `Date`). The `ConfigError` path names the
 * offending key under `where` (e.g. `params.tags[2]`).
 */
export const decode = (u: unknown, where?: string): Effect.Effect<ParamMap, ConfigError> =>
  Either.mapLeft(normalizeTable(u, "json"), (e) => toConfigError(e, where))

/**
 * Flattens a table returned by smol-toml's `parse` into a `ParamMap`: datetimes become their TOML text
 * (`TomlDate.toISOString`, so local dates/times keep their form), `inf`/`nan` become `null`, nested
 * tables become nested objects, bigints become numbers when safe, otherwise a `ConfigError` names the key.
 */
export const fromToml = (
  table: { readonly [key: string]: unknown },
  where?: string
): Effect.Effect<ParamMap, ConfigError> =>
  Either.mapLeft(normalizeTable(table, "toml"), (e) => toConfigError(e, where))

const tomlPrefix = /^Invalid TOML document:\s*/

/** Parses TOML text into a `ParamMap`; syntax errors become a `ConfigError` with `file`, `line` and `column`. */
export const fromTomlText = (text: string, file?: string): Effect.Effect<ParamMap, ConfigError> =>
  Effect.try({
    try: () => parseToml(text),
    catch: (cause) => {
      if (cause instanceof TomlError) {
        const detail = (cause.message.split("\n")[0] ?? cause.message).replace(tomlPrefix, "")
        const lossless = detail.includes("losslessly")
        return new ConfigError({
          detail: detail.length > 0 ? detail : "invalid TOML",
          file,
          line: cause.line,
          column: cause.column,
          expected: "valid TOML",
          suggestion: lossless ? "write integers beyond ±2^53-1 as strings" : undefined,
          cause
        })
      }
      return new ConfigError({ detail: `cannot parse TOML: ${describeCause(cause)}`, file, cause })
    }
  }).pipe(
    Effect.flatMap((table) => fromToml(table)),
    Effect.mapError((e) => (file === undefined ? e : e.inFile(file)))
  )

const sortDeep = (value: Json): Json => {
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(sortDeep)
  const object = value as { readonly [key: string]: Json }
  return Object.fromEntries(sortedKeys(object).map((key) => [key, sortDeep(object[key] as Json)]))
}

/**
 * A deep copy of `pm` with keys inserted in sorted order at every level. (JavaScript always enumerates
 * integer-like keys such as `"2"` first; `toJson` writes every key in true sorted order.)
 */
export const encode = (pm: ParamMap): ParamMap => sortDeep(pm) as ParamMap

const writeJson = (value: Json): string => {
  if (value === null) return "null"
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false"
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null"
    case "string":
      return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(writeJson).join(",")}]`
  const object = value as { readonly [key: string]: Json }
  return `{${sortedKeys(object).map((key) => `${JSON.stringify(key)}:${writeJson(object[key] as Json)}`).join(",")}}`
}

/** Compact JSON text of `pm` with keys sorted at every level (stable output for diffs and hashing). */
export const toJson = (pm: ParamMap): string => writeJson(pm)

/** The keys of `pm`, sorted. */
export const keys = (pm: ParamMap): ReadonlyArray<string> => sortedKeys(pm)

/** The value under `key`, if `pm` has that key (own keys only). */
export const get: {
  /** The value under `key`, if `pm` has that key (own keys only). */
  (key: string): (pm: ParamMap) => Option.Option<Json>
  /** The value under `key`, if `pm` has that key (own keys only). */
  (pm: ParamMap, key: string): Option.Option<Json>
} = Function.dual(
  2,
  (pm: ParamMap, key: string): Option.Option<Json> =>
    Object.hasOwn(pm, key) ? Option.some(pm[key] as Json) : Option.none()
)

/** `base` with the keys of `overrides` replaced (shallow: a key's whole value is replaced), sorted. */
export const merge: {
  /** `base` with the keys of `overrides` replaced (shallow), sorted. */
  (overrides: ParamMap): (base: ParamMap) => ParamMap
  /** `base` with the keys of `overrides` replaced (shallow), sorted. */
  (base: ParamMap, overrides: ParamMap): ParamMap
} = Function.dual(2, (base: ParamMap, overrides: ParamMap): ParamMap => encode({ ...base, ...overrides }))

/** A readable name for what `ast` accepts: its description, else its own rendering; `undefined` members dropped. */
const describeAst = (ast: SchemaAST.AST): string => {
  if (ast._tag === "Union") {
    const members = ast.types.filter((member) => member._tag !== "UndefinedKeyword")
    return members.length === 0 ? String(ast) : members.map(describeAst).join(" | ")
  }
  if (ast._tag === "Refinement" || ast._tag === "Declaration") {
    return Option.getOrElse(SchemaAST.getDescriptionAnnotation(ast), () => String(ast))
  }
  return String(ast)
}

/**
 * What the first failing branch of `issue` expected (the branch `ArrayFormatter` reports first, whose path
 * has `depth` segments): a union is described whole when the value failed at the union's own level.
 */
const expectedOf = (issue: ParseResult.ParseIssue, depth: number, consumed = 0): string | undefined => {
  switch (issue._tag) {
    case "Pointer":
      return expectedOf(issue.issue, depth, consumed + Arr.ensure(issue.path).length)
    case "Transformation":
      return expectedOf(issue.issue, depth, consumed)
    case "Refinement":
      return issue.kind === "Predicate" ? describeAst(issue.ast) : expectedOf(issue.issue, depth, consumed)
    case "Composite": {
      if (issue.ast._tag === "Union" && consumed >= depth) return describeAst(issue.ast)
      const first = Arr.ensure(issue.issues)[0]
      return first === undefined ? describeAst(issue.ast) : expectedOf(first, depth, consumed)
    }
    case "Missing":
      return describeAst(issue.ast.type)
    case "Type":
    case "Forbidden":
      return expectedByIssue.get(issue) ?? describeAst(issue.ast)
    case "Unexpected":
      return undefined
  }
}

/** The struct `ast` decodes from (through refinements, transformations and suspensions), if it is one. */
export const structOf = (ast: SchemaAST.AST): SchemaAST.TypeLiteral | undefined => {
  switch (ast._tag) {
    case "TypeLiteral":
      return ast
    case "Refinement":
    case "Transformation":
      return structOf(ast.from)
    case "Suspend":
      return structOf(ast.f())
    default:
      return undefined
  }
}

/**
 * The keys a params Schema accepts, sorted, or `none` when it is open-ended (it has an index signature,
 * e.g. `Schema.Struct({ ... }, Schema.Record({ key: Schema.String, value: Json }))`) or is not a struct.
 */
export const knownKeys = (schema: Schema.Schema.Any): Option.Option<ReadonlyArray<string>> => {
  const literal = structOf(schema.ast)
  if (literal === undefined || literal.indexSignatures.length > 0) return Option.none()
  return Option.some(literal.propertySignatures.map((p) => String(p.name)).sort())
}

/** The keys of the struct an `Unexpected` (unknown key) issue was found in: the innermost struct on the way to it. */
const keysAround = (issue: ParseResult.ParseIssue, struct?: SchemaAST.TypeLiteral): ReadonlyArray<string> | undefined => {
  switch (issue._tag) {
    case "Pointer":
      return keysAround(issue.issue, struct)
    case "Transformation":
    case "Refinement":
      return keysAround(issue.issue, struct)
    case "Composite": {
      const first = Arr.ensure(issue.issues)[0]
      const here = issue.ast._tag === "TypeLiteral" ? issue.ast : struct
      return first === undefined ? undefined : keysAround(first, here)
    }
    case "Unexpected":
      return struct?.propertySignatures.map((p) => String(p.name)).sort()
    default:
      return undefined
  }
}

/**
 * Turns a schema `ParseError` into a `ConfigError` located at its first issue: `path` is `where` plus the
 * failing key, `detail` what is wrong, `expected` the expected type; an unknown key gets the known ones
 * and a "did you mean".
 */
export const parseErrorToConfigError = (error: ParseResult.ParseError, where?: string, file?: string): ConfigError => {
  const first = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (first?._tag === "Unexpected") {
    const key = String(first.path.at(-1) ?? "")
    const known = keysAround(error.issue) ?? []
    return new ConfigError({
      detail: `unknown key "${key}"`,
      file,
      path: formatPath(where, first.path),
      expected: known.length === 0 ? "no parameters" : `one of: ${known.join(", ")}`,
      suggestion: didYouMean(key, known),
      cause: error
    })
  }
  const detail = first === undefined
    ? "invalid value"
    : first._tag === "Missing"
    ? "missing required key"
    : first.message
  return new ConfigError({
    detail,
    file,
    path: formatPath(where, first?.path ?? []),
    expected: expectedOf(error.issue, first?.path.length ?? 0),
    cause: error
  })
}

/** The issues of `issue` one by one: each failing key of a struct is its own issue (a union's stay together). */
const splitIssue = (issue: ParseResult.ParseIssue): Arr.NonEmptyReadonlyArray<ParseResult.ParseIssue> => {
  switch (issue._tag) {
    case "Transformation":
      return Arr.map(splitIssue(issue.issue), (i) => new ParseResult.Transformation(issue.ast, issue.actual, issue.kind, i))
    case "Composite": {
      const issues = Arr.ensure(issue.issues)
      return issue.ast._tag === "Union" || !Arr.isNonEmptyReadonlyArray(issues) || issues.length < 2
        ? [issue]
        : Arr.map(issues, (i) => new ParseResult.Composite(issue.ast, issue.actual, i))
    }
    default:
      return [issue]
  }
}

/**
 * Every problem a `ConfigError` stands for: one per failing key when it came from decoding parameters that
 * failed on several keys (`decodeParams` reports all of them, the error itself names the first), else the
 * error alone. The others are located like the first (same key prefix, file and scope).
 */
export const problemsOf = (error: ConfigError): Arr.NonEmptyReadonlyArray<ConfigError> => {
  const cause = error.cause
  if (!ParseResult.isParseError(cause)) return [error]
  const [, ...rest] = splitIssue(cause.issue)
  if (rest.length === 0) return [error]
  const firstPath = ParseResult.ArrayFormatter.formatErrorSync(cause)[0]?.path ?? []
  const relative = formatPath(undefined, firstPath) ?? ""
  const full = error.path ?? ""
  if (!full.endsWith(relative)) return [error]
  const prefix = full.slice(0, full.length - relative.length).replace(/\.$/, "")
  const others = rest.map((issue) => {
    const other = parseErrorToConfigError(new ParseResult.ParseError({ issue }), prefix.length > 0 ? prefix : undefined, error.file)
    return error.scope === undefined ? other : new ConfigError({ ...other.fields, scope: error.scope })
  })
  return [error, ...others]
}

/**
 * Decodes `pm` into typed connector parameters with `schema`; a failure is a `ConfigError` whose path is
 * `where` (default `"params"`) plus the failing key (e.g. `params.port`). Every key is checked: when several
 * fail, the error names the first and `problemsOf` gives one error per key. A key the Schema does not
 * declare is an error (`unknown key`, with a "did you mean"), unless the Schema is open-ended (has an
 * index signature) or `options` says otherwise.
 */
export const decodeParams = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  pm: ParamMap,
  where: string = "params",
  options?: SchemaAST.ParseOptions
): Effect.Effect<A, ConfigError, R> =>
  Schema.decodeUnknown(schema, { errors: "all", onExcessProperty: "error", ...options })(pm).pipe(Effect.mapError((e) => parseErrorToConfigError(e, where)))
