/**
 * `PgClient`: connections of the `pg` library (loaded on first use, so that importing the package
 * loads no database client), identifier quoting, and the classification of its errors by SQLSTATE.
 *
 * @since 0.2.0
 */
import type * as Pg from "pg"
import { describeCause } from "../../errors/describe.js"
import type { Failure } from "../sql/database.js"
import type * as Tls from "../net/tls.js"
import type { HostPort } from "../sql/endpoint.js"

/** The library, imported once, when the first connection is opened. */
let library: Promise<typeof Pg> | undefined

/** What `connect` needs. */
export interface ConnectOptions extends HostPort {
  readonly database: string
  readonly username: string
  readonly password?: string | undefined
  /** Connect with TLS (`pg`'s `ssl`) with these options. */
  readonly tls?: Tls.ClientOptions | undefined
}

/** An open client and whether its connection broke. */
export interface Client {
  readonly client: Pg.Client
  /** `undefined` while usable; why not once it broke. */
  readonly broken: () => string | undefined
}

/** How long connecting may take. */
export const connectTimeoutMs = 5000

/** How long one statement may take before the client gives up on it (and on its connection). */
export const statementTimeoutMs = 30_000

/** Connects to `options`; a connection that breaks later is reported by `broken`, never thrown at the process. */
export const connect = async (options: ConnectOptions): Promise<Client> => {
  const pg = await (library ??= import("pg"))
  const client = new pg.default.Client({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.username,
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.tls === undefined ? {} : { ssl: options.tls }),
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: statementTimeoutMs,
    application_name: "wpc"
  })
  let broken: string | undefined = undefined
  // without a listener a connection lost while idle is an unhandled 'error' event
  client.on("error", (error: unknown) => {
    broken = describeCause(error)
  })
  client.on("end", () => {
    broken ??= "the connection ended"
  })
  await client.connect()
  return { client, broken: () => broken }
}

/** `name` quoted as a PostgreSQL identifier. */
export const quote = (name: string): string => `"${name.replace(/"/g, "\"\"")}"`

/**
 * The failure of a `pg` error: a server error by its SQLSTATE — classes 08 (connection), 57P01..57P03
 * (shutting down, starting up) connection; 53 (too many connections, out of memory or disk), 40
 * (serialization, deadlock) and 55P03 (lock not available) busy; 57014 (statement timeout) a timeout;
 * 22 and 23 data; 28 and 42501 denied; anything else refused. A client-side query timeout is a
 * timeout; every other client error (refused, reset, terminated) the connection.
 */
export const classify = (cause: unknown): Failure => {
  if (typeof cause !== "object" || cause === null) return "connection"
  const { code, message, severity } = cause as { readonly code?: unknown; readonly message?: unknown; readonly severity?: unknown }
  // a server error (pg's DatabaseError) carries a severity and a SQLSTATE; a client error does not
  if (typeof severity === "string" && typeof code === "string") {
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03") return "connection"
    if (code.startsWith("53") || code.startsWith("40") || code === "55P03") return "busy"
    if (code === "57014") return "timeout"
    if (code.startsWith("22") || code.startsWith("23")) return "data"
    if (code.startsWith("28") || code === "42501") return "denied"
    return "refused"
  }
  if (typeof message === "string" && /timeout/i.test(message)) return "timeout"
  return "connection"
}

/** What to check when the server refuses the credentials. */
export const authHint = "check params.username and params.password, and the role's privileges on the table"
