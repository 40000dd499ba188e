/**
 * `Project`: loading a work root (connector definitions and topology, in the WarpParse layout) and
 * resolving it into the `ResolvedSourceSpec`s and `ResolvedSinkSpec`s the engine builds. Every problem
 * is collected and reported at once, each located by file, line and key path.
 *
 * @since 0.1.0
 */
import { Array as Arr, Effect, Either, Option, type Schema } from "effect"
import * as path from "node:path"
import type { ConnectorDef, ConnectorScope } from "../config/def.js"
import * as ParamMap from "../config/param.js"
import { didYouMean } from "../config/suggest.js"
import { ConfigError } from "../errors/config.js"
import * as Tags from "../model/tags.js"
import { ConnectorRegistry } from "../registry/registry.js"
import type { EngineOptionsInput } from "../runtime/engine-options.js"
import * as Filter from "../runtime/filter.js"
import type * as Processor from "../processing/processor.js"
import type { GroupRole, PipelineSpec } from "../runtime/pipeline.js"
import type { ResolvedSinkSpec } from "../sink/factory.js"
import type { ResolvedSourceSpec } from "../source/factory.js"
import * as ConnectorCatalog from "./connector-catalog.js"
import * as EngineTable from "./engine-options.js"
import * as Interpolate from "./interpolate.js"
import * as Layout from "./layout.js"
import * as Problems from "./problems.js"
import * as Processors from "./processors.js"
import { ProjectErrors } from "./project-errors.js"
import * as Resolution from "./resolution.js"
import * as SinkExpect from "./sink-expect.js"
import * as TomlDocument from "./toml-document.js"
import type { Segment } from "./toml-lines.js"
import * as Topology from "./topology.js"
import * as WparseConf from "./wparse-conf.js"

/** Every problem one load of a project found (code 300). */
export { ProjectErrors } from "./project-errors.js"

/**
 * A resolved `[[sources]]` entry: its spec, whether it is enabled (a disabled one is not built), the
 * processors its events go through (in order) and where it is.
 */
export interface ResolvedSource {
  readonly spec: ResolvedSourceSpec
  readonly enabled: boolean
  readonly processors: ReadonlyArray<Processor.Processor>
  readonly file: string
  readonly line: number | undefined
}

/** A resolved `[[sink_group.sinks]]` entry: its spec, its tags (defaults, group, own) and where it is. */
export interface ResolvedSink {
  readonly spec: ResolvedSinkSpec
  /** `key:value` strings, sorted by key. */
  readonly tags: ReadonlyArray<string>
  /** Its expected share of the input (`expect`), checked at the end of a run. */
  readonly expect: Option.Option<SinkExpect.Expectation>
  readonly line: number | undefined
}

/** A resolved `[sink_group]`: name, tags (defaults, then its own), filter, replicas per sink, sinks, file. */
export interface ResolvedSinkGroup {
  readonly name: string
  /** The role of a group of `topology/sinks/infra.d/` (none: a business group). */
  readonly role: GroupRole | undefined
  /** `key:value` strings, sorted by key. */
  readonly tags: ReadonlyArray<string>
  readonly filter: Option.Option<string>
  /** Replicas of each sink (`parallel`, 1 to 16). */
  readonly parallel: number
  /** Events per second of each sink replica (`rate_limit_rps`; 0 = unlimited). */
  readonly rateLimitRps: number
  readonly sinks: ReadonlyArray<ResolvedSink>
  readonly file: string
}

/** A project that loaded clean: every spec in it passed its factory's `validateSpec`. */
export interface ResolvedProject {
  /** The work root, absolute. */
  readonly workRoot: string
  readonly sources: ReadonlyArray<ResolvedSource>
  readonly sinkGroups: ReadonlyArray<ResolvedSinkGroup>
  /** The engine options of its `[engine]` table (`engine.toml`; none without it). */
  readonly engine: EngineOptionsInput
  /** The processors of `processors/*.toml`, by name. */
  readonly processors: ReadonlyMap<string, Processors.Declared>
  /** What is accepted but means nothing here (WarpParse keys such as `[models]`, a group's `oml`), one each. */
  readonly warnings: ReadonlyArray<ConfigError>
  /** Where `wpc run` logs (`[log_conf]` of `conf/wparse.toml`; none: stderr at the default level). */
  readonly log: WparseConf.LogConf | undefined
}

/** How `loadProject` reads variables. */
export interface LoadOptions {
  /** Where `${VAR}` values come from (default `process.env`). */
  readonly env?: Interpolate.Environment | undefined
}

/** What resolving one entry needs. */
interface Context {
  readonly registry: ConnectorRegistry
  readonly catalog: ConnectorCatalog.ConnectorCatalog
  readonly env: Interpolate.Environment
  readonly problems: Problems.Problems
  readonly processors: Processors.Loaded
  /** The record fields sink filters may name (`Filter.checkFields`); `undefined` checks nothing. */
  readonly knownFields?: ReadonlyArray<string> | undefined
}

const other = (scope: ConnectorScope): ConnectorScope => (scope === "source" ? "sink" : "source")

/** Finds `connect` among the definitions of `scope`; a miss is a problem (unknown id, or the wrong scope). */
const lookup = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  scope: ConnectorScope,
  connect: string
): Option.Option<ConnectorCatalog.CatalogEntry> => {
  const entry = ctx.catalog[scope].get(connect)
  if (entry !== undefined) return Option.some(entry)
  // a definition that did not decode was reported where it is written
  if (ctx.catalog.undecoded[scope].has(connect)) return Option.none()
  const known = [...ctx.catalog[scope].keys()].sort()
  const elsewhere = ctx.catalog[other(scope)].get(connect)
  ctx.problems.add(TomlDocument.problem(doc, [...at, "connect"], elsewhere === undefined
    ? {
      detail: `unknown ${scope} connector id "${connect}"`,
      expected: known.length === 0 ? `a ${scope} connector id (none is defined)` : `one of: ${known.join(", ")}`,
      suggestion: didYouMean(connect, known) ?? `define it under [[connectors]] in ${Layout.connectorDirs[scope]}/`
    }
    : {
      detail: `"${connect}" is a ${other(scope)} connector (${elsewhere.location}), not a ${scope} connector`,
      expected: known.length === 0 ? `a ${scope} connector id` : `one of: ${known.join(", ")}`,
      suggestion: `a ${scope} needs a connector from ${Layout.connectorDirs[scope]}/`
    }))
  return Option.none()
}

/** The overrides of an entry and the key that holds them (`params`, or WarpParse's `params_override`). */
interface Overrides {
  readonly key: "params" | "params_override"
  readonly params: ParamMap.ParamMap
}

/**
 * The overrides of an entry as written (`u`, decoded as `entry`): `params`, or `params_override` as
 * WarpParse writes them; both at once is a problem at `params_override`.
 */
const overridesOf = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  u: unknown,
  entry: { readonly params: ParamMap.ParamMap; readonly params_override?: ParamMap.ParamMap | undefined }
): Option.Option<Overrides> => {
  if (entry.params_override === undefined) return Option.some({ key: "params", params: entry.params })
  if (typeof u === "object" && u !== null && Object.hasOwn(u, "params")) {
    ctx.problems.add(TomlDocument.problem(doc, [...at, "params_override"], {
      detail: "both params and params_override are given",
      expected: "one table of overrides: params, or params_override (WarpParse's name)",
      suggestion: "merge them into one"
    }))
    return Option.none()
  }
  return Option.some({ key: "params_override", params: entry.params_override })
}

/** Resolves the params of an entry: variables, `url`, refused overrides, then the merge over the connector's. */
const resolveParams = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  entry: ConnectorCatalog.CatalogEntry,
  resolved: ConnectorCatalog.ResolvedDef,
  overrides: Overrides
): Effect.Effect<Option.Option<ParamMap.ParamMap>> =>
  Effect.gen(function*() {
    const paramsAt = [...at, overrides.key]
    const expanded = Interpolate.params(overrides.params, ctx.env)
    ctx.problems.add(...expanded.unresolved.map((u) => TomlDocument.problem(doc, [...paramsAt, ...u.segments], u)))
    const withUrl = yield* ctx.problems.attempt(
      Resolution.expandUrl(expanded.params, entry.def.kind, resolved.adapter),
      (e) => TomlDocument.locate(doc, paramsAt, e)
    )
    const refused = Resolution.refusals(
      entry.def,
      ParamMap.keys(overrides.params),
      Option.match(withUrl, { onNone: () => [], onSome: (w) => w.fromUrl }),
      entry.overrideSite
    )
    ctx.problems.add(...refused.map((r) => TomlDocument.problem(doc, [...paramsAt, r.key], r)))
    if (Option.isNone(withUrl) || expanded.unresolved.length > 0 || refused.length > 0) return Option.none()
    return Option.some(ParamMap.merge(resolved.params, withUrl.value.params))
  })

/** Connects the entry at `at` to its connector of `scope` and resolves its params; problems are recorded. */
const connect = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  scope: ConnectorScope,
  id: string,
  overrides: Overrides
): Effect.Effect<Option.Option<{ readonly def: ConnectorDef; readonly params: ParamMap.ParamMap }>> => {
  const entry = lookup(ctx, doc, at, scope, id)
  // a definition that has a problem of its own was reported where it is defined
  if (Option.isNone(entry) || Option.isNone(entry.value.resolved)) return Effect.succeedNone
  const def = entry.value.def
  return Effect.map(
    resolveParams(ctx, doc, at, entry.value, entry.value.resolved.value, overrides),
    Option.map((params) => ({ def, params }))
  )
}

/** Runs a factory's `validateSpec` for the entry at `at`; a refusal is recorded there, one problem per bad param. */
const validated = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  validate: Effect.Effect<void, ConfigError>,
  paramsKey: Overrides["key"] = "params"
): Effect.Effect<boolean> =>
  Effect.match(validate, {
    onFailure: (e) => {
      // a param's problem is placed where its overrides are written (WarpParse's params_override)
      const placed = (problem: ConfigError) =>
        paramsKey === "params" || problem.path === undefined || !/^params(\.|$)/.test(problem.path)
          ? problem
          : new ConfigError({ ...problem.fields, path: problem.path.replace(/^params/, paramsKey) })
      const located = ParamMap.problemsOf(e).map((problem) => TomlDocument.locate(doc, at, placed(problem)))
      ctx.problems.add(...located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)))
      return false
    },
    onSuccess: () => true
  })

/** The `tags` (`key:value` strings) of the entry at `at` as sorted `Tags`; a malformed tag is a problem at `at.tags[i]`. */
const tagsOf = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  strings: ReadonlyArray<string>
): Option.Option<Tags.Tags> =>
  Either.match(Tags.fromStrings(strings), {
    onLeft: (e) => {
      ctx.problems.add(TomlDocument.locate(doc, at, e))
      return Option.none()
    },
    onRight: Option.some
  })

/** Checks the syntax of the `filter` of the entry at `at`; a bad one is a problem at `at.filter`. */
const checkFilter = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  filter: string | undefined
): boolean => {
  if (filter === undefined) return true
  if (/\.wpl\s*$/.test(filter)) {
    ctx.problems.add(TomlDocument.problem(doc, [...at, "filter"], {
      detail: `${JSON.stringify(filter)} is a WarpParse filter file, which this edition does not read`,
      expected: "a filter expression (docs/filters.md)",
      suggestion: "write its condition as a filter expression; note that a filter here selects the events the sink takes, where WarpParse's keeps them out"
    }))
    return false
  }
  return Either.match(Filter.parse(filter, "filter"), {
    onLeft: (e) => {
      ctx.problems.add(TomlDocument.locate(doc, at, e))
      return false
    },
    onRight: (parsed) => {
      const unknown = Filter.checkFields(parsed, ctx.knownFields, "filter")
      ctx.problems.add(...unknown.map((e) => TomlDocument.locate(doc, at, e)))
      return unknown.length === 0
    }
  })
}

/**
 * The record fields the events of a source are known to have after its processors: the `fields` of its
 * last processor when that one declares them (`keep`, `regex`, `csv`, `syslog`), none without processors,
 * and `undefined` (unknown) otherwise.
 */
const fieldsAfter = (processors: ReadonlyArray<Processor.Processor>): ReadonlyArray<string> | undefined =>
  processors.length === 0 ? [] : processors[processors.length - 1]!.fields

/**
 * The fields every sink filter may name with `$field`: those of every enabled source together, or
 * `undefined` (nothing checked) when one source's are unknown. A sink group takes events from every source.
 */
const knownFieldsOf = (sources: ReadonlyArray<ResolvedSource>): ReadonlyArray<string> | undefined => {
  const all = new Set<string>()
  for (const source of sources) {
    if (!source.enabled) continue
    const fields = fieldsAfter(source.processors)
    if (fields === undefined) return undefined
    for (const f of fields) all.add(f)
  }
  return [...all].sort()
}

/** What decoding a file or an entry gave: what can be checked of it, and the keys that had a problem. */
interface Decoded<A> {
  /** The entry, or what `Topology.salvage` kept of it; `none` when nothing is worth checking. */
  readonly value: Option.Option<A>
  /** The keys with a problem (already recorded); empty when the entry decoded clean. */
  readonly bad: ReadonlySet<string>
}

/**
 * Decodes `u`, the file or entry at `at`, with `schema`. Its problems are recorded, and the rest of it is
 * salvaged (see `Topology.salvage`) so that its other keys, params included, are still checked.
 */
const decodeAt = <A, I>(
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  schema: Schema.Schema<A, I> & { readonly fields: Schema.Struct.Fields },
  u: unknown,
  options?: Topology.SalvageOptions
): Decoded<A> => {
  const decoded = Topology.decode(schema, u)
  if (Either.isRight(decoded)) return { value: Option.some(decoded.right), bad: new Set() }
  const problems = decoded.left
  ctx.problems.add(...problems.map((p) => TomlDocument.problem(doc, [...at, ...p.segments], p)))
  return {
    value: Topology.salvage(schema, u, problems, options),
    bad: new Set(problems.map((p) => String(p.segments[0] ?? "")))
  }
}

/** An entry whose `connect` or `params` has a problem is not resolved: what would follow is that problem again. */
const entryBlocking = ["connect", "params", "params_override"]

/** First places of names already taken (source keys, group names, sink names in a group). */
type Seen = Map<string, string>

const duplicate = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  seen: Seen,
  name: string,
  what: string
): boolean => {
  const first = seen.get(name)
  if (first === undefined) {
    seen.set(name, TomlDocument.location(doc, at))
    return false
  }
  ctx.problems.add(TomlDocument.problem(doc, at, {
    detail: `duplicate ${what} "${name}"`,
    expected: `a ${what} used once`,
    suggestion: `the first "${name}" is at ${first}; rename one of them`
  }))
  return true
}

/** The processors a source names, in order; an unknown name is a problem at `processors[j]`, with a did-you-mean. */
const processorsOf = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  names: ReadonlyArray<string>
): Option.Option<ReadonlyArray<Processor.Processor>> => {
  const out: Array<Processor.Processor> = []
  let ok = true
  for (const [j, name] of names.entries()) {
    const declared = ctx.processors.built.get(name)
    if (declared !== undefined) {
      out.push(declared.processor)
      continue
    }
    ok = false
    // a processor declared but broken was reported where it is declared
    if (ctx.processors.broken.has(name)) continue
    const known = [...ctx.processors.built.keys(), ...ctx.processors.broken].sort()
    ctx.problems.add(TomlDocument.problem(doc, [...at, "processors", j], {
      detail: `unknown processor "${name}"`,
      expected: known.length === 0 ? "the name of a [[processors]] entry (none is declared)" : `one of: ${known.join(", ")}`,
      suggestion: didYouMean(name, known) ?? `declare it under [[processors]] in ${Processors.dir}/*.toml`
    }))
  }
  return ok ? Option.some(out) : Option.none()
}

/** Loads the `[[sources]]` of one file. */
const loadSourceFile = (ctx: Context, file: string, keys: Seen, out: Array<ResolvedSource>) =>
  Effect.gen(function*() {
    const read = yield* ctx.problems.attempt(TomlDocument.read(file))
    if (Option.isNone(read)) return
    const doc = read.value
    const top = decodeAt(ctx, doc, [], Topology.SourcesFile, doc.table)
    if (Option.isNone(top.value)) return
    const sources = top.value.value.sources
    for (let i = 0; i < sources.length; i++) {
      const at = ["sources", i]
      const decoded = decodeAt(ctx, doc, at, Topology.SourceEntry, sources[i], {
        blocking: entryBlocking,
        fallback: { key: `sources[${i}]` }
      })
      if (Option.isNone(decoded.value)) continue
      const entry = decoded.value.value
      const clean = top.bad.size === 0 && decoded.bad.size === 0
      // a key with a problem is no name to compare
      const unique = decoded.bad.has("key") || !duplicate(ctx, doc, [...at, "key"], keys, entry.key, "source key")
      const tags = tagsOf(ctx, doc, at, entry.tags)
      const overrides = overridesOf(ctx, doc, at, sources[i], entry)
      if (Option.isNone(overrides)) continue
      const connected = yield* connect(ctx, doc, at, "source", entry.connect, overrides.value)
      if (Option.isNone(connected) || Option.isNone(tags)) continue
      const spec: ResolvedSourceSpec = {
        name: entry.key,
        kind: connected.value.def.kind,
        connectorId: connected.value.def.id,
        params: connected.value.params,
        tags: Tags.toStrings(tags.value)
      }
      const valid = yield* validated(
        ctx,
        doc,
        at,
        Effect.flatMap(ctx.registry.sourceFactory(spec.kind), (f) => f.validateSpec(spec)),
        overrides.value.key
      )
      const processors = processorsOf(ctx, doc, at, entry.processors)
      if (valid && unique && clean && Option.isSome(processors)) {
        out.push({ spec, enabled: entry.enable, processors: processors.value, file: doc.file, line: TomlDocument.line(doc, at) })
      }
    }
  })

/** The expectation of the sink at `at` (none without `expect`); a bad combination is a problem at its key. */
const expectOf = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  at: ReadonlyArray<Segment>,
  own: SinkExpect.SinkExpect | undefined,
  group: SinkExpect.GroupExpect | undefined,
  defaults: SinkExpect.GroupExpect | undefined
): Either.Either<Option.Option<SinkExpect.Expectation>, void> => {
  if (own === undefined) return Either.right(Option.none())
  return Either.match(SinkExpect.resolve(own, group, defaults), {
    onLeft: (p) => {
      ctx.problems.add(TomlDocument.problem(doc, [...at, "expect", ...(p.key === "" ? [] : [p.key])], p))
      return Either.left(undefined)
    },
    onRight: (e) => Either.right(Option.some(e))
  })
}

/** The directory of infra groups under `topology/sinks/`, and the groups it may hold. */
const infraDir = "infra.d"
const infraRoles: ReadonlyArray<GroupRole> = ["default", "miss", "residue", "error", "monitor"]

/** Keys of a `[sink_group]` that WarpParse reads and this edition accepts without meaning. */
const groupWarnings: { readonly [key: string]: string } = {
  oml: "OML models are not run by this edition: the group takes the events its filter selects (docs/filters.md)",
  rule: "WPL rules are not run by this edition: the group takes the events its filter selects (docs/filters.md)"
}

/** Resolves the sinks of a group. */
const loadSinks = (
  ctx: Context,
  doc: TomlDocument.TomlDocument,
  group: Topology.SinkGroupEntry,
  groupTags: Tags.Tags,
  defaultExpect: SinkExpect.GroupExpect | undefined
) =>
  Effect.gen(function*() {
    const names: Seen = new Map()
    const out: Array<ResolvedSink> = []
    for (let j = 0; j < group.sinks.length; j++) {
      const at = ["sink_group", "sinks", j]
      const decoded = decodeAt(ctx, doc, at, Topology.SinkEntry, group.sinks[j], { blocking: entryBlocking })
      if (Option.isNone(decoded.value)) continue
      const entry = decoded.value.value
      const clean = decoded.bad.size === 0
      const name = entry.name ?? entry.connect
      // a name with a problem is no name to compare
      const unique = decoded.bad.has("name") ||
        !duplicate(ctx, doc, [...at, entry.name === undefined ? "connect" : "name"], names, name, `sink name in group "${group.name}"`)
      const tags = tagsOf(ctx, doc, at, entry.tags)
      const filterOk = checkFilter(ctx, doc, at, entry.filter)
      const expectation = expectOf(ctx, doc, at, entry.expect, group.expect, defaultExpect)
      const overrides = overridesOf(ctx, doc, at, group.sinks[j], entry)
      if (Option.isNone(overrides)) continue
      const connected = yield* connect(ctx, doc, at, "sink", entry.connect, overrides.value)
      if (Option.isNone(connected) || Option.isNone(tags) || !filterOk || Either.isLeft(expectation)) continue
      const spec: ResolvedSinkSpec = {
        group: group.name,
        name,
        kind: connected.value.def.kind,
        connectorId: connected.value.def.id,
        params: connected.value.params,
        filter: Option.fromNullable(entry.filter)
      }
      const valid = yield* validated(
        ctx,
        doc,
        at,
        Effect.flatMap(ctx.registry.sinkFactory(spec.kind), (f) => f.validateSpec(spec)),
        overrides.value.key
      )
      if (valid && unique && clean) {
        out.push({ spec, tags: Tags.toStrings(Tags.merge(groupTags, tags.value)), expect: expectation.right, line: TomlDocument.line(doc, at) })
      }
    }
    return out
  })

/** Loads the `[sink_group]` of one file. */
const loadSinkFile = (
  ctx: Context,
  file: string,
  sinksDir: string,
  defaults: SinkDefaults,
  groups: Seen,
  out: Array<ResolvedSinkGroup>
) =>
  Effect.gen(function*() {
    const read = yield* ctx.problems.attempt(TomlDocument.read(file))
    if (Option.isNone(read)) return
    const doc = read.value
    const top = decodeAt(ctx, doc, [], Topology.SinkGroupFile, doc.table)
    if (Option.isNone(top.value)) return
    const at = ["sink_group"]
    const decoded = decodeAt(ctx, doc, at, Topology.SinkGroupEntry, top.value.value.sink_group, { fallback: { name: "(unnamed)" } })
    if (Option.isNone(decoded.value)) return
    const group = decoded.value.value
    const clean = top.bad.size === 0 && decoded.bad.size === 0
    // a name with a problem is no name to compare
    const unique = decoded.bad.has("name") || !duplicate(ctx, doc, [...at, "name"], groups, group.name, "sink group name")
    const tags = tagsOf(ctx, doc, at, group.tags)
    const filterOk = checkFilter(ctx, doc, at, group.filter)
    for (const [key, why] of Object.entries(groupWarnings)) {
      if (Object.hasOwn(group, key)) {
        ctx.problems.warn(TomlDocument.problem(doc, [...at, key], { detail: "accepted, has no meaning in this edition", expected: why }))
      }
    }
    const infra = path.relative(sinksDir, file).split(path.sep)[0] === infraDir
    const role = infra ? infraRoles.find((r) => r === group.name) : undefined
    if (infra && role === undefined && !decoded.bad.has("name")) {
      ctx.problems.add(TomlDocument.problem(doc, [...at, "name"], {
        detail: `"${group.name}" is not an infra group`,
        expected: `one of: ${infraRoles.join(", ")} (the groups of ${infraDir}/)`,
        suggestion: didYouMean(group.name, infraRoles) ?? `a business group goes in business.d/`
      }))
    }
    if (group.sinks.length === 0) {
      ctx.problems.add(TomlDocument.problem(doc, [...at, "sinks"], {
        detail: `sink group "${group.name}" has no sinks`,
        expected: "at least one [[sink_group.sinks]] table",
        suggestion: "add [[sink_group.sinks]] with name and connect"
      }))
    }
    const groupTags = Tags.merge(defaults.tags, Option.getOrElse(tags, () => Tags.empty))
    const sinks = yield* loadSinks(ctx, doc, group, groupTags, defaults.expect)
    if (Option.isNone(tags) || !filterOk || !unique || !clean || sinks.length !== group.sinks.length) return
    if (infra && role === undefined) return
    out.push({
      name: group.name,
      role,
      tags: Tags.toStrings(groupTags),
      filter: Option.fromNullable(group.filter),
      parallel: group.parallel,
      rateLimitRps: group.rate_limit_rps,
      sinks,
      file: doc.file
    })
  })

/** What `topology/sinks/defaults.toml` gives every group: tags, and the defaults of its sinks' expectations. */
interface SinkDefaults {
  readonly tags: Tags.Tags
  readonly expect: SinkExpect.GroupExpect | undefined
}

const noDefaults: SinkDefaults = { tags: Tags.empty, expect: undefined }

/** The defaults of `topology/sinks/defaults.toml`: top-level `tags`, then `[defaults]` `tags` and `expect`. */
const loadSinkDefaults = (ctx: Context, file: string) =>
  Effect.gen(function*() {
    const read = yield* ctx.problems.attempt(TomlDocument.read(file))
    if (Option.isNone(read)) return noDefaults
    const decoded = decodeAt(ctx, read.value, [], Topology.SinkDefaults, read.value.table)
    if (Option.isNone(decoded.value)) return noDefaults
    const top = Option.getOrElse(tagsOf(ctx, read.value, [], decoded.value.value.tags), () => Tags.empty)
    const table = decoded.value.value.defaults
    if (table === undefined) return { tags: top, expect: undefined }
    const inner = Option.getOrElse(tagsOf(ctx, read.value, ["defaults"], table.tags), () => Tags.empty)
    return { tags: Tags.merge(top, inner), expect: table.expect }
  })

/** The `*.toml` files of a topology directory; a missing or empty one is a problem. */
const topologyFiles = (ctx: Context, dir: string, recursive: boolean, what: string) =>
  Effect.map(ctx.problems.attempt(Layout.tomlFiles(dir, recursive)), (listed) => {
    const files = Option.flatten(listed)
    if (Option.isNone(files)) {
      ctx.problems.add(new ConfigError({
        detail: "missing directory",
        file: dir,
        expected: `a directory of *.toml files declaring ${what}`,
        suggestion: "create it, or start from a working project: `wpc init DIR`"
      }))
      return []
    }
    if (files.value.length === 0) {
      ctx.problems.add(new ConfigError({
        detail: "no *.toml file in the directory",
        file: dir,
        expected: `*.toml files declaring ${what}`
      }))
    }
    return files.value
  })

/**
 * Loads and resolves the project in `workRoot` with the connectors of the registry in context. Files load
 * in name order. Every problem (malformed TOML, unknown keys or ids, duplicates, a connector of the wrong
 * scope, refused overrides, unset variables, bad URLs, params a factory's `validateSpec` refuses, bad
 * filters, missing or empty directories, a bad `[engine]` table in `engine.toml`) is collected; if there is one or more, it fails with `ProjectErrors`
 * holding them all. A project that loads clean can be built.
 */
export const loadProject = (
  workRoot: string,
  options: LoadOptions = {}
): Effect.Effect<ResolvedProject, ProjectErrors, ConnectorRegistry> =>
  Effect.gen(function*() {
    const registry = yield* ConnectorRegistry
    const problems = Problems.make()
    const failIfAny = Effect.suspend(() => {
      const errors = problems.all()
      return Arr.isNonEmptyReadonlyArray(errors) ? new ProjectErrors({ workRoot, errors }) : Effect.void
    })
    yield* problems.attempt(Layout.checkWorkRoot(workRoot))
    yield* failIfAny

    // connectors/*.d/ are optional: the kinds' own definitions may be all a project needs
    const connectorFiles = (scope: ConnectorScope) =>
      Effect.map(
        problems.attempt(Layout.tomlFiles(path.join(workRoot, Layout.connectorDirs[scope]), false)),
        (listed) => Option.getOrElse(Option.flatten(listed), (): ReadonlyArray<string> => [])
      )
    const files = { source: yield* connectorFiles("source"), sink: yield* connectorFiles("sink") }
    const env = options.env ?? process.env
    const catalog = yield* ConnectorCatalog.load(registry, { files, env }, problems)
    const processorFiles = yield* Effect.map(
      problems.attempt(Layout.tomlFiles(path.join(workRoot, Processors.dir), false)),
      (listed) => Option.getOrElse(Option.flatten(listed), (): ReadonlyArray<string> => [])
    )
    const processors = yield* Processors.load(workRoot, processorFiles, problems)
    const ctx: Context = { registry, catalog, env, problems, processors }
    const wparse = yield* WparseConf.load(workRoot, problems)

    const sourcesDir = wparse.sourcesDir ?? path.join(workRoot, Layout.sourcesDir)
    const sources: Array<ResolvedSource> = []
    const keys: Seen = new Map()
    const beforeSources = problems.all().length
    for (const file of yield* topologyFiles(ctx, sourcesDir, false, "[[sources]]")) {
      yield* loadSourceFile(ctx, file, keys, sources)
    }
    if (keys.size === 0 && problems.all().length === beforeSources) {
      problems.add(new ConfigError({ detail: "the project declares no sources", file: sourcesDir, expected: "at least one [[sources]] entry" }))
    }

    const sinksDir = wparse.sinksDir ?? path.join(workRoot, Layout.sinksDir)
    const beforeSinks = problems.all().length
    const sinkFiles = yield* topologyFiles(ctx, sinksDir, true, "a [sink_group]")
    const defaultsFile = path.join(sinksDir, Layout.sinkDefaultsFile)
    const defaults = sinkFiles.includes(defaultsFile) ? yield* loadSinkDefaults(ctx, defaultsFile) : noDefaults
    const sinkGroups: Array<ResolvedSinkGroup> = []
    const groups: Seen = new Map()
    // a source that did not resolve leaves what its events hold unknown: no field is then refused
    const sinkCtx: Context = { ...ctx, knownFields: keys.size === sources.length ? knownFieldsOf(sources) : undefined }
    for (const file of sinkFiles.filter((f) => f !== defaultsFile)) yield* loadSinkFile(sinkCtx, file, sinksDir, defaults, groups, sinkGroups)
    if (groups.size === 0 && problems.all().length === beforeSinks) {
      problems.add(new ConfigError({ detail: "the project declares no sink group", file: sinksDir, expected: "at least one file with a [sink_group]" }))
    }

    const table = yield* EngineTable.load(workRoot, problems)
    // conf/wparse.toml's settings, under what engine.toml (this edition's own file) sets
    const engine: EngineOptionsInput = {
      ...(wparse.rescueDir === undefined ? {} : { rescueDir: wparse.rescueDir }),
      ...(wparse.readRateLimitRps === undefined ? {} : { readRateLimitRps: wparse.readRateLimitRps }),
      ...table
    }

    yield* failIfAny
    return {
      workRoot: path.resolve(workRoot),
      sources,
      sinkGroups,
      engine,
      processors: processors.built,
      warnings: problems.warnings(),
      log: wparse.log
    }
  })

/**
 * The engine's `PipelineSpec` of a project: each sink with `parallel` replicas and the group's `rate_limit_rps`,
 * and the options of its `[engine]` table.
 */
export const toPipelineSpec = (project: ResolvedProject): PipelineSpec => ({
  workRoot: project.workRoot,
  engine: project.engine,
  sources: project.sources.map((s) => ({ spec: s.spec, enabled: s.enabled, processors: s.processors })),
  groups: project.sinkGroups.map((g) => ({
    name: g.name,
    role: g.role,
    filter: g.filter,
    sinks: g.sinks.map((s) => ({ spec: s.spec, replicaCnt: g.parallel, rateLimitRps: g.rateLimitRps }))
  }))
})
