/**
 * `ConnectorRegistry`: the service that knows every connector kind. A connector exports a Layer
 * that registers its source factory, sink factory and URL adapter; an app composes the Layers it wants.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, Ref } from "effect"
import type { ConnectorKindAdapter } from "../config/adapter.js"
import type { ConnectorDef, SinkDefProvider, SourceDefProvider } from "../config/def.js"
import { didYouMean } from "../config/suggest.js"
import { ConfigError } from "../errors/config.js"
import type { SinkFactory } from "../sink/factory.js"
import type { SourceFactory } from "../source/factory.js"

/** What a connector registers for its kind; each part is optional, but a kind registers each part once. */
export interface ConnectorRegistration {
  readonly kind: string
  readonly source?: SourceFactory | undefined
  readonly sink?: SinkFactory | undefined
  readonly adapter?: ConnectorKindAdapter | undefined
  /** The connector definitions the kind ships (ids, default params, allow_override, scope); default: the providers' defs. */
  readonly defs?: ReadonlyArray<ConnectorDef> | undefined
  /** Supplies and checks the kind's source definitions; the project loader runs `validateSource` on each source def of this kind. */
  readonly sourceDefProvider?: SourceDefProvider | undefined
  /** Supplies and checks the kind's sink definitions; the project loader runs `validateSink` on each sink def of this kind. */
  readonly sinkDefProvider?: SinkDefProvider | undefined
}

/** What the registry knows of one kind. */
export interface KindInfo {
  readonly kind: string
  readonly source: Option.Option<SourceFactory>
  readonly sink: Option.Option<SinkFactory>
  readonly adapter: Option.Option<ConnectorKindAdapter>
  readonly defs: ReadonlyArray<ConnectorDef>
  readonly sourceDefProvider: Option.Option<SourceDefProvider>
  readonly sinkDefProvider: Option.Option<SinkDefProvider>
}

/** Looks up factories and adapters by kind. */
export interface ConnectorRegistry {
  /** Adds a connector's parts; a part its kind already has fails with a `ConfigError`. */
  readonly register: (registration: ConnectorRegistration) => Effect.Effect<void, ConfigError>
  /** The source factory of `kind`, or a `ConfigError` listing the kinds that have one. */
  readonly sourceFactory: (kind: string) => Effect.Effect<SourceFactory, ConfigError>
  /** The sink factory of `kind`, or a `ConfigError` listing the kinds that have one. */
  readonly sinkFactory: (kind: string) => Effect.Effect<SinkFactory, ConfigError>
  /** The URL adapter of `kind`, if it has one; an unknown kind is a `ConfigError`. */
  readonly adapter: (kind: string) => Effect.Effect<Option.Option<ConnectorKindAdapter>, ConfigError>
  /** Every registered kind, sorted by name. */
  readonly kinds: Effect.Effect<ReadonlyArray<KindInfo>>
}

/** The `ConnectorRegistry` service tag. */
export const ConnectorRegistry = Context.GenericTag<ConnectorRegistry>("wp-connector-api/ConnectorRegistry")

const emptyInfo = (kind: string): KindInfo => ({
  kind,
  source: Option.none(),
  sink: Option.none(),
  adapter: Option.none(),
  defs: [],
  sourceDefProvider: Option.none(),
  sinkDefProvider: Option.none()
})

type Part = "source" | "sink" | "adapter" | "sourceDefProvider" | "sinkDefProvider"

const partName: { readonly [P in Part]: string } = {
  source: "source factory",
  sink: "sink factory",
  adapter: "URL adapter",
  sourceDefProvider: "source definition provider",
  sinkDefProvider: "sink definition provider"
}

const unknownKind = (kind: string, role: string, known: ReadonlyArray<string>): ConfigError => {
  const suggestion = didYouMean(kind, known)
  return new ConfigError({
    detail: `unknown ${role.length > 0 ? `${role} ` : ""}connector kind "${kind}"`,
    path: "type",
    expected: known.length === 0 ? "a registered kind (none is registered)" : `one of: ${known.join(", ")}`,
    ...(suggestion === undefined ? {} : { suggestion })
  })
}

/** A new, empty registry. */
export const make: Effect.Effect<ConnectorRegistry> = Effect.gen(function*() {
  const state = yield* Ref.make(new Map<string, KindInfo>())
  const sorted = Effect.map(Ref.get(state), (m) => [...m.values()].sort((a, b) => (a.kind < b.kind ? -1 : 1)))
  const find = <A>(kind: string, role: string, pick: (info: KindInfo) => Option.Option<A>) =>
    Effect.flatMap(Ref.get(state), (m) => {
      const found = Option.flatMap(Option.fromNullable(m.get(kind)), pick)
      if (Option.isSome(found)) return Effect.succeed(found.value)
      const known = [...m.values()].filter((i) => Option.isSome(pick(i))).map((i) => i.kind).sort()
      return Effect.fail(unknownKind(kind, role, known))
    })

  const register = (reg: ConnectorRegistration): Effect.Effect<void, ConfigError> =>
    Effect.flatMap(Ref.get(state), (m) => {
      if (reg.kind.length === 0) {
        return Effect.fail(new ConfigError({ detail: "a connector registration has an empty kind", path: "kind" }))
      }
      const current = m.get(reg.kind) ?? emptyInfo(reg.kind)
      const parts: ReadonlyArray<Part> = ["source", "sink", "adapter", "sourceDefProvider", "sinkDefProvider"]
      for (const part of parts) {
        const taken: boolean = Option.isSome<unknown>(current[part])
        if (reg[part] !== undefined && taken) {
          return Effect.fail(
            new ConfigError({
              detail: `connector kind "${reg.kind}" already has a ${partName[part]}: it was registered twice`,
              path: `registry.${reg.kind}.${part}`,
              suggestion: "compose each connector's Layer once"
            })
          )
        }
      }
      for (const [part, factoryKind] of [["source", reg.source?.kind], ["sink", reg.sink?.kind], ["adapter", reg.adapter?.kind]] as const) {
        if (factoryKind !== undefined && factoryKind !== reg.kind) {
          return Effect.fail(
            new ConfigError({
              detail: `the ${part} registered for kind "${reg.kind}" says its kind is "${factoryKind}"`,
              path: `registry.${reg.kind}.${part}`
            })
          )
        }
      }
      const next: KindInfo = {
        kind: reg.kind,
        source: reg.source === undefined ? current.source : Option.some(reg.source),
        sink: reg.sink === undefined ? current.sink : Option.some(reg.sink),
        adapter: reg.adapter === undefined ? current.adapter : Option.some(reg.adapter),
        defs: [
          ...current.defs,
          ...(reg.defs ?? [...(reg.sourceDefProvider?.sourceDefs() ?? []), ...(reg.sinkDefProvider?.sinkDefs() ?? [])])
        ],
        sourceDefProvider: reg.sourceDefProvider === undefined ? current.sourceDefProvider : Option.some(reg.sourceDefProvider),
        sinkDefProvider: reg.sinkDefProvider === undefined ? current.sinkDefProvider : Option.some(reg.sinkDefProvider)
      }
      return Ref.update(state, (map) => new Map(map).set(reg.kind, next))
    })

  return {
    register,
    sourceFactory: (kind) => find(kind, "source", (i) => i.source),
    sinkFactory: (kind) => find(kind, "sink", (i) => i.sink),
    adapter: (kind) => find(kind, "", (i) => Option.some(i.adapter)),
    kinds: sorted
  }
})

/** A Layer providing an empty registry. */
export const layer: Layer.Layer<ConnectorRegistry> = Layer.effect(ConnectorRegistry, make)

/** The Layer a connector exports: it registers `registration` in the registry of its context. */
export const register = (registration: ConnectorRegistration): Layer.Layer<never, ConfigError, ConnectorRegistry> =>
  Layer.effectDiscard(Effect.flatMap(ConnectorRegistry, (r) => r.register(registration)))

/** A registry holding the connectors of `layers` (each a connector's `register` Layer); other needs pass through. */
export const fromConnectors = <E = never, R = never>(
  ...layers: ReadonlyArray<Layer.Layer<never, E, ConnectorRegistry | R>>
): Layer.Layer<ConnectorRegistry, E, Exclude<R, ConnectorRegistry>> => {
  const [first, ...rest] = layers
  return first === undefined ? layer : Layer.provideMerge(Layer.mergeAll(first, ...rest), layer)
}
