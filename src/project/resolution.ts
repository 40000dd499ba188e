/**
 * Resolution of parameters: a `url` key expanded by the kind's `ConnectorKindAdapter`, overrides
 * checked against the connector's `allow_override`, and the layers merged — the kind's `defaults()`,
 * then the connector's params, then the overrides of a source or sink.
 *
 * @since 0.1.0
 */
import { Effect, Option, type Schema } from "effect"
import type { ConnectorKindAdapter } from "../config/adapter.js"
import type { ConnectorDef } from "../config/def.js"
import * as ParamMap from "../config/param.js"
import { didYouMean } from "../config/suggest.js"
import { ConfigError } from "../errors/config.js"
import { connectorDirs } from "./layout.js"

/** The parameter a kind's URL adapter expands. */
export const urlKey = "url"

/** A table whose `url` was expanded: its params and the keys the URL gave. */
export interface Expanded {
  readonly params: ParamMap.ParamMap
  readonly fromUrl: ReadonlyArray<string>
}

/**
 * Replaces a `url` key of `table` with what `adapter` makes of it; the table's other keys win over the
 * URL's. Errors have paths relative to the table (`url`, `url.port`, ...).
 */
export const expandUrl = (
  table: ParamMap.ParamMap,
  kind: string,
  adapter: Option.Option<ConnectorKindAdapter>
): Effect.Effect<Expanded, ConfigError> => {
  if (!Object.hasOwn(table, urlKey)) return Effect.succeed({ params: table, fromUrl: [] })
  const url = table[urlKey]
  if (typeof url !== "string") {
    return Effect.fail(
      new ConfigError({ detail: `url is ${JSON.stringify(url)}, not a string`, path: urlKey, expected: "a URL string" })
    )
  }
  if (Option.isNone(adapter)) {
    return Effect.fail(
      new ConfigError({
        detail: `connector kind "${kind}" has no URL adapter, so url cannot be expanded`,
        path: urlKey,
        expected: "the parameters themselves instead of url",
        suggestion: "`wpc connectors` lists the parameters of each kind"
      })
    )
  }
  const { [urlKey]: _url, ...rest } = table
  return Effect.map(
    adapter.value.urlToParams(url).pipe(Effect.mapError((e) => (e.path?.startsWith(urlKey) ? e : e.under(urlKey)))),
    (fromUrl) => ({ params: ParamMap.merge(fromUrl, rest), fromUrl: ParamMap.keys(fromUrl) })
  )
}

/**
 * The kind's `defaults()` that apply to a connector whose params Schema is `schema`: one adapter serves a
 * kind's source and sink, so defaults that only one side declares (a source's `durable`) are left out of
 * the other's; all of them when the Schema is open-ended or unknown.
 */
export const kindDefaults = (
  adapter: Option.Option<ConnectorKindAdapter>,
  schema: Option.Option<Schema.Schema.Any>
): ParamMap.ParamMap => {
  if (Option.isNone(adapter)) return ParamMap.empty
  const defaults = adapter.value.defaults()
  return Option.match(Option.flatMap(schema, ParamMap.knownKeys), {
    onNone: () => defaults,
    onSome: (known) => Object.fromEntries(Object.entries(defaults).filter(([key]) => known.includes(key)))
  })
}

/**
 * The base parameters of a connector: the kind's `defaults()` that its params Schema (`schema`, when the
 * factory declares one) takes, then its own params (with `url` expanded).
 */
export const baseParams = (
  def: ConnectorDef,
  params: ParamMap.ParamMap,
  adapter: Option.Option<ConnectorKindAdapter>,
  schema: Option.Option<Schema.Schema.Any> = Option.none()
): Effect.Effect<ParamMap.ParamMap, ConfigError> =>
  Effect.map(expandUrl(params, def.kind, adapter), (expanded) => ParamMap.merge(kindDefaults(adapter, schema), expanded.params))

/** Where a definition's `allow_override` is changed: what the hint of a refused override points at. */
export type OverrideSite =
  /** The `allow_override` key of a project definition, at `location` (`file:line`). */
  | { readonly _tag: "Key"; readonly location: string }
  /** A project definition without an `allow_override` key: its `[[connectors]]` entry, at `location` (`file:line`). */
  | { readonly _tag: "Entry"; readonly location: string }
  /** A definition its kind ships (built in): no project file holds it. */
  | { readonly _tag: "Builtin" }

/** A refused override: the key and what to say about it. */
export interface Refusal {
  readonly key: string
  readonly detail: string
  readonly expected: string
  readonly suggestion: string
}

/** How to allow overriding `key` of `def`, whose `allow_override` is at `site`. */
const howToAllow = (def: ConnectorDef, key: string, site: OverrideSite): string => {
  switch (site._tag) {
    case "Key":
      return `or add "${key}" to its allow_override (${site.location})`
    case "Entry":
      return `or add allow_override = ["${key}"] to its [[connectors]] entry (${site.location})`
    case "Builtin":
      return `"${def.id}" is built in: to override "${key}", define a connector of type "${def.kind}" under [[connectors]] in ${
        connectorDirs[def.scope]
      }/ with allow_override = ["${key}"]`
  }
}

/**
 * The overrides `def` refuses. A key is allowed when `allow_override` lists it; `url` is allowed when
 * `allow_override` lists `url` or every key the URL expands to. `site` is where the hint says to allow one.
 */
export const refusals = (
  def: ConnectorDef,
  overrides: ReadonlyArray<string>,
  fromUrl: ReadonlyArray<string>,
  site: OverrideSite
): ReadonlyArray<Refusal> => {
  const allowed = def.allowOverride
  const ok = (key: string) =>
    allowed.includes(key) || (key === urlKey && fromUrl.length > 0 && fromUrl.every((k) => allowed.includes(k)))
  const listed = allowed.length === 0 ? "none (allow_override is empty)" : allowed.join(", ")
  return overrides.filter((key) => !ok(key)).map((key) => ({
    key,
    detail: `connector "${def.id}" does not allow overriding "${key}"`,
    expected: `a key listed in allow_override of "${def.id}"`,
    suggestion: `${didYouMean(key, allowed) ?? `allowed keys: ${listed}`}; ${howToAllow(def, key, site)}`
  }))
}
