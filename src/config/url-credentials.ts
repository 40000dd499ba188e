/**
 * `UrlCredentials`: masking the userinfo of URLs in a text, so no error message, table or log line
 * prints a password or a token given as `user:password@` or `token@`.
 *
 * @since 0.1.0
 */

/** What replaces a secret. */
export const mask = "***"

/**
 * A URL's scheme and what follows it up to its last `@` (before a blank, a quote or a comma), wherever it
 * is in a text. Taken for userinfo even past a `/`: a password may hold one, and masking a path that holds
 * an `@` costs less than printing a password.
 */
const urlUserinfo = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s"',]*)@/g

/** `text` with the credentials of every URL in it masked: `nats://u:***@h`, `nats://***@h` (the user is kept). */
export const maskIn = (text: string): string =>
  text.includes("@")
    ? text.replace(urlUserinfo, (_, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":")
      return `${scheme}${colon < 0 ? mask : `${userinfo.slice(0, colon)}:${mask}`}@`
    })
    : text
