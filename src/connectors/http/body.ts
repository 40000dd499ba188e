/**
 * Reading a request body with a size limit: past `maxBytes` it fails at once with `413` and stops
 * keeping what arrives; a client that goes away mid-body fails with `BodyAborted`.
 *
 * @since 0.1.0
 */
import type { IncomingMessage } from "node:http"
import { Data, Effect } from "effect"
import { type HttpRejection, tooLarge } from "./reply.js"

/** The client closed the connection before the body ended: there is nobody to answer. */
export class BodyAborted extends Data.TaggedError("BodyAborted")<{ readonly received: number }> {}

const overLimit = (maxBytes: number): HttpRejection => tooLarge(`body exceeds max_body_bytes (${maxBytes})`)

/**
 * The whole body of `req`, failing with `413` as soon as it (or its `Content-Length`) exceeds
 * `maxBytes`. Interrupting it detaches from the request.
 */
export const read = (req: IncomingMessage, maxBytes: number): Effect.Effect<Buffer, HttpRejection | BodyAborted> =>
  Effect.suspend(() => {
    const declared = Number(req.headers["content-length"] ?? Number.NaN)
    if (declared > maxBytes) return Effect.fail(overLimit(maxBytes))
    return Effect.async<Buffer, HttpRejection | BodyAborted>((resume) => {
      const chunks: Array<Buffer> = []
      let size = 0
      const detach = () => {
        req.off("data", onData)
        req.off("end", onEnd)
        req.off("close", onGone)
        req.off("error", onGone)
      }
      const finish = (result: Effect.Effect<Buffer, HttpRejection | BodyAborted>) => {
        detach()
        resume(result)
      }
      function onData(chunk: Buffer): void {
        size += chunk.length
        if (size > maxBytes) {
          chunks.length = 0
          // the stream keeps flowing without a listener: later chunks are dropped, not kept
          finish(Effect.fail(overLimit(maxBytes)))
        } else chunks.push(chunk)
      }
      function onEnd(): void {
        finish(Effect.succeed(Buffer.concat(chunks, size)))
      }
      function onGone(): void {
        finish(Effect.fail(new BodyAborted({ received: size })))
      }
      req.on("data", onData)
      req.on("end", onEnd)
      req.on("close", onGone)
      req.on("error", onGone)
      return Effect.sync(detach)
    })
  })
