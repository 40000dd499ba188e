import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import * as FsReason from "../../../src/connectors/file/fs-reason.js"
import { SinkError, SourceError, UnifiedReason } from "../../../src/index.js"

/** A node fs error as `fs/promises` makes it: an `Error` with `code` and `"CODE: text, op 'path'"`. */
const fsError = (code: string, text: string): Error => Object.assign(new Error(`${code}: ${text}, write '/data/out.log'`), { code })

describe("file sink: which file-system failures are retried", () => {
  it("resource exhaustion that clears by itself (ENOSPC, EDQUOT, EMFILE, ENFILE) is a retryable ResourceError", () => {
    for (const code of ["ENOSPC", "EDQUOT", "EMFILE", "ENFILE"]) {
      const reason = FsReason.fromError("write", "/data/out.log", fsError(code, "full"))
      expect(reason.kind).toBe("ResourceError")
      expect(reason.code).toBe(203)
      expect(reason.transient).toBe(true)
      expect(reason.retryable).toBe(true)
      expect(reason.detail).toBe(`write /data/out.log: ${code}: full`)
      const error = FsReason.sinkError("write", "/data/out.log")(fsError(code, "full"))
      expect(error.code).toBe(203)
      expect(error.retryable).toBe(true)
      expect(FsReason.sourceError("read", "/data/in.log")(fsError(code, "full")).retryable).toBe(true)
    }
  })

  it("other failures stay final: ENOMEM (203), permissions (103), a missing path (102), anything else (201)", () => {
    const cases: Array<[string, number]> = [["ENOMEM", 203], ["EACCES", 103], ["EROFS", 103], ["ENOENT", 102], ["EIO", 201], ["EISDIR", 201]]
    for (const [code, expected] of cases) {
      const error = FsReason.sinkError("open", "/data/out.log")(fsError(code, "no"))
      expect(error.code).toBe(expected)
      expect(error.retryable).toBe(false)
      expect(FsReason.fromError("open", "/data/out.log", fsError(code, "no")).transient).toBeUndefined()
    }
    expect(FsReason.sinkError("open", "/x")("not an errno").retryable).toBe(false)
  })

  it("a ResourceError is retryable only when marked transient, and the mark survives the error's Schema", () => {
    expect(UnifiedReason.resource("disk full").retryable).toBe(false)
    expect(UnifiedReason.transientResource("disk full").retryable).toBe(true)
    expect(UnifiedReason.transientResource("disk full").toString()).toBe("ResourceError: disk full")
    expect(UnifiedReason.network().retryable).toBe(true)
    const error = SinkError.uvs(UnifiedReason.transientResource("write /x: ENOSPC"))
    expect(error.message).toBe("[203 Uvs] ResourceError: write /x: ENOSPC")
    const encoded = Schema.encodeSync(SinkError.schema)(error)
    expect(encoded).toMatchObject({ _tag: "SinkUvs", uvs: { kind: "ResourceError", transient: true } })
    const back = Schema.decodeUnknownSync(SinkError.schema)(encoded)
    expect(back.retryable).toBe(true)
    expect(back.code).toBe(203)
    const final = Schema.decodeUnknownSync(SourceError.schema)(Schema.encodeSync(SourceError.schema)(SourceError.uvs(UnifiedReason.resource("x"))))
    expect(final.retryable).toBe(false)
  })
})
