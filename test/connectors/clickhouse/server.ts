import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import { freePort } from "../../../src/testkit/ports.js"
import { findBinary, type ServerProcess, serverProcess } from "../server-process.js"

const binary = findBinary("clickhouse-server", ["/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"])

/** The user with a password (HTTP basic auth). */
export const writer = { username: "writer", password: "s3cret pass:with colon" } as const

/** A user that may run one query at a time (`max_concurrent_queries_for_user = 1`): a second one is refused with TOO_MANY_SIMULTANEOUS_QUERIES. */
export const tight = { username: "tight", password: "tight" } as const

/** Query-level settings, sent as URL parameters. */
export type Settings = Readonly<Record<string, string | number>>

/** What a query may carry besides its SQL. */
export interface QueryOptions {
  readonly settings?: Settings | undefined
  readonly body?: string | undefined
  /** The user to run it as (default: `default`, without a password). */
  readonly user?: { readonly username: string; readonly password: string } | undefined
}

/** A running `clickhouse-server` on 127.0.0.1 with its data in a temp dir (`start` after `stop` brings the data back). */
export interface ClickhouseServer extends ServerProcess {
  /** `http://127.0.0.1:<http port>`. */
  readonly endpoint: string
  /**
   * Runs `sql` as the default user (no keep-alive: nothing stays open), with `settings` in the URL (an
   * output format's settings only apply there in 18.16) and `body` as the INSERT's data; the answer's
   * body, or a failure with the server's message.
   */
  readonly query: (sql: string, options?: QueryOptions) => Effect.Effect<string, Error>
  /** The rows of a `SELECT ... FORMAT JSONEachRow`, parsed. */
  readonly rows: (sql: string, settings?: Settings) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, Error>
}

/** XML text with `&`, `<`, `>` escaped. */
const xml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** The server's config: every port on 127.0.0.1, every path in `dir`, the log in a file there, UTC. */
const config = (dir: string, ports: { readonly http: number; readonly tcp: number; readonly interserver: number }): string => `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <keep_alive_timeout>10</keep_alive_timeout>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <users_config>${dir}/users.xml</users_config>
</yandex>
`

/** The users: `default` without a password, `writer` with one, `tight` limited to one query at a time. */
const users = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>2000000000</max_memory_usage></default>
    <tight><max_concurrent_queries_for_user>1</max_concurrent_queries_for_user></tight>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <${writer.username}><password>${xml(writer.password)}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${writer.username}>
    <${tight.username}><password>${tight.password}</password><networks><ip>127.0.0.1</ip></networks><profile>tight</profile><quota>default</quota></${tight.username}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`

/** POSTs `body` to `url` without keep-alive, with `headers`; the answer's body, or a failure with it when the status is not 200. */
const post = (url: string, body: string, headers: Readonly<Record<string, string>>): Effect.Effect<string, Error> =>
  Effect.async<string, Error>((resume) => {
    const req = http.request(url, { method: "POST", agent: false, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("error", (e) => resume(Effect.fail(e)))
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        resume(res.statusCode === 200 ? Effect.succeed(text) : Effect.fail(new Error(`HTTP ${res.statusCode}: ${text}`)))
      })
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end(body)
    return Effect.sync(() => req.destroy())
  })

/**
 * Starts `clickhouse-server` (as root: it allows it) on free loopback ports (HTTP, native TCP and
 * interserver) with its config, users and data in a temp dir; killed and the dir removed when the
 * Scope closes. The config is written before each start (the dir exists only then).
 */
export const clickhouseServer: Effect.Effect<ClickhouseServer, Error, Scope.Scope> = Effect.gen(function*() {
  const tcp = yield* freePort
  const interserver = yield* freePort
  const server = yield* serverProcess("clickhouse", binary, (port, dir) => {
    const file = path.join(dir, "config.xml")
    fs.writeFileSync(file, config(dir, { http: port, tcp, interserver }))
    fs.writeFileSync(path.join(dir, "users.xml"), users)
    return [`--config-file=${file}`]
  })
  const endpoint = `http://127.0.0.1:${server.port}`
  const query = (sql: string, options: QueryOptions = {}): Effect.Effect<string, Error> => {
    const url = new URL(`${endpoint}/`)
    for (const [key, value] of Object.entries(options.settings ?? {})) url.searchParams.set(key, String(value))
    const headers: Record<string, string> = options.user === undefined
      ? {}
      : { Authorization: `Basic ${Buffer.from(`${options.user.username}:${options.user.password}`).toString("base64")}` }
    if (options.body === undefined) return post(url.href, sql, headers)
    url.searchParams.set("query", sql)
    return post(url.href, options.body, headers)
  }
  const rows = (sql: string, settings?: Settings) =>
    Effect.map(query(`${sql} FORMAT JSONEachRow`, { settings }), (text) =>
      text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>))
  return { ...server, endpoint, query, rows }
})
