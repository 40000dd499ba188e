/**
 * `MysqlClient`: connections of the `mysql2` library (loaded on first use, so that importing the
 * package loads no database client), identifier quoting, and the classification of its errors.
 *
 * @since 0.2.0
 */
import type * as Mysql from "mysql2/promise"
import { Effect } from "effect"
import { ConfigError } from "../../errors/config.js"
import { describeCause } from "../../errors/describe.js"
import * as Tls from "../net/tls.js"
import type { Failure } from "../sql/database.js"
import type { HostPort } from "../sql/endpoint.js"

/** The library, imported once, when the first connection is opened. */
let library: Promise<typeof Mysql> | undefined

/** What `connect` needs. */
export interface ConnectOptions extends HostPort {
  readonly database: string
  readonly username: string
  readonly password?: string | undefined
  /** Connect with TLS with these options (`sslOf`). */
  readonly tls?: Tls.ClientOptions | undefined
}

/**
 * `mysql2`'s `ssl` of TLS options: CA, client certificate, minimum version, the chain always checked, the
 * server's name checked (against the endpoint's host) unless `verify_server_name = false` installed
 * `checkServerIdentity`.
 */
export const sslOf = (tls: Tls.ClientOptions): Mysql.SslOptions => ({
  ...(tls.ca === undefined ? {} : { ca: tls.ca }),
  ...(tls.cert === undefined ? {} : { cert: tls.cert }),
  ...(tls.key === undefined ? {} : { key: tls.key }),
  ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
  ...(tls.minVersion === undefined ? {} : { minVersion: tls.minVersion }),
  rejectUnauthorized: true,
  verifyIdentity: tls.checkServerIdentity === undefined
})

/** The `ConfigError` of `tls.server_name` on a MySQL connection (`mysql2` checks the endpoint's host). */
export const serverNameRefused = (who: string): ConfigError =>
  new ConfigError({
    detail: `${who}: tls.server_name is not supported (mysql2 checks the endpoint's host name)`,
    path: "params.tls.server_name",
    expected: "no server_name: put the name the certificate carries in params.endpoint"
  })

/** `Tls.clientOptions` of a MySQL connection's `tls` table, refusing `server_name`. */
export const tlsOptions = (params: Tls.ClientTls | undefined, who: string): Effect.Effect<Tls.ClientOptions | undefined, ConfigError> =>
  params?.enabled === true && params.server_name !== undefined ? Effect.fail(serverNameRefused(who)) : Tls.clientOptions(params, who)

/** An open connection and whether it broke. */
export interface Client {
  readonly connection: Mysql.Connection
  /** `undefined` while usable; why not once it broke (the server went away, a fatal error). */
  readonly broken: () => string | undefined
}

/** How long connecting may take. */
export const connectTimeoutMs = 5000

/** How long one statement may take before the client gives up on it (and on its connection). */
export const statementTimeoutMs = 30_000

/**
 * Connects to `options` with exact integers (`BIGINT` as text), dates as text, and the session's time
 * zone UTC (so `TIMESTAMP` columns take and give UTC). A broken connection is reported by `broken`,
 * never thrown at the process.
 */
export const connect = async (options: ConnectOptions): Promise<Client> => {
  const mysql = await (library ??= import("mysql2/promise"))
  const connection = await mysql.createConnection({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.username,
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.tls === undefined ? {} : { ssl: sslOf(options.tls) }),
    connectTimeout: connectTimeoutMs,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    timezone: "Z",
    charset: "UTF8MB4_GENERAL_CI"
  })
  let broken: string | undefined = undefined
  // without a listener a connection lost while idle is an unhandled 'error' event
  connection.on("error", (error: unknown) => {
    broken = describeCause(error)
  })
  connection.once("end", () => {
    broken ??= "the connection ended"
  })
  try {
    await connection.query({ sql: "SET time_zone = '+00:00'", timeout: statementTimeoutMs })
  } catch (error) {
    connection.destroy()
    throw error
  }
  return { connection, broken: () => broken }
}

/** `name` quoted as a MySQL identifier. */
export const quote = (name: string): string => `\`${name.replace(/`/g, "``")}\``

/** Server errors that mean the server is busy now (too many connections, a lock wait, a deadlock, no memory or thread now). */
const busy = new Set([1040, 1041, 1135, 1203, 1205, 1213, 1226])

/** Server errors that mean the connection is going away (shutdown, killed, gone, lost). */
const going = new Set([1053, 1077, 1078, 1079, 1080, 1152, 1153, 1154, 1156, 1184, 1927, 2006, 2013])

/** Server errors about a value or a constraint (besides SQLSTATE classes 22 and 23). */
const badData = new Set([1048, 1062, 1136, 1264, 1265, 1292, 1366, 1367, 1406, 1451, 1452, 1586, 3819, 4025])

/** Server errors about the credentials or a privilege. */
const deniedErrors = new Set([1044, 1045, 1142, 1143, 1227, 1698])

/** The fields of a `mysql2` error. */
interface ErrorFields {
  readonly code?: unknown
  readonly errno?: unknown
  readonly sqlState?: unknown
  readonly fatal?: unknown
}

/**
 * The failure of a `mysql2` error: a server error by its number and SQLSTATE (busy, data, denied, or
 * refused: an unknown table or column, bad SQL), a client-side timeout, or the connection (refused,
 * reset, lost, or a fatal error of another kind, after which the connection is unusable).
 */
export const classify = (cause: unknown): Failure => {
  if (typeof cause !== "object" || cause === null) return "connection"
  const { code, errno, fatal, sqlState } = cause as ErrorFields
  if (code === "PROTOCOL_SEQUENCE_TIMEOUT" || code === "ETIMEDOUT") return "timeout"
  const server = typeof sqlState === "string" && typeof errno === "number"
  if (!server) return "connection"
  if (busy.has(errno)) return "busy"
  if (going.has(errno) || fatal === true) return "connection"
  if (deniedErrors.has(errno) || sqlState.startsWith("28")) return "denied"
  if (badData.has(errno) || sqlState.startsWith("22") || sqlState.startsWith("23")) return "data"
  return "refused"
}

/** What to check when the server refuses the credentials. */
export const authHint = "check params.username and params.password, and the user's privileges on the database"
