/**
 * `Endpoint`: the `endpoint` param of the SQL connectors, `host:port` as WarpParse writes it (an IPv6
 * host in brackets), and the URL adapter they share: `mysql://host:3306/db?table=t` gives
 * `{ endpoint: "host:3306", database: "db", table: "t" }`; credentials are refused in the URL (they are
 * params, masked by `wpc`).
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import type * as ParamMap from "../../config/param.js"

const pattern = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]/]+):(\d{1,5})$/

/** `host:port`: a host name, an IPv4 address or a bracketed IPv6 address, and a port 1..65535. */
export const Endpoint = Schema.String.pipe(
  Schema.filter((s) => {
    const m = pattern.exec(s)
    return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535
  })
).annotations({ description: "host:port, e.g. 127.0.0.1:3306 or [::1]:5432" })

/** A decoded endpoint: the host (without brackets) and the port. */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/** The host and port of an endpoint the Schema accepted. */
export const parse = (endpoint: string): HostPort => {
  const m = pattern.exec(endpoint)!
  const host = m[1]!
  return { host: host.startsWith("[") ? host.slice(1, -1) : host, port: Number(m[2]) }
}

/**
 * The URL adapter of a SQL kind: `<scheme>://host[:port]/database?key=value`. The port defaults to
 * `defaultPort`; the path is the database; the query may set `queryKeys`. Credentials, a fragment, a
 * path of more than one segment, an unknown query key or a value of the wrong type are a `ConfigError`
 * naming the URL part.
 */
export const adapter = (options: {
  readonly kind: string
  readonly schemes: ReadonlyArray<string>
  readonly defaultPort: number
  readonly defaults: ParamMap.ParamMap
  readonly queryKeys: ConnectorKindAdapter.QueryKeys
}) =>
  ConnectorKindAdapter.make({
    kind: options.kind,
    defaults: options.defaults,
    urlToParams: (url) =>
      Effect.flatMap(ConnectorKindAdapter.parseUrl(url, options.schemes), (u) => {
        if (u.username !== "" || u.password !== "") {
          return Effect.fail(ConnectorKindAdapter.refuse(url, "userinfo", "credentials", "no user:password@; set params.username and params.password"))
        }
        if (u.hash !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "fragment", `fragment ${JSON.stringify(u.hash)}`, "no fragment"))
        const params: Record<string, string | number | boolean> = {}
        if (u.hostname !== "") params["endpoint"] = `${u.hostname}:${u.port === "" ? options.defaultPort : u.port}`
        const database = decodeURIComponent(u.pathname.replace(/^\//, ""))
        if (database.includes("/")) {
          return Effect.fail(ConnectorKindAdapter.refuse(url, "path", `path ${JSON.stringify(u.pathname)}`, "the database name, e.g. /wparse"))
        }
        if (database !== "") params["database"] = database
        return Effect.map(ConnectorKindAdapter.queryParams(url, u, options.queryKeys), (query) => ({ ...params, ...query }))
      })
  })
