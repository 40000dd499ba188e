/**
 * Masking secrets in what `wpc` prints: the values of parameters whose key looks like a secret
 * (password, passwd, token, secret, key), and the password of a URL with credentials.
 *
 * @since 0.1.0
 */
import type { Json, ParamMap } from "../config/param.js"

/** What replaces a secret. */
export const mask = "***"

/** Parameter keys whose values are secrets: every key containing password, passwd, token, secret or key. */
export const secretKey = /password|passwd|token|secret|key/i

const urlPassword = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#:@]*:)[^/?#@]*@/

const maskValue = (value: Json): Json => {
  if (typeof value === "string") return value.replace(urlPassword, `$1${mask}@`)
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(maskValue)
  return params(value as ParamMap)
}

/** `table` with every secret value (at every depth) replaced by `***`, and URL passwords masked. */
export const params = (table: ParamMap): ParamMap => {
  const out: { [key: string]: Json } = {}
  for (const key of Object.keys(table)) {
    const value = table[key]!
    out[key] = secretKey.test(key) && value !== null && value !== "" ? mask : maskValue(value)
  }
  return out
}
