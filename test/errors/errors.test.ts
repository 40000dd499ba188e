import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Schema } from "effect"
import {
  ConfigError,
  oweSink,
  oweSource,
  SinkError,
  SinkMock,
  SinkStgCtrl,
  SinkUnavailable,
  SinkUvs,
  SourceDisconnect,
  SourceEof,
  SourceError,
  SourceNotData,
  SourceOther,
  SourceSupplierError,
  SourceUvs,
  UnifiedReason,
  unifiedCodes
} from "../../src/index.js"

describe("UnifiedReason", () => {
  it("has the orion-error code of every kind", () => {
    const expected = {
      ValidationError: 100,
      BusinessError: 101,
      NotFoundError: 102,
      PermissionError: 103,
      LogicError: 104,
      RunRuleError: 105,
      DataError: 200,
      SystemError: 201,
      NetworkError: 202,
      ResourceError: 203,
      TimeoutError: 204,
      ConfigError: 300,
      ExternalError: 301
    }
    expect(unifiedCodes).toEqual(expected)
    for (const [kind, code] of Object.entries(expected)) {
      expect(UnifiedReason.of(kind as keyof typeof expected).code).toBe(code)
    }
    expect(UnifiedReason.validation().code).toBe(100)
    expect(UnifiedReason.business().code).toBe(101)
    expect(UnifiedReason.notFound().code).toBe(102)
    expect(UnifiedReason.permission().code).toBe(103)
    expect(UnifiedReason.logic().code).toBe(104)
    expect(UnifiedReason.runRule().code).toBe(105)
    expect(UnifiedReason.data().code).toBe(200)
    expect(UnifiedReason.system().code).toBe(201)
    expect(UnifiedReason.network().code).toBe(202)
    expect(UnifiedReason.resource().code).toBe(203)
    expect(UnifiedReason.timeout().code).toBe(204)
    expect(UnifiedReason.external().code).toBe(301)
  })

  it("gives config reasons each scope with code 300", () => {
    for (const scope of ["core", "feature", "dynamic"] as const) {
      const r = UnifiedReason.config("bad", scope)
      expect(r.code).toBe(300)
      expect(r.toString()).toBe(`ConfigError(${scope}): bad`)
    }
  })

  it("marks only network and timeout as retryable", () => {
    expect(UnifiedReason.network().retryable).toBe(true)
    expect(UnifiedReason.timeout().retryable).toBe(true)
    expect(UnifiedReason.data().retryable).toBe(false)
    expect(UnifiedReason.config().retryable).toBe(false)
  })
})

describe("source errors", () => {
  it("carry the codes and reasons of the spec", () => {
    const cases: ReadonlyArray<[SourceError, string, string, number]> = [
      [SourceError.notData(), "SourceNotData", "NotData", 100],
      [SourceError.eof(), "SourceEof", "EOF", 101],
      [SourceError.disconnect("peer reset"), "SourceDisconnect", "Disconnect", 503],
      [SourceError.supplierError("bad"), "SourceSupplierError", "SupplierError", 500],
      [SourceError.other("odd"), "SourceOther", "Other", 520],
      [SourceError.uvs(UnifiedReason.network("down")), "SourceUvs", "Uvs", 202],
      [SourceError.uvs(UnifiedReason.timeout()), "SourceUvs", "Uvs", 204],
      [SourceError.uvs(UnifiedReason.config("x")), "SourceUvs", "Uvs", 300]
    ]
    for (const [error, tag, reason, code] of cases) {
      expect(error._tag).toBe(tag)
      expect(error.reason).toBe(reason)
      expect(error.code).toBe(code)
      expect(SourceError.is(error)).toBe(true)
      expect(SinkError.is(error)).toBe(false)
    }
    expect(new SourceNotData().code).toBe(100)
    expect(new SourceEof().code).toBe(101)
    expect(new SourceDisconnect({ detail: "x" }).retryable).toBe(true)
    expect(new SourceSupplierError({ detail: "x" }).retryable).toBe(false)
    expect(new SourceOther({}).code).toBe(520)
    expect(new SourceUvs({ uvs: UnifiedReason.network() }).retryable).toBe(true)
  })

  it("have messages with code, reason and detail", () => {
    expect(SourceError.disconnect("peer reset").message).toBe("[503 Disconnect] peer reset")
    expect(SourceError.eof().message).toBe("[101 EOF]")
    expect(SourceError.uvs(UnifiedReason.network("down"), "tcp").message).toBe("[202 Uvs] NetworkError: down: tcp")
    expect(SourceError.ackUnsupported().detail).toBe("ack unsupported")
    expect(SourceError.seekUnsupported().detail).toBe("seek unsupported")
  })

  it.effect("can be caught by tag", () =>
    Effect.gen(function*() {
      const handled = yield* Effect.fail(SourceError.disconnect("gone")).pipe(
        Effect.catchTag("SourceDisconnect", (e) => Effect.succeed(`retry after ${e.detail}`))
      )
      expect(handled).toBe("retry after gone")
    }))

  it.effect("oweSource wraps any failure with the context", () =>
    Effect.gen(function*() {
      const e1 = yield* Effect.flip(oweSource("read failed")(Effect.fail("io timeout")))
      expect(e1).toBeInstanceOf(SourceSupplierError)
      expect(e1.detail).toBe("read failed: io timeout")
      expect(e1.code).toBe(500)
      const e2 = yield* Effect.flip(Effect.fail(new Error("EACCES")).pipe(SourceError.owe("open")))
      expect(e2.detail).toBe("open: EACCES")
      expect(e2.cause).toBeInstanceOf(Error)
    }))

  it("round-trip through their Schema", () => {
    const e = SourceError.uvs(UnifiedReason.network("down"), "tcp")
    const encoded = Schema.encodeSync(SourceError.schema)(e)
    expect(encoded).toMatchObject({ _tag: "SourceUvs", uvs: { kind: "NetworkError", detail: "down" }, detail: "tcp" })
    const back = Schema.decodeUnknownSync(SourceError.schema)(encoded)
    expect(back).toBeInstanceOf(SourceUvs)
    expect(back.code).toBe(202)
  })
})

describe("sink errors", () => {
  it("carry the codes and reasons of the spec", () => {
    const cases: ReadonlyArray<[SinkError, string, string, number]> = [
      [SinkError.sink("down"), "SinkUnavailable", "Sink", 500],
      [SinkError.mock(), "SinkMock", "Mock", 599],
      [SinkError.stgCtrl("quota"), "SinkStgCtrl", "StgCtrl", 510],
      [SinkError.uvs(UnifiedReason.network()), "SinkUvs", "Uvs", 202],
      [SinkError.uvs(UnifiedReason.data()), "SinkUvs", "Uvs", 200]
    ]
    for (const [error, tag, reason, code] of cases) {
      expect(error._tag).toBe(tag)
      expect(error.reason).toBe(reason)
      expect(error.code).toBe(code)
      expect(SinkError.is(error)).toBe(true)
      expect(SourceError.is(error)).toBe(false)
    }
    expect(new SinkUnavailable({}).retryable).toBe(true)
    expect(new SinkMock({}).retryable).toBe(false)
    expect(new SinkStgCtrl({}).code).toBe(510)
    expect(new SinkUvs({ uvs: UnifiedReason.timeout() }).retryable).toBe(true)
  })

  it("sendError prefixes the summary", () => {
    const e = SinkError.sendError("3 of 10 records")
    expect(e.detail).toBe("send error: 3 of 10 records")
    expect(e.code).toBe(500)
    expect(e.message).toBe("[500 Sink] send error: 3 of 10 records")
  })

  it.effect("oweSink turns any failure into SinkUnavailable with the context", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Effect.fail("io timeout").pipe(oweSink("flush failed")))
      expect(e).toBeInstanceOf(SinkUnavailable)
      expect(e.detail).toBe("flush failed: io timeout")
      expect(e.code).toBe(500)
      const exit = yield* Effect.exit(Effect.succeed(1).pipe(SinkError.owe("x")))
      expect(exit).toEqual(Exit.succeed(1))
    }))
})

describe("ConfigError", () => {
  it("has code 300 and a message naming file, line, path, expectation and fix", () => {
    const e = new ConfigError({
      detail: "override of \"host\" is not allowed",
      file: "topology/sources/a.toml",
      line: 4,
      path: "sources[0].params.host",
      expected: "one of: port",
      suggestion: "add host to allow_override"
    })
    expect(e.code).toBe(300)
    expect(e.reason).toBe("ConfigError")
    expect(e.message).toBe(
      "[300 ConfigError] topology/sources/a.toml:4: sources[0].params.host: override of \"host\" is not allowed (expected one of: port; add host to allow_override)"
    )
    expect(e.under("connectors[1]").path).toBe("connectors[1].sources[0].params.host")
    expect(new ConfigError({ detail: "x" }).inFile("a.toml").location).toBe("a.toml")
  })

  it("is a tagged error that Either can carry", () => {
    const r = Either.left(new ConfigError({ detail: "x" }))
    expect(Either.isLeft(r) && r.left._tag).toBe("ConfigError")
  })
})

describe("Uvs errors of both sides", () => {
  it("behave alike: code and retryable from the reason, the same message, detail and cause kept", () => {
    const cause = new Error("ECONNRESET")
    const pairs: ReadonlyArray<readonly [SourceUvs, SinkUvs]> = [
      [SourceError.uvs(UnifiedReason.network("down"), "tcp", cause), SinkError.uvs(UnifiedReason.network("down"), "tcp", cause)],
      [SourceError.uvs(UnifiedReason.data()), SinkError.uvs(UnifiedReason.data())],
      [SourceError.network("peer gone", cause), SinkError.network("peer gone", cause)]
    ]
    for (const [source, sink] of pairs) {
      expect(source.code).toBe(sink.code)
      expect(source.reason).toBe("Uvs")
      expect(sink.reason).toBe("Uvs")
      expect(source.retryable).toBe(sink.retryable)
      expect(source.message).toBe(sink.message)
      expect(source.detail).toBe(sink.detail)
      expect(source.cause).toBe(sink.cause)
    }
    const network = SinkError.network("peer gone", cause)
    expect(network).toBeInstanceOf(SinkUvs)
    expect(network.code).toBe(202)
    expect(network.retryable).toBe(true)
    expect(network.message).toBe("[202 Uvs] NetworkError: peer gone")
    expect(network.cause).toBe(cause)
    expect(SourceError.network("x")).toBeInstanceOf(SourceUvs)
    expect(SourceError.network("x").cause).toBeUndefined()
  })

  it("SinkUvs round-trips through its Schema like SourceUvs", () => {
    const e = SinkError.uvs(UnifiedReason.timeout("slow"), "redis")
    const back = Schema.decodeUnknownSync(SinkError.schema)(Schema.encodeSync(SinkError.schema)(e))
    expect(back).toBeInstanceOf(SinkUvs)
    expect(back.message).toBe("[204 Uvs] TimeoutError: slow: redis")
  })
})
