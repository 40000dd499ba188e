/**
 * The entries of the topology files, as written: `[[sources]]` (key, enable, connect, tags, params),
 * `[sink_group]` (name, tags, filter, parallel) and `[[sink_group.sinks]]` (name, connect, params,
 * tags, filter), and the `tags` of `topology/sinks/defaults.toml`. Decoding reports every problem of an
 * entry, each at its key, with a "did you mean" for unknown keys; `salvage` keeps what can still be
 * checked of an entry that had problems.
 *
 * @since 0.1.0
 */
import { Either, Option, ParseResult, Schema } from "effect"
import * as ParamMap from "../config/param.js"
import { didYouMean } from "../config/suggest.js"
import * as SinkExpect from "./sink-expect.js"
import type { Problem } from "./toml-document.js"
import type { Segment } from "./toml-lines.js"

const Name = Schema.NonEmptyTrimmedString
const TagList = Schema.Array(Schema.String)
const Params = Schema.optionalWith(ParamMap.schema, { default: () => ParamMap.empty, exact: true })
/** WarpParse's name for `params` in `[[sources]]` and `[[sink_group.sinks]]`. */
const ParamsOverride = Schema.optionalWith(ParamMap.schema, { exact: true })
const Tags = Schema.optionalWith(TagList, { default: () => [], exact: true })

/**
 * A `[[sources]]` entry: `enable` defaults to true, `tags` to none, `params` (the overrides) to none, and
 * `processors` (the names of `[[processors]]` its events go through, in order) to none.
 */
export const SourceEntry = Schema.Struct({
  key: Name,
  enable: Schema.optionalWith(Schema.Boolean, { default: () => true, exact: true }),
  connect: Name,
  tags: Tags,
  params: Params,
  params_override: ParamsOverride,
  processors: Schema.optionalWith(Schema.Array(Name), { default: () => [], exact: true })
})

/** A decoded `[[sources]]` entry. */
export type SourceEntry = typeof SourceEntry.Type

/** A `[[sink_group.sinks]]` entry: `name` defaults to the connector id; `expect` is its expected share of the input. */
export const SinkEntry = Schema.Struct({
  name: Schema.optionalWith(Name, { exact: true }),
  connect: Name,
  tags: Tags,
  filter: Schema.optionalWith(Schema.String, { exact: true }),
  params: Params,
  params_override: ParamsOverride,
  expect: Schema.optionalWith(SinkExpect.SinkExpect, { exact: true })
})

/** A decoded `[[sink_group.sinks]]` entry. */
export type SinkEntry = typeof SinkEntry.Type

/**
 * A `[sink_group]` table without its sinks; `parallel` (replicas of each sink, 1 to 16) defaults to 1,
 * `rate_limit_rps` (events per second of each sink replica, 0 = unlimited) to 0. WarpParse's `oml` and
 * `rule` (which models feed the group) are accepted and warned about; `expect` sets the defaults of its
 * sinks' expectations.
 */
export const SinkGroupEntry = Schema.Struct({
  name: Name,
  oml: Schema.optionalWith(Schema.Unknown, { exact: true }),
  rule: Schema.optionalWith(Schema.Unknown, { exact: true }),
  expect: Schema.optionalWith(SinkExpect.GroupExpect, { exact: true }),
  tags: Tags,
  filter: Schema.optionalWith(Schema.String, { exact: true }),
  parallel: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 16)), { default: () => 1, exact: true }),
  rate_limit_rps: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)), { default: () => 0, exact: true }),
  sinks: Schema.Array(Schema.Unknown)
})

/** A decoded `[sink_group]` table (its sinks still undecoded). */
export type SinkGroupEntry = typeof SinkGroupEntry.Type

const Version = Schema.optionalWith(Schema.String, { exact: true })

/** A file of `connectors/*.d/`: its `[[connectors]]` entries (decoded by `ConnectorDef.decode`). */
export const ConnectorsFile = Schema.Struct({
  version: Version,
  connectors: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [], exact: true })
})

/** A file of `topology/sources/`: its `[[sources]]` entries. */
export const SourcesFile = Schema.Struct({
  version: Version,
  sources: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [], exact: true })
})

/** A file of `topology/sinks/` (other than `defaults.toml`): one `[sink_group]`. */
export const SinkGroupFile = Schema.Struct({
  version: Version,
  sink_group: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

/** `[defaults]` of `topology/sinks/defaults.toml`, as WarpParse writes it: `tags` and `[defaults.expect]`. */
export const DefaultsTable = Schema.Struct({
  tags: Tags,
  expect: Schema.optionalWith(SinkExpect.GroupExpect, { exact: true })
})

/** `topology/sinks/defaults.toml`: default `tags` of every sink group (top-level, or in `[defaults]`). */
export const SinkDefaults = Schema.Struct({
  version: Version,
  tags: Tags,
  defaults: Schema.optionalWith(DefaultsTable, { exact: true })
})

/** What each key of the entries above expects, for messages. */
const expectations: { readonly [key: string]: string } = {
  key: "a non-empty name, unique among the sources",
  name: "a non-empty name",
  enable: "true or false",
  connect: "the id of a connector in connectors/*.d/",
  tags: "an array of \"key:value\" strings",
  params: "a table of parameters",
  params_override: "a table of parameters (WarpParse's name for params)",
  filter: "a filter expression (see docs/filters.md)",
  parallel: "an integer from 1 to 16",
  rate_limit_rps: "an integer >= 0 (events per second of each sink replica; 0 = unlimited)",
  sinks: "an array of [[sink_group.sinks]] tables",
  version: "a string",
  connectors: "an array of [[connectors]] tables",
  sources: "an array of [[sources]] tables",
  sink_group: "a [sink_group] table",
  expect: "an expect table: ratio with tol, or min and/or max (shares from 0 to 1); basis, mode, min_samples",
  defaults: "a [defaults] table with tags and [defaults.expect]",
  "": "a table"
}

/** What the key at `path` expects: an `expect` key's own expectation, else its top-level key's. */
const expectedAt = (path: ReadonlyArray<PropertyKey>): string | undefined => {
  const head = typeof path[0] === "string" ? path[0] : ""
  const sub = path[1]
  return (head === "expect" || head === "defaults") && typeof sub === "string"
    ? SinkExpect.expectations[sub] ?? (typeof path[2] === "string" ? SinkExpect.expectations[path[2]] : undefined) ?? expectations[head]
    : expectations[head]
}

/** A problem of an entry, at `segments` relative to the entry. */
export interface EntryProblem extends Problem {
  readonly segments: ReadonlyArray<Segment>
}

/** A hint for an unknown key that is probably a connector parameter written outside `params`. */
const misplacedHint = (key: string, known: ReadonlyArray<string>): string | undefined =>
  known.includes("params") ? `connector parameters go under params: params = { ${key} = ... }` : undefined

/**
 * Decodes `u` with `schema`, rejecting unknown keys. Every problem is returned (one per key path), unknown
 * keys with the nearest known key as suggestion.
 */
export const decode = <A, I>(
  schema: Schema.Schema<A, I> & { readonly fields: Schema.Struct.Fields },
  u: unknown
): Either.Either<A, ReadonlyArray<EntryProblem>> => {
  const known = Object.keys(schema.fields)
  return Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(u),
    (error) => {
      const seen = new Set<string>()
      const problems: Array<EntryProblem> = []
      const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
      for (const issue of issues) {
        const at = ParamMap.formatPath(undefined, issue.path) ?? ""
        if (seen.has(at)) continue
        seen.add(at)
        // a union (`Schema.Literal("a", "b")`) fails once per member at the same path: one problem naming them all
        const members = issues.filter((other) => (ParamMap.formatPath(undefined, other.path) ?? "") === at)
          .map((other) => /^Expected (.*), actual (.*)$/s.exec(other.message))
        if (members.length > 1 && members.every((m) => m !== null)) {
          const expected = members.map((m) => m![1]!)
          problems.push({
            segments: issue.path.map((s): Segment => (typeof s === "number" ? s : String(s))),
            detail: `invalid value ${members[0]![2]}`,
            expected: expectedAt(issue.path) ?? `one of: ${expected.join(", ")}`
          })
          continue
        }
        const segments = issue.path.map((s): Segment => (typeof s === "number" ? s : String(s)))
        const head = typeof issue.path[0] === "string" ? issue.path[0] : ""
        if (issue._tag === "Unexpected" && issue.path.length === 1) {
          problems.push({
            segments,
            detail: `unknown key "${head}"`,
            expected: `one of: ${known.join(", ")}`,
            suggestion: didYouMean(head, known) ?? misplacedHint(head, known)
          })
        } else if (issue._tag === "Missing") {
          problems.push({ segments, detail: "missing required key", expected: expectedAt(issue.path) })
        } else {
          const typed = /^Expected (.*), actual (.*)$/s.exec(issue.message)
          problems.push(
            typed === null
              ? { segments, detail: issue.message, expected: expectedAt(issue.path) }
              : { segments, detail: `invalid value ${typed[2]}`, expected: expectedAt(issue.path) ?? typed[1] }
          )
        }
      }
      return problems
    }
  )
}

/** How `salvage` treats the keys that had a problem. */
export interface SalvageOptions {
  /** Keys whose problem leaves nothing worth checking (`connect`, `params`): with one of them, nothing is salvaged. */
  readonly blocking?: ReadonlyArray<string> | undefined
  /** Stand-ins for required keys that had a problem (a source `key`), so the rest can still be checked. */
  readonly fallback?: { readonly [key: string]: unknown } | undefined
}

/**
 * What can still be checked of `u` after `decode` reported `problems` for it: `u` without the keys that
 * had a problem (optional ones take their defaults, required ones their `fallback`), decoded again.
 * `none` when a `blocking` key had a problem or a required key has no fallback. So a problem in one key
 * of a file or an entry hides no problem of its other keys.
 */
export const salvage = <A, I>(
  schema: Schema.Schema<A, I> & { readonly fields: Schema.Struct.Fields },
  u: unknown,
  problems: ReadonlyArray<EntryProblem>,
  options: SalvageOptions = {}
): Option.Option<A> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return Option.none()
  const bad = new Set(problems.flatMap((p) => (typeof p.segments[0] === "string" ? [p.segments[0]] : [])))
  if (problems.some((p) => p.segments.length === 0) || (options.blocking ?? []).some((key) => bad.has(key))) return Option.none()
  const kept: { [key: string]: unknown } = {}
  for (const [key, value] of Object.entries(u)) if (!bad.has(key) && Object.hasOwn(schema.fields, key)) kept[key] = value
  return Either.getRight(Schema.decodeUnknownEither(schema)({ ...options.fallback, ...kept }))
}
