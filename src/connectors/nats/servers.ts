/**
 * The `servers` param of the `nats` connector: server URLs separated by commas. A URL may not carry
 * credentials (`user:password@` or a token as `token@`): they belong in `params.username` and
 * `params.password`, or `params.token`, which `wpc` masks, while a URL is printed wherever a server is
 * named. Every message names a server by its redacted form.
 *
 * @since 0.1.0
 */

/** The entries of a `servers` list, trimmed, in order. */
export const split = (servers: string): Array<string> => servers.split(",").map((s) => s.trim())

/** The scheme of an entry (if it has one) and everything up to its last `@`: its userinfo. */
const userinfo = /^((?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?).*@/s

/**
 * `true` when `entry` carries credentials (`user:password@`, `user@` or `token@`). A server URL has no
 * path, so any `@` in it is one: a password holding `/` or `#` is caught too.
 */
export const hasCredentials = (entry: string): boolean => entry.includes("@")

/** `entry` with its userinfo replaced by `***` (`nats://***@host:4222`). */
export const redact = (entry: string): string => entry.replace(userinfo, "$1***@")

/** The list as messages show it: each entry redacted, separated by `, `. */
export const display = (servers: string): string => split(servers).map(redact).join(", ")

/** Where the servers of a list carry credentials: the index of the first one, and a message naming each (redacted). */
export interface CredentialsFound {
  readonly index: number
  readonly message: string
}

/** The entries of `servers` that carry credentials, described without them; `undefined` when none does. */
export const credentialsIn = (servers: string): CredentialsFound | undefined => {
  const entries = split(servers)
  const index = entries.findIndex(hasCredentials)
  if (index < 0) return undefined
  const found = entries.flatMap((entry, i) => (hasCredentials(entry) ? [`[${i}] ${JSON.stringify(redact(entry))}`] : []))
  const message = found.length === 1
    ? `server URL ${found[0]} carries credentials`
    : `server URLs ${found.slice(0, -1).join(", ")} and ${found[found.length - 1]} carry credentials`
  return { index, message }
}

/** What to write instead of credentials in a server URL. */
export const credentialsHint = "no user:password@ or token@ in a server URL; set params.username and params.password, or params.token"

/** The host and port of a server URL (`nats://h:4222`, `tls://[::1]:4222`; port 4222 when absent). */
export const hostPort = (entry: string): { readonly host: string; readonly port: number } => {
  const url = new URL(entry)
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname
  return { host, port: url.port === "" ? 4222 : Number(url.port) }
}
