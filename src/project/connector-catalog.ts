/**
 * `ConnectorCatalog`: the connector definitions a project can use, by scope and id — those of its
 * `connectors/source.d/*.toml` and `connectors/sink.d/*.toml` files, then the definitions the
 * registered kinds ship (`KindInfo.defs`) under ids the project does not define itself.
 *
 * @since 0.1.0
 */
import { Effect, Either, Option } from "effect"
import type { ConnectorKindAdapter } from "../config/adapter.js"
import * as ConnectorDef from "../config/def.js"
import type { ParamMap } from "../config/param.js"
import type { ConfigError } from "../errors/config.js"
import type { ConnectorRegistry, KindInfo } from "../registry/registry.js"
import * as Interpolate from "./interpolate.js"
import type { Problems } from "./problems.js"
import * as Resolution from "./resolution.js"
import * as TomlDocument from "./toml-document.js"
import * as Topology from "./topology.js"

/** What a definition resolves to: its kind's URL adapter and its base params. */
export interface ResolvedDef {
  readonly adapter: Option.Option<ConnectorKindAdapter>
  /** The kind's `defaults()`, then the definition's params (variables and `url` expanded). */
  readonly params: ParamMap
}

/** A connector definition, where it is, and what it resolves to (`none` when it has a problem, already reported). */
export interface CatalogEntry {
  readonly def: ConnectorDef.ConnectorDef
  /** `file:line` of a project definition, or `builtin`. */
  readonly location: string
  readonly resolved: Option.Option<ResolvedDef>
}

/** The definitions of each scope, by id. */
export interface ConnectorCatalog {
  readonly source: ReadonlyMap<string, CatalogEntry>
  readonly sink: ReadonlyMap<string, CatalogEntry>
}

/** Where definitions come from: the project's files of each scope (in load order) and the environment. */
export interface LoadOptions {
  readonly files: { readonly [S in ConnectorDef.ConnectorScope]: ReadonlyArray<string> }
  readonly env: Interpolate.Environment
}

/** The factory lookup of a scope: a kind used there must have a factory of that scope. */
const factoryOf = (registry: ConnectorRegistry, scope: ConnectorDef.ConnectorScope, kind: string) =>
  scope === "source" ? Effect.asVoid(registry.sourceFactory(kind)) : Effect.asVoid(registry.sinkFactory(kind))

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
  problems: Problems
) =>
  Effect.gen(function*() {
    const read = yield* problems.attempt(TomlDocument.read(file))
    if (Option.isNone(read)) return
    const doc = read.value
    const top = Topology.decode(Topology.ConnectorsFile, doc.table)
    if (Either.isLeft(top)) {
      return problems.add(...top.left.map((p) => TomlDocument.problem(doc, p.segments, p)))
    }
    const entries = top.right.connectors
    for (let i = 0; i < entries.length; i++) {
      const at = ["connectors", i] as const
      const place = (e: ConfigError) => TomlDocument.locate(doc, at, e)
      const decoded = yield* problems.attempt(
        ConnectorDef.decode(entries[i], doc.file, `connectors[${i}]`),
        (e) => TomlDocument.locate(doc, [], e)
      )
      if (Option.isNone(decoded)) continue
      const def = ConnectorDef.withOrigin(ConnectorDef.withScope(decoded.value, scope), doc.file)
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
      const reject = () => void into.set(def.id, { def, location, resolved: Option.none() })
      const known = yield* problems.attempt(factoryOf(registry, scope, def.kind), place)
      if (Option.isNone(known)) {
        reject()
        continue
      }
      const adapter = yield* problems.attempt(registry.adapter(def.kind), place)
      const valid = yield* problems.attempt(validateDef(kinds.get(def.kind), scope, def), place)
      const expanded = Interpolate.params(def.defaultParams, env)
      problems.add(...expanded.unresolved.map((u) => TomlDocument.problem(doc, [...at, "params", ...u.segments], u)))
      if (Option.isNone(adapter) || Option.isNone(valid) || expanded.unresolved.length > 0) {
        reject()
        continue
      }
      const params = yield* problems.attempt(
        Resolution.baseParams(def, expanded.params, adapter.value),
        (e) => TomlDocument.locate(doc, [...at, "params"], e)
      )
      into.set(def.id, {
        def,
        location,
        resolved: Option.map(params, (p) => ({ adapter: adapter.value, params: p }))
      })
    }
  })

/** Adds the definitions the registered kinds ship to `into`, except ids the project defines. */
const addBuiltins = (
  scope: ConnectorDef.ConnectorScope,
  kinds: ReadonlyMap<string, KindInfo>,
  into: Map<string, CatalogEntry>,
  problems: Problems
) =>
  Effect.forEach([...kinds.values()], (info) =>
    Effect.forEach(info.defs.filter((d) => d.scope === scope && !into.has(d.id)), (def) =>
      Effect.map(
        problems.attempt(Resolution.baseParams(def, def.defaultParams, info.adapter), (e) =>
          e.under(`builtin ${scope} connector "${def.id}".params`)),
        (params) =>
          into.set(def.id, {
            def,
            location: "builtin",
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
    for (const [scope, into] of [["source", source], ["sink", sink]] as const) {
      for (const file of options.files[scope]) yield* loadFile(file, scope, registry, kinds, options.env, into, problems)
      yield* addBuiltins(scope, kinds, into, problems)
    }
    return { source, sink }
  })
