/**
 * Bearer-token authentication of ingest requests, compared in constant time.
 *
 * @since 0.1.0
 */
import { createHash, timingSafeEqual } from "node:crypto"

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest()

/**
 * A check of the `Authorization` header against `token`: `true` only for `Bearer <token>`. Both sides
 * are hashed first, so the comparison takes the same time whatever the length or content of the guess.
 */
export const verifier = (token: string): (authorization: string | undefined) => boolean => {
  const expected = digest(token)
  return (authorization) => {
    if (authorization === undefined) return false
    const match = /^Bearer[ \t]+(.*?)[ \t]*$/i.exec(authorization)
    return match !== null && timingSafeEqual(digest(match[1]!), expected)
  }
}
