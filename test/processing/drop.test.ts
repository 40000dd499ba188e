import { describe, expect, it } from "@effect/vitest"
import { dropped } from "../../src/processing/processor.js"
import * as Drop from "../../src/processing/drop.js"
import { buildError, event, step } from "./field-fixtures.js"

describe("drop", () => {
  it("drops the events the filter matches and passes the others unchanged", () => {
    const s = step(Drop.kind, { filter: `$level == "debug" || status < 400 || #zone == "test"` })
    const keep = event({ level: "error", status: 503 }, { zone: "eu" })
    expect(s(keep)).toBe(keep)
    expect(s(event({ level: "debug", status: 503 }))).toBe(dropped)
    expect(s(event({ level: "info", status: 200 }))).toBe(dropped)
    expect(s(event({ level: "info", status: 500 }, { zone: "test" }))).toBe(dropped)
  })

  it("tests events without a record too: their field conditions are false", () => {
    const s = step(Drop.kind, { filter: `$level == "debug" || env == "dev"` })
    const plain = event(undefined, { env: "prod" })
    expect(s(plain)).toBe(plain)
    expect(s(event(undefined, { env: "dev" }))).toBe(dropped)
  })

  it("refuses an empty filter, a syntax error and unknown keys with a ConfigError at the key", () => {
    const empty = buildError(Drop.kind, { filter: "  " })
    expect([empty.code, empty.path, empty.detail]).toEqual([300, "processors[0].params.filter", "empty filter: it would drop every event"])
    const syntax = buildError(Drop.kind, { filter: `status >= "x"` })
    expect([syntax.code, syntax.path, syntax.column, syntax.detail]).toEqual([
      300,
      "processors[0].params.filter",
      11,
      `expected a number after ">=" but found string "x" at column 11`
    ])
    const unknown = buildError(Drop.kind, { filter: "true", where: "x" })
    expect([unknown.code, unknown.path]).toEqual([300, "processors[0].params.where"])
    const missing = buildError(Drop.kind, {})
    expect([missing.code, missing.path]).toEqual([300, "processors[0].params.filter"])
  })

  it("drops everything with filter = \"true\"", () => {
    expect(step(Drop.kind, { filter: "true" })(event({}))).toBe(dropped)
  })
})
