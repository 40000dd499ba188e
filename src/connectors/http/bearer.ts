/**
 * Bearer-token authentication of ingest requests: the `Authorization` header is read by one forward
 * scan (linear in its length, whatever a client puts in it) and compared in constant time.
 *
 * @since 0.1.0
 */
import * as NodeBuiltins from "../../platform/node-builtins.js"

const digest = (s: string): Buffer => NodeBuiltins.crypto().createHash("sha256").update(s, "utf8").digest()

const scheme = "bearer"

/** SP or HTAB, the blanks allowed around the token. */
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09

/**
 * The token of an `Authorization: Bearer <token>` header value (the scheme case-insensitive, then one
 * or more blanks; trailing blanks removed), or `undefined` for another scheme or no token. One pass
 * over the value at most: no backtracking, so a hostile value costs time linear in its length.
 */
export const credentials = (authorization: string): string | undefined => {
  const n = authorization.length
  if (n <= scheme.length || !isBlank(authorization.charCodeAt(scheme.length))) return undefined
  if (authorization.slice(0, scheme.length).toLowerCase() !== scheme) return undefined
  let start = scheme.length + 1
  while (start < n && isBlank(authorization.charCodeAt(start))) start++
  let end = n
  while (end > start && isBlank(authorization.charCodeAt(end - 1))) end--
  return start === end ? undefined : authorization.slice(start, end)
}

/**
 * A check of the `Authorization` header against `token`: `true` only for `Bearer <token>`. Both sides
 * are hashed first, so the comparison takes the same time whatever the length or content of the guess.
 */
export const verifier = (token: string): (authorization: string | undefined) => boolean => {
  const expected = digest(token)
  return (authorization) => {
    if (authorization === undefined) return false
    const given = credentials(authorization)
    return given !== undefined && NodeBuiltins.crypto().timingSafeEqual(digest(given), expected)
  }
}
