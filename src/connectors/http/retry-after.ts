/**
 * Reading a `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an HTTP-date, as the wait
 * it asks for.
 *
 * @since 0.2.0
 */

/** Whole seconds, as `Retry-After: 120` gives them. */
const delaySeconds = /^\d+$/

/**
 * The wait (ms, at least 0) that a `Retry-After` value asks for at `now` (epoch ms): `"2"` is 2000, an
 * HTTP-date is the time until it (0 once it passed); `undefined` when there is no value or it is neither.
 */
export const waitMs = (value: string | ReadonlyArray<string> | undefined, now: number): number | undefined => {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (text === undefined || text === "") return undefined
  if (delaySeconds.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
