import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import * as ConnectorDef from "../../src/config/def.js"
import * as FixedParam from "../../src/config/fixed-param.js"
import * as ParamSchema from "../../src/config/param-schema.js"
import * as SecretParam from "../../src/config/secret-param.js"

const Mode = Schema.Literal("safe", "fast")

/** A params Schema with every kind of field: required, defaulted, optional, fixed, secret, renamed, transformed. */
const Params = Schema.Struct({
  stream: Schema.NonEmptyString,
  batch: Schema.optionalWith(Schema.Int, { default: () => 1024 }),
  mode: Schema.optionalWith(FixedParam.fixed(Mode), { default: () => "safe" as const }),
  window: Schema.optionalWith(Schema.NumberFromString, { default: () => 5, exact: true }),
  tags: Schema.optionalWith(Schema.Array(Schema.String), { default: () => ["a"] }),
  consumer: Schema.optional(Schema.String),
  password: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  region: FixedParam.fixed(Schema.String),
  startId: Schema.optionalWith(Schema.String, { default: () => "0" }).pipe(Schema.fromKey("start_id"))
})

describe("ParamSchema.defaults", () => {
  it("is every key with a default, encoded as a definition writes it; keys without one are left out", () => {
    expect(ParamSchema.defaults(Params)).toEqual({ batch: 1024, mode: "safe", window: "5", tags: ["a"], start_id: "0" })
    // what the Schema decodes from the derived defaults is what it fills in by itself
    const given = { stream: "s", region: "eu" }
    expect(Schema.decodeUnknownSync(Params)({ ...ParamSchema.defaults(Params), ...given })).toEqual(Schema.decodeUnknownSync(Params)(given))
  })

  it("looks through a refinement of the whole struct; a struct without defaults has none", () => {
    const refined = Params.pipe(Schema.filter((p) => p.batch > 0))
    expect(ParamSchema.defaults(refined)).toEqual(ParamSchema.defaults(Params))
    expect(ParamSchema.defaults(Schema.Struct({ counter: Schema.optional(Schema.String) }))).toEqual({})
    expect(ParamSchema.defaults(Schema.String)).toEqual({})
  })
})

describe("ParamSchema.overridable and FixedParam", () => {
  it("is every key of the Schema in its order, except those marked fixed (with or without a default)", () => {
    expect(ParamSchema.overridable(Params)).toEqual(["stream", "batch", "window", "tags", "consumer", "password", "start_id"])
    expect(ParamSchema.overridable(Params)).not.toContain("mode")
    expect(ParamSchema.overridable(Params)).not.toContain("region")
    expect(ParamSchema.overridable(Schema.Number)).toEqual([])
  })

  it("a built-in definition keeps a fixed field's default but leaves it out of allow_override", () => {
    const def = ConnectorDef.builtinSourceDefs({ id: "demo-src", kind: "demo", params: Params }).sourceDef()
    expect(def.defaultParams["mode"]).toBe("safe")
    expect(def.allowOverride).not.toContain("mode")
    expect(def.allowOverride).toContain("batch")
    expect(def.defaultParams).toEqual(ParamSchema.defaults(Params))
  })

  it("marks a field whatever else it is: a secret can be fixed too", () => {
    const Both = Schema.Struct({ token: Schema.optional(FixedParam.fixed(SecretParam.secret(Schema.String))), user: Schema.String })
    expect(ParamSchema.overridable(Both)).toEqual(["user"])
    const struct = SecretParam.fieldsOf(Both)!
    expect(SecretParam.field(struct, "token")._tag).toBe("Secret")
  })
})
