/**
 * `ConnectorCatalog`: the connector definitions a project can use, by scope and id — those of its
 * `connectors/source.d/*.toml` and `connectors/sink.d/*.toml` files, then the definitions the
 * registered kinds ship (`KindInfo.defs`) under ids the project does not define itself.
 *
 * @since 0.1.0
 */
import { Effect, Either, Option, Schema } from "effect"
import type { ConnectorKindAdapter } from "../config/adapter.js"
import * as ConnectorDef from "../config/def.js"
import * as ParamMap from "../config/param.js"
import { didYouMean } from "../config/suggest.js"
import { ConfigError } from "../errors/config.js"
import type { ConnectorRegistry, KindInfo } from "../registry/registry.js"
import * as Interpolate from "./interpolate.js"
import type { Problems } from "./problems.js"
import * as Resolution from "./resolution.js"
import * as TomlDocument from "./toml-document.js"
import * as Topology from "./topology.js"
import * as UnavailableKinds from "./unavailable-kinds.js"
import * as WarpParseDefs from "./warpparse-defs.js"

/** What a definition resolves to: its kind's URL adapter and its base params. */
export interface ResolvedDef {
  readonly adapter: Option.Option<ConnectorKindAdapter>
  /** The kind's `defaults()`, then the definition's params (variables and `url` expanded). */
  readonly params: ParamMap.ParamMap
}

/** A connector definition, where it is, and what it resolves to (`none` when it has a problem, already reported). */
export interface CatalogEntry {
  readonly def: ConnectorDef.ConnectorDef
  /** `file:line` of a project definition, or `builtin`. */
  readonly location: string
  /** Where its `allow_override` is changed, for the hint of a refused override. */
  readonly overrideSite: Resolution.OverrideSite
  readonly resolved: Option.Option<ResolvedDef>
}

/** The definitions of each scope, by id, and the ids of each scope's definitions that could not be decoded. */
export interface ConnectorCatalog {
  readonly source: ReadonlyMap<string, CatalogEntry>
  readonly sink: ReadonlyMap<string, CatalogEntry>
  /** Ids written by `[[connectors]]` entries that did not decode (their problems are reported where they are). */
  readonly undecoded: { readonly [S in ConnectorDef.ConnectorScope]: ReadonlySet<string> }
}

/** The keys a `[[connectors]]` entry may have. */
const entryKeys = ["id", "type", "allow_override", "params"]

/** A problem for each key of the raw entry `u` that a `[[connectors]]` entry does not have. */
const unknownKeys = (u: unknown): ReadonlyArray<{ readonly key: string; readonly problem: TomlDocument.Problem }> =>
  typeof u !== "object" || u === null || Array.isArray(u) ? [] : Object.keys(u).filter((key) => !entryKeys.includes(key)).map((key) => ({
    key,
    problem: {
      detail: `unknown key "${key}"`,
      expected: `one of: ${entryKeys.join(", ")}`,
      suggestion: didYouMean(key, entryKeys) ?? "connector parameters go under params"
    }
  }))

/** Decodes a `[[connectors]]` entry as `ConnectorDef.decode` does, checking every key (`ParamMap.problemsOf` splits the error). */
const decodeEntry = (u: unknown, file: string, where: string): Either.Either<ConnectorDef.ConnectorDef, ConfigError> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(ConnectorDef.ConnectorDef, { errors: "all" })(u),
    (error) => ParamMap.parseErrorToConfigError(error, where, file)
  )

/** What each key of a `[[connectors]]` entry expects, for messages. */
const expectations: { readonly [key: string]: string } = {
  id: "a non-empty connector id",
  type: "a connector kind (`wpc connectors` lists them)",
  allow_override: "an array of parameter names",
  params: "a table of parameters"
}

/** A decoding problem of a `[[connectors]]` entry in the words the topology files use: `invalid value 5`, expected per key. */
const reworded = (e: ConfigError): ConfigError => {
  const key = e.path?.split(".").at(-1)?.replace(/\[\d+\]$/, "") ?? ""
  const typed = /^Expected (.*), actual (.*)$/s.exec(e.detail)
  return typed === null ? e : new ConfigError({ ...e.fields, detail: `invalid value ${typed[2]}`, expected: expectations[key] ?? e.expected })
}

/** Whether the raw entry `u` writes an `allow_override` key. */
const writesAllowOverride = (u: unknown): boolean =>
  typeof u === "object" && u !== null && Object.hasOwn(u, "allow_override")

/** The `id` a raw entry writes, if it is a string. */
const idOf = (u: unknown): string | undefined => {
  const id = typeof u === "object" && u !== null ? (u as { readonly id?: unknown }).id : undefined
  return typeof id === "string" ? id.trim() : undefined
}

/** Where definitions come from: the project's files of each scope (in load order) and the environment. */
export interface LoadOptions {
  readonly files: { readonly [S in ConnectorDef.ConnectorScope]: ReadonlyArray<string> }
  readonly env: Interpolate.Environment
}

/** The factory lookup of a scope: a kind used there must have a factory of that scope; gives its params Schema. */
const factoryOf = (registry: ConnectorRegistry, scope: ConnectorDef.ConnectorScope, kind: string) =>
  scope === "source"
    ? Effect.map(registry.sourceFactory(kind), (f) => Option.fromNullable(f.params))
    : Effect.map(registry.sinkFactory(kind), (f) => Option.fromNullable(f.params))

/**
 * A problem for each key of a definition's `params` that its kind's params Schema does not declare (none
 * when open-ended); `url` is the adapter's and is checked when it expands.
 */
const unknownParams = (
  schema: Option.Option<Schema.Schema.Any>,
  params: ParamMap.ParamMap
): ReadonlyArray<{ readonly key: string; readonly problem: TomlDocument.Problem }> =>
  Option.match(Option.flatMap(schema, ParamMap.knownKeys), {
    onNone: () => [],
    onSome: (known) =>
      ParamMap.keys(params).filter((key) => key !== Resolution.urlKey && !known.includes(key)).map((key) => ({
        key,
        problem: { detail: `unknown key "${key}"`, expected: `one of: ${known.join(", ")}`, suggestion: didYouMean(key, known) }
      }))
  })

/** The provider's validation of a definition of `scope`, if the kind registered a provider. */
const validateDef = (info: KindInfo | undefined, scope: ConnectorDef.ConnectorScope, def: ConnectorDef.ConnectorDef) =>
  scope === "source"
    ? Option.match(Option.flatMap(Option.fromNullable(info), (i) => i.sourceDefProvider), {
      onNone: () => Effect.void,
      onSome: (p) => p.validateSource(def)
    })
    : Option.match(Option.flatMap(Option.fromNullable(info), (i) => i.sinkDefProvider), {
      onNone: () => Effect.void,
      onSome: (p) => p.validateSink(def)
    })

/** Loads one `[[connectors]]` file into `into`; every problem goes to `problems`. */
const loadFile = (
  file: string,
  scope: ConnectorDef.ConnectorScope,
  registry: ConnectorRegistry,
  kinds: ReadonlyMap<string, KindInfo>,
  env: Interpolate.Environment,
  into: Map<string, CatalogEntry>,
  undecoded: Set<string>,
  problems: Problems
) =>
  Effect.gen(function*() {
    const read = yield* problems.attempt(TomlDocument.read(file))
    if (Option.isNone(read)) return
    const doc = read.value
    const top = Topology.decode(Topology.ConnectorsFile, doc.table)
    if (Either.isLeft(top)) problems.add(...top.left.map((p) => TomlDocument.problem(doc, p.segments, p)))
    // a problem of the file's other keys hides none of its definitions
    const usable = Either.match(top, { onLeft: (found) => Topology.salvage(Topology.ConnectorsFile, doc.table, found), onRight: Option.some })
    if (Option.isNone(usable)) return
    const entries = usable.value.connectors
    for (let i = 0; i < entries.length; i++) {
      const at = ["connectors", i] as const
      const place = (e: ConfigError) => TomlDocument.locate(doc, at, e)
      problems.add(...unknownKeys(entries[i]).map((u) => TomlDocument.problem(doc, [...at, u.key], u.problem)))
      const decoded = decodeEntry(entries[i], doc.file, `connectors[${i}]`)
      if (Either.isLeft(decoded)) {
        // every key's problem; the entries that use this id are not told it is unknown
        problems.add(...ParamMap.problemsOf(decoded.left).map((e) => TomlDocument.locate(doc, [], reworded(e))))
        const id = idOf(entries[i])
        if (id !== undefined) undecoded.add(id)
        continue
      }
      const def = ConnectorDef.withOrigin(ConnectorDef.withScope(decoded.right, scope), doc.file)
      const first = into.get(def.id)
      if (first !== undefined) {
        problems.add(TomlDocument.problem(doc, [...at, "id"], {
          detail: `duplicate ${scope} connector id "${def.id}"`,
          expected: `ids unique among the ${scope} connectors`,
          suggestion: `the first "${def.id}" is at ${first.location}; rename one of them`
        }))
        continue
      }
      const location = TomlDocument.location(doc, at)
      const overrideSite: Resolution.OverrideSite = writesAllowOverride(entries[i])
        ? { _tag: "Key", location: TomlDocument.location(doc, [...at, "allow_override"]) }
        : { _tag: "Entry", location }
      const reject = () => void into.set(def.id, { def, location, overrideSite, resolved: Option.none() })
      const unavailable = kinds.has(def.kind) ? undefined : UnavailableKinds.problem(def.kind, [...kinds.keys()].sort())
      if (unavailable !== undefined) {
        problems.add(TomlDocument.locate(doc, at, unavailable))
        reject()
        continue
      }
      const known = yield* problems.attempt(factoryOf(registry, scope, def.kind), place)
      if (Option.isNone(known)) {
        reject()
        continue
      }
      const adapter = yield* problems.attempt(registry.adapter(def.kind), place)
      const valid = yield* problems.attempt(validateDef(kinds.get(def.kind), scope, def), place)
      const unknown = unknownParams(known.value, def.defaultParams)
      problems.add(...unknown.map((u) => TomlDocument.problem(doc, [...at, "params", u.key], u.problem)))
      const unknownAllowed = unknownParams(known.value, Object.fromEntries(def.allowOverride.map((key) => [key, null])))
      problems.add(...unknownAllowed.map((u) => TomlDocument.problem(doc, [...at, "allow_override"], {
        ...u.problem,
        detail: `allow_override names an unknown key "${u.key}"`
      })))
      const expanded = Interpolate.params(def.defaultParams, env)
      problems.add(...expanded.unresolved.map((u) => TomlDocument.problem(doc, [...at, "params", ...u.segments], u)))
      if (Option.isNone(adapter) || Option.isNone(valid) || unknown.length > 0 || unknownAllowed.length > 0 || expanded.unresolved.length > 0) {
        reject()
        continue
      }
      const params = yield* problems.attempt(
        Resolution.baseParams(def, expanded.params, adapter.value, known.value),
        (e) => TomlDocument.locate(doc, [...at, "params"], e)
      )
      into.set(def.id, {
        def,
        location,
        overrideSite,
        resolved: Option.map(params, (p) => ({ adapter: adapter.value, params: p }))
      })
    }
  })

/** The params Schema of a kind's factory of `scope`, if it has that factory and the factory declares one. */
const sideSchema = (info: KindInfo, scope: ConnectorDef.ConnectorScope): Option.Option<Schema.Schema.Any> =>
  scope === "source"
    ? Option.flatMap(info.source, (f) => Option.fromNullable(f.params))
    : Option.flatMap(info.sink, (f) => Option.fromNullable(f.params))

/**
 * Adds the definitions the registered kinds ship, then WarpParse's shipped ones of those kinds, to `into`,
 * except ids the project defines (even ones that did not decode).
 */
const addBuiltins = (
  scope: ConnectorDef.ConnectorScope,
  kinds: ReadonlyMap<string, KindInfo>,
  into: Map<string, CatalogEntry>,
  undecoded: ReadonlySet<string>,
  problems: Problems
) =>
  Effect.forEach([...kinds.values()], (info) =>
    Effect.forEach(
      [...info.defs, ...WarpParseDefs.defs.filter((d) => d.kind === info.kind)].filter((d) =>
        d.scope === scope && !into.has(d.id) && !undecoded.has(d.id)
      ),
      (def) =>
      Effect.map(
        problems.attempt(Resolution.baseParams(def, def.defaultParams, info.adapter, sideSchema(info, scope)), (e) =>
          e.under(`builtin ${scope} connector "${def.id}".params`)),
        (params) =>
          into.set(def.id, {
            def,
            location: "builtin",
            overrideSite: { _tag: "Builtin" },
            resolved: Option.map(params, (p) => ({ adapter: info.adapter, params: p }))
          })
      )), { discard: true })

/**
 * Loads the project's definitions of both scopes (files in the order given) and adds the kinds' own.
 * Each definition is checked: its kind has a factory of its scope, the kind's def provider accepts it,
 * `${VAR}`s and its `url` expand. Problems go to `problems`; a definition with a problem resolves to `none`.
 */
export const load = (
  registry: ConnectorRegistry,
  options: LoadOptions,
  problems: Problems
): Effect.Effect<ConnectorCatalog> =>
  Effect.gen(function*() {
    const kinds = new Map((yield* registry.kinds).map((k) => [k.kind, k] as const))
    const source = new Map<string, CatalogEntry>()
    const sink = new Map<string, CatalogEntry>()
    const undecoded = { source: new Set<string>(), sink: new Set<string>() }
    for (const [scope, into] of [["source", source], ["sink", sink]] as const) {
      for (const file of options.files[scope]) yield* loadFile(file, scope, registry, kinds, options.env, into, undecoded[scope], problems)
      yield* addBuiltins(scope, kinds, into, undecoded[scope], problems)
    }
    return { source, sink, undecoded }
  })
