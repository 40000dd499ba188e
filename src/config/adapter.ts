/**
 * `ConnectorKindAdapter`: turns human-friendly input (a `conn_url` such as `tcp://127.0.0.1:9000`)
 * into a connector kind's `ParamMap`, and supplies the kind's default parameters.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { ConfigError } from "../errors/config.js"
import * as ParamMap from "./param.js"
import * as UrlCredentials from "./url-credentials.js"

/** Maps URLs of one connector kind to parameters; `defaults()` returning an empty map means "no defaults". */
export interface ConnectorKindAdapter {
  /** The connector kind this adapter serves (unique in a registry), e.g. `"tcp"`. */
  readonly kind: string
  /** The kind's default parameters. */
  readonly defaults: () => ParamMap.ParamMap
  /** Parses a URL of this kind; unsupported or malformed URLs fail with a `ConfigError` naming the URL part. */
  readonly urlToParams: (url: string) => Effect.Effect<ParamMap.ParamMap, ConfigError>
}

/** What `make` needs: `defaults` may be omitted (no defaults). */
export interface Options {
  /** The connector kind, e.g. `"tcp"`. */
  readonly kind: string
  /** The kind's default parameters (a function or a fixed table); omitted means none. */
  readonly defaults?: (() => ParamMap.ParamMap) | ParamMap.ParamMap | undefined
  /** Parses a URL of this kind. */
  readonly urlToParams: (url: string) => Effect.Effect<ParamMap.ParamMap, ConfigError>
}

/** Builds an adapter; a missing `defaults` yields `ParamMap.empty`, a fixed table is copied on each call. */
export const make = (options: Options): ConnectorKindAdapter => {
  const defaults = options.defaults
  return {
    kind: options.kind,
    defaults: typeof defaults === "function"
      ? defaults
      : defaults === undefined
      ? () => ParamMap.empty
      : () => ParamMap.make(defaults),
    urlToParams: options.urlToParams
  }
}

const normalizeScheme = (scheme: string): string => {
  const lower = scheme.toLowerCase()
  return lower.endsWith(":") ? lower : `${lower}:`
}

const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:]*)(?::([^/?#]*))?/

/** Explains why `new URL(url)` refused `url`, naming the part when it can be told. */
const unparsable = (url: string, cause: unknown): ConfigError => {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) {
    return new ConfigError({
      detail: `not a URL (no scheme): ${JSON.stringify(UrlCredentials.maskIn(url))}`,
      path: "url.scheme",
      expected: "a URL such as scheme://host:port",
      cause
    })
  }
  const match = authority.exec(url)
  const host = match?.[1]
  const port = match?.[2]
  if (host === "" && port !== undefined) {
    return new ConfigError({
      detail: `missing host before port in ${JSON.stringify(UrlCredentials.maskIn(url))}`,
      path: "url.host",
      expected: "a host name or IP address",
      cause
    })
  }
  if (port !== undefined && port !== "" && !(/^\d+$/.test(port) && Number(port) <= 65535)) {
    return new ConfigError({
      detail: `invalid port ${JSON.stringify(port)} in ${JSON.stringify(UrlCredentials.maskIn(url))}`,
      path: "url.port",
      expected: "an integer between 0 and 65535",
      cause
    })
  }
  return new ConfigError({
    detail: `malformed URL ${JSON.stringify(UrlCredentials.maskIn(url))}`,
    path: "url",
    expected: "a URL such as scheme://host:port",
    cause
  })
}

/**
 * Parses `url` and checks that its scheme is one of `schemes` (given as `"tcp"` or `"tcp:"`, case-insensitive).
 * Fails with a `ConfigError` whose path names the URL part: `url.scheme`, `url.port` or `url`.
 */
export const parseUrl = (url: string, schemes: ReadonlyArray<string>): Effect.Effect<URL, ConfigError> =>
  Effect.suspend(() => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch (cause) {
      return Effect.fail(unparsable(url, cause))
    }
    const allowed = schemes.map(normalizeScheme)
    if (!allowed.includes(parsed.protocol)) {
      return Effect.fail(
        new ConfigError({
          detail: `unsupported scheme ${JSON.stringify(parsed.protocol)} in ${JSON.stringify(UrlCredentials.maskIn(url))}`,
          path: "url.scheme",
          expected: `one of ${allowed.join(", ")}`
        })
      )
    }
    return Effect.succeed(parsed)
  })

/**
 * The `ConfigError` of a URL part that a connector refuses: `what` was found in `url` at `url.<part>`
 * (`url.userinfo`, `url.query.colour`), where `expected` was wanted. The URL is quoted with its credentials masked.
 */
export const refuse = (url: string, part: string, what: string, expected: string): ConfigError =>
  new ConfigError({ detail: `${what} in ${JSON.stringify(UrlCredentials.maskIn(url))}`, path: `url.${part}`, expected })

/** What a connector's URL form may set in its query, and of which type (`number`: a non-negative integer). */
export type QueryKeys = ReadonlyMap<string, "string" | "number" | "boolean">

/**
 * The params the query of `u` (the parse of `url`) sets, in its order, by `keys`: a `number` key's value
 * as a number, a `boolean` key's as `true`/`false`. The first unknown key, or a value not of its key's
 * type, is refused naming it (`url.query.<key>`).
 */
export const queryParams = (url: string, u: URL, keys: QueryKeys): Effect.Effect<Record<string, string | number | boolean>, ConfigError> =>
  Effect.suspend(() => {
    const params: Record<string, string | number | boolean> = {}
    for (const [key, value] of u.searchParams) {
      const type = keys.get(key)
      if (type === undefined) return Effect.fail(refuse(url, `query.${key}`, `unknown query key ${JSON.stringify(key)}`, [...keys.keys()].join(", ")))
      if (type === "number" && !/^\d+$/.test(value)) return Effect.fail(refuse(url, `query.${key}`, `${key}=${JSON.stringify(value)}`, "a non-negative integer"))
      if (type === "boolean" && value !== "true" && value !== "false") {
        return Effect.fail(refuse(url, `query.${key}`, `${key}=${JSON.stringify(value)}`, "true or false"))
      }
      params[key] = type === "number" ? Number(value) : type === "boolean" ? value === "true" : value
    }
    return Effect.succeed(params)
  })
