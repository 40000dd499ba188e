/**
 * Building sources: `SourceBuildCtx`, `SourceMeta`, `SourceHandle`, `ServiceAcceptor` /
 * `AcceptorHandle`, `SourceSvcIns`, `ResolvedSourceSpec`, `SourceFactory` and `withParams`, the one way
 * a connector's factory decodes its params.
 *
 * @since 0.1.0
 */
import { Effect, Option, type Schema, type Scope } from "effect"
import { dual } from "effect/Function"
import * as ParamMap from "../config/param.js"
import type { ConfigError } from "../errors/config.js"
import type { SourceError } from "../errors/source.js"
import * as Tags from "../model/tags.js"
import type { CtrlRx } from "./control.js"
import type { DataSource } from "./data-source.js"

/** Where a source instance may keep its files (checkpoints, spool): `work_root`. */
export interface SourceBuildCtx {
  readonly workRoot: string
}

/** A build context rooted at `workRoot`. */
export const buildCtx = (workRoot: string): SourceBuildCtx => ({ workRoot })

/** Metadata of a built source, for UIs and monitoring. */
export interface SourceMeta {
  readonly name: string
  readonly kind: string
  readonly tags: Tags.Tags
}

/** `SourceMeta::new(name, kind)`, optionally with tags. */
export const meta = (name: string, kind: string, tags: Tags.Tags = Tags.empty): SourceMeta => ({ name, kind, tags })

/** A built pull source and its metadata. */
export interface SourceHandle {
  readonly source: DataSource
  readonly metadata: SourceMeta
}

/** `SourceHandle::new(source, metadata)`. */
export const handle = (source: DataSource, metadata: SourceMeta): SourceHandle => ({ source, metadata })

/**
 * A server-side listener (TCP, HTTP, ...) that accepts connections and feeds the sources its
 * factory built. `acceptConnection` runs the server until Stop arrives on `ctrl` or its Scope closes.
 */
export interface ServiceAcceptor {
  readonly acceptConnection: (ctrl: CtrlRx) => Effect.Effect<void, SourceError, Scope.Scope>
}

/** A named acceptor. */
export interface AcceptorHandle {
  readonly name: string
  readonly acceptor: ServiceAcceptor
}

/** `AcceptorHandle::new(name, acceptor)`. */
export const acceptorHandle = (name: string, acceptor: ServiceAcceptor): AcceptorHandle => ({ name, acceptor })

/** What `SourceFactory.build` returns: zero or more pull sources and at most one acceptor. */
export interface SourceSvcIns {
  readonly sources: ReadonlyArray<SourceHandle>
  readonly acceptor: Option.Option<AcceptorHandle>
}

/** No sources, no acceptor (`SourceSvcIns::new()`). */
export const svcIns: SourceSvcIns = { sources: [], acceptor: Option.none() }

/** Replaces the sources (`with_sources`). */
export const withSources: {
  (sources: ReadonlyArray<SourceHandle>): (self: SourceSvcIns) => SourceSvcIns
  (self: SourceSvcIns, sources: ReadonlyArray<SourceHandle>): SourceSvcIns
} = dual(2, (self: SourceSvcIns, sources: ReadonlyArray<SourceHandle>): SourceSvcIns => ({ ...self, sources }))

/** Appends one source (`push_source`). */
export const pushSource: {
  (source: SourceHandle): (self: SourceSvcIns) => SourceSvcIns
  (self: SourceSvcIns, source: SourceHandle): SourceSvcIns
} = dual(2, (self: SourceSvcIns, source: SourceHandle): SourceSvcIns => ({ ...self, sources: [...self.sources, source] }))

/** Sets the acceptor (`with_acceptor`). */
export const withAcceptor: {
  (acceptor: AcceptorHandle): (self: SourceSvcIns) => SourceSvcIns
  (self: SourceSvcIns, acceptor: AcceptorHandle): SourceSvcIns
} = dual(2, (self: SourceSvcIns, acceptor: AcceptorHandle): SourceSvcIns => ({ ...self, acceptor: Option.some(acceptor) }))

/** A source as the project resolved it (`SourceSpec`): name, kind, connector id, merged params and tags. */
export interface ResolvedSourceSpec {
  readonly name: string
  readonly kind: string
  readonly connectorId: string
  readonly params: ParamMap.ParamMap
  /** `key:value` strings. */
  readonly tags: ReadonlyArray<string>
}

/** Builds sources of one kind. */
export interface SourceFactory {
  /** The registry name of the kind, e.g. `"file"`. */
  readonly kind: string
  /** Light validation before anything is built (params, ranges); defaults to success. */
  readonly validateSpec: (spec: ResolvedSourceSpec) => Effect.Effect<void, ConfigError>
  /** The Schema of its params, when it has one: `wpc` checks a definition's keys and masks its secrets by it. */
  readonly params?: Schema.Schema.Any | undefined
  /** Builds the sources (and acceptor) of `spec`; what it opens is released when the Scope closes. */
  readonly build: (spec: ResolvedSourceSpec, ctx: SourceBuildCtx) => Effect.Effect<SourceSvcIns, SourceError | ConfigError, Scope.Scope>
}

/** A `SourceFactory`; `validateSpec` defaults to success. */
export const make = (options: {
  readonly kind: string
  readonly validateSpec?: ((spec: ResolvedSourceSpec) => Effect.Effect<void, ConfigError>) | undefined
  readonly params?: Schema.Schema.Any | undefined
  readonly build: (spec: ResolvedSourceSpec, ctx: SourceBuildCtx) => Effect.Effect<SourceSvcIns, SourceError | ConfigError, Scope.Scope>
}): SourceFactory => ({
  kind: options.kind,
  validateSpec: options.validateSpec ?? (() => Effect.void),
  params: options.params,
  build: options.build
})

/**
 * What `withParams`' `open` yields for a source fed by an acceptor (a server it listens with, e.g. the
 * `tcp` and `http` sources): the `DataSource` (or several, its instances, each pulled by its own fiber),
 * its acceptor (registered as `<kind>:<name>`), and tags for their `SourceMeta` besides the spec's (e.g.
 * the address and port it bound).
 */
export interface Served {
  readonly source: DataSource | ReadonlyArray<DataSource>
  readonly acceptor: ServiceAcceptor
  readonly metaTags?: { readonly [key: string]: string } | undefined
}

/** `true` when `open` yielded a source with its acceptor rather than a bare `DataSource`. */
const isServed = (opened: DataSource | Served): opened is Served => "acceptor" in opened

/**
 * A `SourceFactory` building one source per spec, whose params are checked by `params` (a Schema:
 * unknown keys are refused) and whose tags by `Tags.fromStrings`, in both `validateSpec` and `build` (a
 * wrong one is a `ConfigError` naming it, e.g. `params.port`); `open` gets them decoded, with the build
 * context (its work root), and opens the source: a `DataSource`, or a `Served` one with its acceptor.
 * Every built-in source factory is made so.
 */
export const withParams = <P, I>(options: {
  readonly kind: string
  readonly params: Schema.Schema<P, I>
  readonly open: (
    name: string,
    params: P,
    tags: Tags.Tags,
    ctx: SourceBuildCtx
  ) => Effect.Effect<DataSource | Served, SourceError | ConfigError, Scope.Scope>
}): SourceFactory => {
  const decode = (spec: ResolvedSourceSpec) =>
    Effect.zip(ParamMap.decodeParams(options.params, spec.params, "params"), Tags.fromStrings(spec.tags))
  return make({
    kind: options.kind,
    params: options.params,
    validateSpec: (spec) => Effect.asVoid(decode(spec)),
    build: (spec, ctx) =>
      Effect.flatMap(decode(spec), ([params, tags]) =>
        Effect.map(options.open(spec.name, params, tags, ctx), (opened) => {
          if (!isServed(opened)) return pushSource(svcIns, handle(opened, meta(spec.name, options.kind, tags)))
          const metaTags = opened.metaTags === undefined ? tags : Tags.merge(tags, Tags.make(opened.metaTags))
          const metadata = meta(spec.name, options.kind, metaTags)
          const sources = "identifier" in opened.source ? [opened.source] : opened.source
          return withAcceptor(
            withSources(svcIns, sources.map((source) => handle(source, metadata))),
            acceptorHandle(`${options.kind}:${spec.name}`, opened.acceptor)
          )
        }))
  })
}
