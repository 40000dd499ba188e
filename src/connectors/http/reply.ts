/**
 * Replies of the HTTP acceptor: `HttpRejection`, why a request is refused (status, detail, headers), and
 * writing JSON replies to a node `ServerResponse`.
 *
 * @since 0.1.0
 */
import type { ServerResponse } from "node:http"
import { Data } from "effect"

/**
 * A refused request: the HTTP `status`, a `detail` naming what was wrong, extra `headers`, and whether
 * to `close` the connection (set when the body was left unread, so it is not read for nothing).
 */
export class HttpRejection extends Data.TaggedError("HttpRejection")<{
  readonly status: number
  readonly detail: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly close?: boolean | undefined
}> {}

/** `400 Bad Request`: the body is not what `format` expects. */
export const badRequest = (detail: string): HttpRejection => new HttpRejection({ status: 400, detail })

/** `401 Unauthorized` with `WWW-Authenticate: Bearer`; the body is not read. */
export const unauthorized = (detail: string): HttpRejection =>
  new HttpRejection({ status: 401, detail, headers: { "www-authenticate": `Bearer realm="ingest"` }, close: true })

/** `404 Not Found`. */
export const notFound = (path: string): HttpRejection => new HttpRejection({ status: 404, detail: `no route for ${path}`, close: true })

/** `405 Method Not Allowed` with the `Allow` header. */
export const methodNotAllowed = (method: string, path: string, allow: ReadonlyArray<string>): HttpRejection =>
  new HttpRejection({
    status: 405,
    detail: `method ${method} not allowed on ${path}; use ${allow.join(" or ")}`,
    headers: { allow: allow.join(", ") },
    close: true
  })

/** `413 Content Too Large`; the rest of the body is not read. */
export const tooLarge = (detail: string): HttpRejection => new HttpRejection({ status: 413, detail, close: true })

/** `415 Unsupported Media Type` (a compressed body). */
export const unsupportedEncoding = (encoding: string): HttpRejection =>
  new HttpRejection({ status: 415, detail: `content-encoding ${JSON.stringify(encoding)} is not supported; send identity`, close: true })

/** `503 Service Unavailable` with `Retry-After: retryAfterS`; `close` when the acceptor is stopping. */
export const unavailable = (detail: string, retryAfterS: number, close = false): HttpRejection =>
  new HttpRejection({ status: 503, detail, headers: { "retry-after": String(retryAfterS) }, close })

/** Writes `status` with `body` as JSON, unless a reply was already sent or the socket is gone. */
export const send = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
): void => {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text))
  })
  res.end(text)
}

/** Writes `rejection` as `{"error": detail}`, with `Connection: close` when it asks to close. */
export const reject = (res: ServerResponse, rejection: HttpRejection): void =>
  send(res, rejection.status, { error: rejection.detail }, {
    ...rejection.headers,
    ...(rejection.close === true ? { connection: "close" } : {})
  })
