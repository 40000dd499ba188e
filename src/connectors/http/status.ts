/**
 * What an answer's status means to the `http` sink: a `2xx` took the batch; `408`, `429` and every
 * `5xx` are worth retrying (the same request may succeed later); every other status refuses the batch for
 * good, and the engine rescues it with the status and the start of the answer's body.
 *
 * | status | error | code | retried |
 * |---|---|---|---|
 * | `2xx` | none | | |
 * | `408` | `TimeoutError` | 204 | yes |
 * | `429` | `ResourceError` (transient) | 203 | yes |
 * | `5xx` | `SinkUnavailable` | 500 | yes |
 * | `400`, `413`, `415`, `422` | `DataError` | 200 | no |
 * | `401`, `403` | `PermissionError` | 103 | no |
 * | `404`, `405`, `410` | `NotFoundError` | 102 | no |
 * | every other (`1xx`, `3xx`, other `4xx`) | `ExternalError` | 301 | no |
 *
 * @since 0.2.0
 */
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import type { Answer } from "./poster.js"

/** `true` for a status that took the batch. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300

/** `true` for a status worth retrying: `408`, `429`, `5xx`. */
export const isRetryable = (status: number): boolean => status === 408 || status === 429 || (status >= 500 && status < 600)

/** The answer's status, reason phrase and the start of its body, on one line. */
const said = (answer: Answer): string => {
  const head = answer.statusText === "" ? String(answer.status) : `${answer.status} ${answer.statusText}`
  const body = answer.excerpt.replace(/\s+/g, " ").trim()
  return body === "" ? head : `${head}: ${body}`
}

/**
 * The error of an answer that did not take the batch, naming `url`, the status and the start of the body
 * (`note` is appended: the wait a `Retry-After` asked for, a hint about the credentials).
 */
export const failure = (url: string, answer: Answer, note = ""): SinkError => {
  const detail = `http sink: POST ${url} answered ${said(answer)}${note}`
  const status = answer.status
  if (status === 408) return SinkError.uvs(UnifiedReason.timeout(detail))
  if (status === 429) return SinkError.uvs(UnifiedReason.transientResource(detail))
  if (status >= 500 && status < 600) return SinkError.sink(detail)
  if (status === 400 || status === 413 || status === 415 || status === 422) return SinkError.uvs(UnifiedReason.data(detail))
  if (status === 401 || status === 403) return SinkError.uvs(UnifiedReason.permission(detail))
  if (status === 404 || status === 405 || status === 410) return SinkError.uvs(UnifiedReason.notFound(detail))
  return SinkError.uvs(UnifiedReason.external(detail))
}
