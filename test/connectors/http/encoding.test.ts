import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { leakChecked, receiveN, request, serve, text } from "./client.js"

describe("http source: compressed bodies", () => {
  it.live("a gzip body, a deflate (zlib) body and a raw-deflate body are decoded into their lines, in order", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve()
      const gz = yield* request(port, { body: zlib.gzipSync("one\ntwö\n"), headers: { "content-encoding": "gzip" } })
      expect([gz.status, gz.json]).toEqual([202, { accepted: 2 }])
      const deflate = yield* request(port, { body: zlib.deflateSync("three\n"), headers: { "content-encoding": "Deflate" } })
      expect(deflate.status).toBe(202)
      const raw = yield* request(port, { body: zlib.deflateRawSync("four\n"), headers: { "content-encoding": "deflate" } })
      expect(raw.status).toBe(202)
      expect((yield* receiveN(source, 4)).map(text)).toEqual(["one", "twö", "three", "four"])
    })))

  it.live("max_body_bytes bounds the DECODED size: a zip bomb gets 413 and nothing of it is queued; the server keeps serving", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ max_body_bytes: 1024 * 1024 })
      // 64 MiB of newlines and 'a's compress to about 64 KiB: far under the limit encoded, 64 times over it decoded
      const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, "aaaaaaa\n"))
      expect(bomb.length).toBeLessThan(1024 * 1024)
      const answer = yield* request(port, { body: bomb, headers: { "content-encoding": "gzip" } })
      expect(answer.status).toBe(413)
      expect(answer.text).toContain("decoded body exceeds max_body_bytes (1048576)")
      const fits = yield* request(port, { body: zlib.gzipSync("after\n"), headers: { "content-encoding": "gzip" } })
      expect(fits.status).toBe(202)
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["after"])
    })))

  it.live("a body that is not what its Content-Encoding says gets 400; an unknown encoding still gets 415", () =>
    leakChecked(Effect.gen(function*() {
      const { port } = yield* serve()
      const bad = yield* request(port, { body: "not gzip at all", headers: { "content-encoding": "gzip" } })
      expect(bad.status).toBe(400)
      expect(bad.text).toContain("body is not valid gzip")
      const truncated = yield* request(port, { body: zlib.gzipSync("x\n".repeat(1000)).subarray(0, 20), headers: { "content-encoding": "gzip" } })
      expect(truncated.status).toBe(400)
      expect((yield* request(port, { body: "x", headers: { "content-encoding": "br" } })).status).toBe(415)
    })))
})
