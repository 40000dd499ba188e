/**
 * Masking secrets in what `wpc` prints: the values of parameters whose key looks like a secret
 * (password, passwd, token, secret, key), and the credentials of every URL in a value or a text
 * (`user:password@` keeps the user, a lone `token@` is masked whole).
 *
 * @since 0.1.0
 */
import type { Json, ParamMap } from "../config/param.js"
import * as UrlCredentials from "../config/url-credentials.js"

/** What replaces a secret. */
export const mask = UrlCredentials.mask

/** Parameter keys whose values are secrets: every key containing password, passwd, token, secret or key. */
export const secretKey = /password|passwd|token|secret|key/i

/** `text` with the credentials of every URL in it masked: `nats://u:***@h`, `nats://***@h`. */
export const text = UrlCredentials.maskIn

const maskValue = (value: Json): Json => {
  if (typeof value === "string") return text(value)
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(maskValue)
  return params(value as ParamMap)
}

/** `table` with every secret value (at every depth) replaced by `***`, and URL credentials masked. */
export const params = (table: ParamMap): ParamMap => {
  const out: { [key: string]: Json } = {}
  for (const key of Object.keys(table)) {
    const value = table[key]!
    out[key] = secretKey.test(key) && value !== null && value !== "" ? mask : maskValue(value)
  }
  return out
}
