import { describe, expect, it } from "@effect/vitest"
import { Effect, pipe, Schema } from "effect"
import * as ConnectorDef from "../../src/config/def.js"
import * as ParamMap from "../../src/config/param.js"
import { ConfigError } from "../../src/errors/config.js"

const mysql = { id: "mysql-prod", type: "mysql", params: { host: "localhost" } }

describe("ConnectorDef.decode", () => {
  it.effect("decodes the minimal form with defaults", () =>
    Effect.gen(function*() {
      const def = yield* ConnectorDef.decode(mysql)
      expect(def).toBeInstanceOf(ConnectorDef.ConnectorDef)
      expect(def.id).toBe("mysql-prod")
      expect(def.kind).toBe("mysql")
      expect(def.allowOverride).toEqual([])
      expect(def.defaultParams).toEqual({ host: "localhost" })
      expect(def.scope).toBe("source")
      expect(def.origin).toBeUndefined()
    }))

  it.effect("decodes allow_override and defaults params to {}", () =>
    Effect.gen(function*() {
      const def = yield* ConnectorDef.decode({ id: "f", type: "file", allow_override: ["path", "fmt"] })
      expect(def.allowOverride).toEqual(["path", "fmt"])
      expect(def.defaultParams).toEqual({})
    }))

  it.effect("ignores scope and origin keys in the input", () =>
    Effect.gen(function*() {
      const def = yield* ConnectorDef.decode({ ...mysql, scope: "sink", origin: "evil" })
      expect(def.scope).toBe("source")
      expect(def.origin).toBeUndefined()
      const odd = yield* ConnectorDef.decode({ ...mysql, scope: 42, origin: { x: 1 } })
      expect(odd.scope).toBe("source")
    }))

  const bad: ReadonlyArray<[string, unknown, string, string]> = [
    ["a missing type", { id: "x" }, "connectors[0].type", "missing required key"],
    ["a missing id", { type: "x" }, "connectors[0].id", "missing required key"],
    ["a non-string type", { id: "x", type: 5 }, "connectors[0].type", "Expected string, actual 5"],
    ["an empty id", { id: "", type: "t" }, "connectors[0].id", "non-empty string"],
    ["an empty type", { id: "x", type: "" }, "connectors[0].type", "non-empty string"],
    ["a padded id", { id: " x", type: "t" }, "connectors[0].id", "whitespace"],
    [
      "a non-string allow_override entry",
      { id: "x", type: "t", allow_override: ["a", 3] },
      "connectors[0].allow_override[1]",
      "actual 3"
    ],
    [
      "a non-array allow_override",
      { id: "x", type: "t", allow_override: "a" },
      "connectors[0].allow_override",
      "actual \"a\""
    ],
    ["non-JSON params", { id: "x", type: "t", params: { when: new Date(0) } }, "connectors[0].params.when", "Date"],
    ["non-object params", { id: "x", type: "t", params: [1] }, "connectors[0].params", "not a table"]
  ]
  for (const [what, input, path, detail] of bad) {
    it.effect(`rejects ${what}, naming ${path}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(ConnectorDef.decode(input, "connectors/source.d/db.toml", "connectors[0]"))
        expect(error).toBeInstanceOf(ConfigError)
        expect(error.code).toBe(300)
        expect(error.file).toBe("connectors/source.d/db.toml")
        expect(error.path).toBe(path)
        expect(error.detail).toContain(detail)
      }))
  }

  it.effect("names what was expected and works without a prefix", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ConnectorDef.decode({ id: "x", type: 5 }))
      expect(error.path).toBe("type")
      expect(error.file).toBeUndefined()
      expect(error.expected).toBe("string")
      const notObject = yield* Effect.flip(ConnectorDef.decode("x"))
      expect(notObject.path).toBeUndefined()
      expect(notObject._tag).toBe("ConfigError")
    }))
})

describe("ConnectorDef from a TOML file", () => {
  it.effect("decodes [[connectors]] after flattening the document with ParamMap.fromTomlText", () =>
    Effect.gen(function*() {
      const file = "connectors/source.d/db.toml"
      const doc = yield* ParamMap.fromTomlText(
        `[[connectors]]
id = "mysql-prod"
type = "mysql"
allow_override = ["table"]
[connectors.params]
host = "localhost"
since = 2024-01-01

[[connectors]]
id = "broken"
`,
        file
      )
      const entries = doc["connectors"]
      expect(Array.isArray(entries)).toBe(true)
      const list = Array.isArray(entries) ? entries : []
      const first = yield* ConnectorDef.decode(list[0], file, "connectors[0]")
      expect(first.defaultParams).toEqual({ host: "localhost", since: "2024-01-01" })
      expect(first.allowOverride).toEqual(["table"])
      const error = yield* Effect.flip(ConnectorDef.decode(list[1], file, "connectors[1]"))
      expect(error.path).toBe("connectors[1].type")
      expect(error.message).toContain("connectors/source.d/db.toml: connectors[1].type: missing required key")
    }))
})

describe("ConnectorDef encoding", () => {
  it.effect("encodes id, type, allow_override, params with sorted params and no runtime fields", () =>
    Effect.gen(function*() {
      const def = pipe(
        yield* ConnectorDef.decode({ id: "m", type: "mysql", params: { port: 3306, host: "h", opts: { z: 1, a: 2 } } }),
        ConnectorDef.withScope("sink"),
        ConnectorDef.withOrigin("connectors/sink.d/m.toml")
      )
      const encoded = ConnectorDef.encode(def)
      expect(Object.keys(encoded)).toEqual(["id", "type", "allow_override", "params"])
      expect(Object.keys(encoded.params)).toEqual(["host", "opts", "port"])
      expect(encoded).toEqual({
        id: "m",
        type: "mysql",
        allow_override: [],
        params: { host: "h", opts: { a: 2, z: 1 }, port: 3306 }
      })
      expect(ConnectorDef.toJson(def)).toBe(
        `{"id":"m","type":"mysql","allow_override":[],"params":{"host":"h","opts":{"a":2,"z":1},"port":3306}}`
      )
    }))

  it("the schema encodes the same shape and never emits scope or origin", () => {
    const def = ConnectorDef.make({
      id: "demo-source",
      kind: "memory",
      scope: "sink",
      allowOverride: ["events"],
      defaultParams: { b: 1, a: 2 },
      origin: "demo"
    })
    const encoded = Schema.encodeSync(ConnectorDef.ConnectorDef)(def)
    expect(encoded).not.toHaveProperty("scope")
    expect(encoded).not.toHaveProperty("origin")
    expect(JSON.stringify(encoded)).toBe(
      `{"id":"demo-source","type":"memory","allow_override":["events"],"params":{"a":2,"b":1}}`
    )
    expect(encoded).toEqual(ConnectorDef.encode(def))
  })

  it.effect("round-trips through encode and decode (runtime fields reset)", () =>
    Effect.gen(function*() {
      const def = ConnectorDef.make({
        id: "a",
        kind: "tcp",
        scope: "sink",
        allowOverride: ["port"],
        defaultParams: { port: 1 }
      })
      const back = yield* ConnectorDef.decode(JSON.parse(ConnectorDef.toJson(def)))
      expect(ConnectorDef.encode(back)).toEqual(ConnectorDef.encode(def))
      expect(back.scope).toBe("source")
    }))
})

describe("ConnectorDef.make / withScope / withOrigin / validate", () => {
  it("fills defaults", () => {
    const def = ConnectorDef.make({ id: "a", kind: "file" })
    expect(def.scope).toBe("source")
    expect(def.allowOverride).toEqual([])
    expect(def.defaultParams).toEqual({})
    expect(def.origin).toBeUndefined()
  })

  it("withScope and withOrigin return new definitions, data-first and data-last", () => {
    const def = ConnectorDef.make({ id: "a", kind: "file", origin: "x" })
    const sink = ConnectorDef.withScope(def, "sink")
    expect(sink).not.toBe(def)
    expect(sink.scope).toBe("sink")
    expect(def.scope).toBe("source")
    expect(sink).toBeInstanceOf(ConnectorDef.ConnectorDef)
    expect(sink.origin).toBe("x")
    expect(pipe(sink, ConnectorDef.withScope("source")).scope).toBe("source")
    expect(ConnectorDef.withOrigin(def, "y").origin).toBe("y")
    expect(pipe(def, ConnectorDef.withOrigin(undefined)).origin).toBeUndefined()
    expect(ConnectorDef.withScope(def, "source")).toBe(def)
  })

  it.effect("validate checks a definition built in code", () =>
    Effect.gen(function*() {
      const ok = ConnectorDef.make({ id: "a", kind: "file" })
      expect(yield* ConnectorDef.validate(ok)).toBe(ok)
      const error = yield* Effect.flip(ConnectorDef.validate(ConnectorDef.make({ id: "a", kind: "" })))
      expect(error.path).toBe("kind")
      expect(error.detail).toContain("non-empty string")
    }))

  it("ConnectorScope accepts only source and sink", () => {
    expect(Schema.is(ConnectorDef.ConnectorScope)("sink")).toBe(true)
    expect(Schema.is(ConnectorDef.ConnectorScope)("both")).toBe(false)
  })
})

describe("providers", () => {
  const base = ConnectorDef.make({ id: "demo", kind: "memory", allowOverride: ["events"], origin: "demo" })

  it.effect("a source provider defaults sourceDefs and validation, and forces scope source", () =>
    Effect.gen(function*() {
      const provider = ConnectorDef.makeSourceDefProvider({ sourceDef: () => ConnectorDef.withScope(base, "sink") })
      expect(provider.sourceDef().scope).toBe("source")
      expect(provider.sourceDef().id).toBe("demo")
      const defs = provider.sourceDefs()
      expect(defs.map((d) => [d.id, d.scope])).toEqual([["demo", "source"]])
      yield* provider.validateSource(base)
    }))

  it.effect("a sink provider forces scope sink on every definition", () =>
    Effect.gen(function*() {
      const provider = ConnectorDef.makeSinkDefProvider({
        sinkDef: () => base,
        sinkDefs: () => [base, ConnectorDef.make({ id: "demo-2", kind: "memory" })]
      })
      expect(provider.sinkDef().scope).toBe("sink")
      expect(provider.sinkDefs().map((d) => [d.id, d.scope])).toEqual([["demo", "sink"], ["demo-2", "sink"]])
      yield* provider.validateSink(base)
    }))

  it.effect("custom validation errors are ConfigErrors", () =>
    Effect.gen(function*() {
      const provider = ConnectorDef.makeSourceDefProvider({
        sourceDef: () => base,
        validateSource: (def) =>
          def.defaultParams["events"] === undefined
            ? Effect.fail(new ConfigError({ detail: "events is required", path: "params.events" }))
            : Effect.void
      })
      const error = yield* Effect.flip(provider.validateSource(provider.sourceDef()))
      expect(error.path).toBe("params.events")
      yield* provider.validateSource(ConnectorDef.make({ id: "x", kind: "memory", defaultParams: { events: [] } }))
    }))

  it.effect("a built-in connector's providers give its one definition, scoped, with origin builtin, derived from its params Schema", () =>
    Effect.gen(function*() {
      const Params = Schema.Struct({
        b: Schema.optionalWith(Schema.Int, { default: () => 2 }),
        a: Schema.optionalWith(Schema.Int, { default: () => 1 }),
        c: Schema.optional(Schema.String)
      })
      const source = ConnectorDef.builtinSourceDefs({ id: "demo-src", kind: "memory", params: Params })
      const sink = ConnectorDef.builtinSinkDefs({ id: "demo-sink", kind: "memory", params: Params })
      expect(source.sourceDefs().map((d) => [d.id, d.scope, d.origin])).toEqual([["demo-src", "source", "builtin"]])
      expect(sink.sinkDefs().map((d) => [d.id, d.scope, d.origin])).toEqual([["demo-sink", "sink", "builtin"]])
      // every key of the Schema may be overridden, in its order; the params are its defaults
      expect(source.sourceDef().allowOverride).toEqual(["b", "a", "c"])
      expect(ConnectorDef.toJson(sink.sinkDef())).toBe('{"id":"demo-sink","type":"memory","allow_override":["b","a","c"],"params":{"a":1,"b":2}}')
      yield* source.validateSource(source.sourceDef())
    }))
})
