/**
 * `Content-Encoding` of a request body: `identity` (or none), `gzip` and `deflate` (zlib, or the raw
 * deflate some clients send under that name) are decoded, with the decoded size held to the same
 * limit as the body (`max_body_bytes`): a zip bomb stops being inflated at the limit and gets `413`.
 *
 * @since 0.3.0
 */
import type * as zlib from "node:zlib"
import { Effect } from "effect"
import { badRequest, type HttpRejection, tooLarge, unsupportedEncoding } from "./reply.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** How a body is encoded: left as it is, or inflated by one of zlib's decoders. */
export type Encoding = "identity" | "gzip" | "deflate"

/** The `Encoding` of a `Content-Encoding` header (in whatever case; absent: identity), or `415` for every other. */
export const of = (header: string | undefined): Effect.Effect<Encoding, HttpRejection> => {
  const name = header === undefined ? "identity" : header.trim().toLowerCase()
  return name === "identity" || name === "" ? Effect.succeed("identity") : name === "gzip" || name === "x-gzip"
    ? Effect.succeed("gzip")
    : name === "deflate"
    ? Effect.succeed("deflate")
    : Effect.fail(unsupportedEncoding(header ?? ""))
}

type Inflate = (buf: Buffer, options: zlib.ZlibOptions, callback: (error: Error | null, result: Buffer) => void) => void

/** Runs `inflate` on `body`, stopping with `ERR_BUFFER_TOO_LARGE` past `maxBytes` of output. */
const run = (inflate: Inflate, body: Buffer, maxBytes: number): Effect.Effect<Buffer, NodeJS.ErrnoException> =>
  Effect.async<Buffer, NodeJS.ErrnoException>((resume) => {
    inflate(body, { maxOutputLength: maxBytes }, (error, result) => {
      resume(error === null ? Effect.succeed(result) : Effect.fail(error as NodeJS.ErrnoException))
    })
  })

/**
 * `body` decoded as `encoding`: past `maxBytes` decoded it is `413` (inflating stops there, nothing more
 * is allocated); a body that is not valid for its encoding (or is cut short) is `400`. `deflate` takes
 * the zlib format and, when its header is not there, raw deflate.
 */
export const decode = (body: Buffer, encoding: Encoding, maxBytes: number): Effect.Effect<Buffer, HttpRejection> => {
  if (encoding === "identity") return Effect.succeed(body)
  const decoded = encoding === "gzip"
    ? run(NodeBuiltins.zlib().gunzip, body, maxBytes)
    : Effect.catchIf(run(NodeBuiltins.zlib().inflate, body, maxBytes), (e) => e.code === "Z_DATA_ERROR", () => run(NodeBuiltins.zlib().inflateRaw, body, maxBytes))
  return Effect.mapError(decoded, (error) =>
    error.code === "ERR_BUFFER_TOO_LARGE"
      ? tooLarge(`decoded body exceeds max_body_bytes (${maxBytes})`)
      : badRequest(`body is not valid ${encoding} (${error.code ?? error.message})`))
}
