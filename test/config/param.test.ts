import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit, Option, pipe, Schema } from "effect"
import { parse } from "smol-toml"
import * as ParamMap from "../../src/config/param.js"
import { ConfigError } from "../../src/errors/config.js"

const failure = <A>(effect: Effect.Effect<A, ConfigError>) => Effect.flip(effect)

describe("ParamMap.fromToml / fromTomlText", () => {
  it.effect("flattens every TOML value kind", () =>
    Effect.gen(function*() {
      const table = parse(`
name = "tcp-in"
port = 9000
ratio = 0.5
enabled = true
at = 1979-05-27T07:32:00Z
local_dt = 1979-05-27T07:32:00
day = 1979-05-27
clock = 07:32:00
offset = 1979-05-27T00:32:00.999-07:00
big = inf
small = -inf
odd = nan
tags = ["a", 1, [true]]
[tls.client]
verify = false
items = [{ k = 1 }]
`)
      const pm = yield* ParamMap.fromToml(table)
      expect(pm).toEqual({
        at: "1979-05-27T07:32:00.000Z",
        big: null,
        clock: "07:32:00.000",
        day: "1979-05-27",
        enabled: true,
        local_dt: "1979-05-27T07:32:00.000",
        name: "tcp-in",
        odd: null,
        offset: "1979-05-27T00:32:00.999-07:00",
        port: 9000,
        ratio: 0.5,
        small: null,
        tags: ["a", 1, [true]],
        tls: { client: { items: [{ k: 1 }], verify: false } }
      })
      expect(Object.keys(pm)).toEqual([...Object.keys(pm)].sort())
      // nested tables become ordinary objects
      expect(Object.getPrototypeOf(pm["tls"])).toBe(Object.prototype)
    }))

  it.effect("converts safe bigints and rejects unsafe ones naming the key path", () =>
    Effect.gen(function*() {
      const table = parse("a = 1\n[x]\nlist = [1, 9223372036854775807]", { integersAsBigInt: "asNeeded" })
      const error = yield* failure(ParamMap.fromToml(table, "params"))
      expect(error._tag).toBe("ConfigError")
      expect(error.code).toBe(300)
      expect(error.path).toBe("params.x.list[1]")
      expect(error.detail).toContain("9223372036854775807")
      const ok = yield* ParamMap.fromToml(parse("a = 5", { integersAsBigInt: true }))
      expect(ok).toEqual({ a: 5 })
    }))

  it.effect("rejects non-TOML values in a table", () =>
    Effect.gen(function*() {
      const error = yield* failure(ParamMap.fromToml({ a: { b: () => 1 } }))
      expect(error.path).toBe("a.b")
      expect(error.detail).toContain("function")
    }))

  it.effect("parses TOML text", () =>
    Effect.gen(function*() {
      const pm = yield* ParamMap.fromTomlText("b = 2\na = \"x\"\n")
      expect(ParamMap.toJson(pm)).toBe(`{"a":"x","b":2}`)
    }))

  it.effect("reports syntax errors with file, line and column", () =>
    Effect.gen(function*() {
      const error = yield* failure(ParamMap.fromTomlText("a = 1\nb = \n", "conf/x.toml"))
      expect(error._tag).toBe("ConfigError")
      expect(error.file).toBe("conf/x.toml")
      expect(error.line).toBe(2)
      expect(error.column).toBeTypeOf("number")
      expect(error.detail).not.toContain("\n")
      expect(error.message).toContain("conf/x.toml:2:")
    }))

  it.effect("reports integers that lose precision as a located error with a fix", () =>
    Effect.gen(function*() {
      const error = yield* failure(ParamMap.fromTomlText("id = 9223372036854775807", "a.toml"))
      expect(error.line).toBe(1)
      expect(error.detail).toContain("losslessly")
      expect(error.suggestion).toContain("strings")
    }))
})

describe("ParamMap.decode", () => {
  it.effect("accepts JSON objects and returns a sorted deep copy", () =>
    Effect.gen(function*() {
      const input = { b: [1, { z: 1, a: null }], a: "x" }
      const pm = yield* ParamMap.decode(input)
      expect(pm).toEqual(input)
      expect(Object.keys(pm)).toEqual(["a", "b"])
      expect(pm["b"]).not.toBe(input.b)
    }))

  const bad: ReadonlyArray<[string, unknown, string, string]> = [
    ["a function", { tags: ["a", "b", () => 1] }, "params.tags[2]", "function"],
    ["undefined", { x: { y: undefined } }, "params.x.y", "undefined"],
    ["NaN", { n: Number.NaN }, "params.n", "NaN"],
    ["Infinity", { n: [Infinity] }, "params.n[0]", "Infinity"],
    ["a Date", { when: new Date(0) }, "params.when", "Date"],
    ["a class instance", { m: new Map() }, "params.m", "Map"],
    ["a bigint", { n: 1n }, "params.n", "bigint"],
    ["an odd key", { "a b": Symbol("s") }, "params[\"a b\"]", "symbol"]
  ]
  for (const [what, input, path, word] of bad) {
    it.effect(`rejects ${what}, naming the key path`, () =>
      Effect.gen(function*() {
        const error = yield* failure(ParamMap.decode(input, "params"))
        expect(error._tag).toBe("ConfigError")
        expect(error.path).toBe(path)
        expect(error.detail).toContain(word)
        expect(error.expected).toContain("JSON value")
      }))
  }

  it.effect("rejects a non-object root and circular structures", () =>
    Effect.gen(function*() {
      for (const root of [[1], "x", null, 3, new Date()]) {
        const error = yield* failure(ParamMap.decode(root, "params"))
        expect(error.path).toBe("params")
        expect(error.expected).toContain("table of parameters")
      }
      const cyclic: { self?: unknown } = {}
      cyclic.self = { again: cyclic }
      const error = yield* failure(ParamMap.decode(cyclic))
      expect(error.path).toBe("self.again")
      expect(error.detail).toBe("circular reference")
    }))

  it.effect("accepts shared (non-circular) references", () =>
    Effect.gen(function*() {
      const shared = { v: 1 }
      const pm = yield* ParamMap.decode({ a: shared, b: [shared, shared] })
      expect(pm).toEqual({ a: { v: 1 }, b: [{ v: 1 }, { v: 1 }] })
    }))

  it.effect("keeps __proto__ as an ordinary key", () =>
    Effect.gen(function*() {
      const pm = yield* ParamMap.decode(JSON.parse(`{"__proto__":{"polluted":true},"a":1}`))
      expect(Object.getPrototypeOf(pm)).toBe(Object.prototype)
      expect(ParamMap.keys(pm)).toEqual(["__proto__", "a"])
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
    }))
})

describe("ParamMap schema", () => {
  it("decodes and encodes with sorted keys", () => {
    const decoded = Schema.decodeUnknownSync(ParamMap.schema)({ b: 1, a: { d: 1, c: 2 } })
    expect(Object.keys(decoded)).toEqual(["a", "b"])
    const encoded = Schema.encodeSync(ParamMap.schema)({ z: 1, y: [{ b: 1, a: 2 }] })
    expect(JSON.stringify(encoded)).toBe(`{"y":[{"a":2,"b":1}],"z":1}`)
  })

  it("reports the failing key path through ParseResult", () => {
    const result = Schema.decodeUnknownEither(Schema.Struct({ params: ParamMap.schema }))({
      params: { tags: ["a", new Date()] }
    })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      const error = ParamMap.parseErrorToConfigError(result.left, "connectors[0]")
      expect(error.path).toBe("connectors[0].params.tags[1]")
      expect(error.detail).toContain("Date")
    }
  })

  it("decodeParams checks every key: the error names the first, problemsOf gives one error per bad key", () => {
    const Params = Schema.Struct({ port: Schema.Int, host: Schema.NonEmptyString, tls: Schema.optional(Schema.Boolean) })
    const exit = Effect.runSyncExit(ParamMap.decodeParams(Params, { port: "x", host: "", tls: "yes" }, "sources[2].params"))
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isSuccess(exit)) return
    const error = Cause.failureOption(exit.cause).pipe(Option.getOrThrow)
    expect(error.path).toBe("sources[2].params.port")
    const all = ParamMap.problemsOf(error)
    expect(all.map((e) => [e.path, e.expected])).toEqual([
      ["sources[2].params.port", "number"],
      ["sources[2].params.host", "a non empty string"],
      ["sources[2].params.tls", "boolean"]
    ])
    expect(all[0]).toBe(error)
    // one bad key, or an error that did not come from decoding, is itself
    const one = Effect.runSync(Effect.flip(ParamMap.decodeParams(Params, { port: 1, host: "" })))
    expect(ParamMap.problemsOf(one)).toEqual([one])
    const plain = new ConfigError({ detail: "nope", path: "x" })
    expect(ParamMap.problemsOf(plain)).toEqual([plain])
  })

  it("Json accepts scalars and rejects non-JSON", () => {
    expect(Schema.is(ParamMap.Json)(1)).toBe(true)
    expect(Schema.is(ParamMap.Json)([null, "x", { a: true }])).toBe(true)
    expect(Schema.is(ParamMap.Json)(Number.NaN)).toBe(false)
    expect(Schema.is(ParamMap.Json)(undefined)).toBe(false)
  })
})

describe("ParamMap operations", () => {
  it("make, empty, keys, get", () => {
    const pm = ParamMap.make({ b: 1, a: [2] })
    expect(ParamMap.keys(pm)).toEqual(["a", "b"])
    expect(ParamMap.keys(ParamMap.empty)).toEqual([])
    expect(ParamMap.get(pm, "a")).toEqual(Option.some([2]))
    expect(pipe(pm, ParamMap.get("zz"))).toEqual(Option.none())
    expect(ParamMap.get(pm, "toString")).toEqual(Option.none())
  })

  it("merge: overrides win, shallow by key, both forms", () => {
    const base = ParamMap.make({ host: "localhost", port: 3306, tls: { verify: true, ca: "x" } })
    const overrides = ParamMap.make({ port: 3307, tls: { verify: false } })
    const merged = ParamMap.merge(base, overrides)
    expect(merged).toEqual({ host: "localhost", port: 3307, tls: { verify: false } })
    expect(pipe(base, ParamMap.merge(overrides))).toEqual(merged)
    expect(base["port"]).toBe(3306)
  })

  it("encode sorts keys recursively and copies", () => {
    const pm: ParamMap.ParamMap = { c: { z: 1, a: 2 }, a: [{ y: 1, b: 2 }] }
    const encoded = ParamMap.encode(pm)
    expect(JSON.stringify(encoded)).toBe(`{"a":[{"b":2,"y":1}],"c":{"a":2,"z":1}}`)
    expect(encoded["c"]).not.toBe(pm["c"])
  })

  it("toJson writes every key in sorted order, even integer-like ones", () => {
    const pm: ParamMap.ParamMap = { b: 1, "10": 2, "2": 3, a: { y: "é\"", x: [1.5, null, false] } }
    expect(ParamMap.toJson(pm)).toBe(`{"10":2,"2":3,"a":{"x":[1.5,null,false],"y":"é\\""},"b":1}`)
    expect(JSON.parse(ParamMap.toJson(pm))).toEqual(pm)
  })
})

describe("ParamMap.decodeParams", () => {
  const TcpParams = Schema.Struct({
    addr: Schema.String,
    port: Schema.Int.pipe(Schema.between(1, 65535)),
    tls: Schema.optional(Schema.Struct({ verify: Schema.Boolean }))
  })

  it.effect("decodes typed params", () =>
    Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(TcpParams, { addr: "0.0.0.0", port: 514 })
      expect(params).toEqual({ addr: "0.0.0.0", port: 514 })
    }))

  it.effect("names the wrong-typed key and what was expected", () =>
    Effect.gen(function*() {
      const error = yield* failure(ParamMap.decodeParams(TcpParams, { addr: "x", port: "abc" }))
      expect(error._tag).toBe("ConfigError")
      expect(error.path).toBe("params.port")
      expect(error.detail).toContain(`"abc"`)
      expect(error.expected).toBe("number")
    }))

  it.effect("names a missing key and an out-of-range value", () =>
    Effect.gen(function*() {
      const missing = yield* failure(ParamMap.decodeParams(TcpParams, { port: 1 }, "sources[0].params"))
      expect(missing.path).toBe("sources[0].params.addr")
      expect(missing.detail).toBe("missing required key")
      expect(missing.expected).toBe("string")
      const range = yield* failure(ParamMap.decodeParams(TcpParams, { addr: "x", port: 70000 }))
      expect(range.path).toBe("params.port")
      expect(range.detail).toContain("70000")
      expect(range.expected).toContain("65535")
    }))

  it.effect("describes a union of literals as a whole", () =>
    Effect.gen(function*() {
      const Framing = Schema.Struct({ framing: Schema.Literal("line", "len") })
      const error = yield* failure(ParamMap.decodeParams(Framing, { framing: "xml" }))
      expect(error.path).toBe("params.framing")
      expect(error.expected).toBe(`"line" | "len"`)
    }))

  it.effect("names nested keys and refuses unknown keys with the known ones and a did-you-mean", () =>
    Effect.gen(function*() {
      const nested = yield* failure(ParamMap.decodeParams(TcpParams, { addr: "x", port: 1, tls: { verify: "no" } }))
      expect(nested.path).toBe("params.tls.verify")
      expect(nested.expected).toBe("boolean")
      const extra = yield* failure(ParamMap.decodeParams(TcpParams, { addr: "x", port: 1, prot: 2 }))
      expect(extra.path).toBe("params.prot")
      expect(extra.detail).toBe(`unknown key "prot"`)
      expect(extra.suggestion).toBe(`did you mean "port"?`)
      expect(extra.expected).toContain("one of: addr, port")
      const deep = yield* failure(ParamMap.decodeParams(TcpParams, { addr: "x", port: 1, tls: { verfy: true } }))
      expect(deep.path).toBe("params.tls.verfy")
      expect(deep.suggestion).toBe(`did you mean "verify"?`)
    }))

  it.effect("problemsOf gives one error per unknown key, each with its own did-you-mean", () =>
    Effect.gen(function*() {
      const error = yield* failure(ParamMap.decodeParams(TcpParams, { addr: "x", port: 1, prot: 2, adr: "y" }))
      const problems = ParamMap.problemsOf(error)
      expect(problems.map((p) => [p.path, p.suggestion])).toEqual([
        ["params.prot", `did you mean "port"?`],
        ["params.adr", `did you mean "addr"?`]
      ])
    }))

  it.effect("an open-ended Schema (an index signature) takes any key; ignoring excess keys stays possible", () =>
    Effect.gen(function*() {
      const Open = Schema.Struct({ host: Schema.String }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
      expect(yield* ParamMap.decodeParams(Open, { host: "h", label: "x" })).toEqual({ host: "h", label: "x" })
      expect(ParamMap.knownKeys(Open)).toEqual(Option.none())
      expect(ParamMap.knownKeys(TcpParams)).toEqual(Option.some(["addr", "port", "tls"]))
      const lenient = yield* ParamMap.decodeParams(TcpParams, { addr: "x", port: 1, extra: 2 }, "params", { onExcessProperty: "ignore" })
      expect(lenient).toEqual({ addr: "x", port: 1 })
    }))
})

describe("formatPath", () => {
  it("renders identifiers, indexes and quoted keys", () => {
    expect(ParamMap.formatPath(undefined, [])).toBeUndefined()
    expect(ParamMap.formatPath("params", [])).toBe("params")
    expect(ParamMap.formatPath(undefined, ["a", 0, "b-c", "x.y"])).toBe(`a[0].b-c["x.y"]`)
  })
})
