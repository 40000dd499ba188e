import { describe, expect, it } from "@effect/vitest"
import * as Json from "../../src/processing/json.js"
import { buildError, failure, json, payloadEvent, single, step, triples } from "./parser-fixtures.js"

const parse = step(Json.kind, {})

/** Forces the exact reader: a string holding a run of 16 digits (it changes no other field). */
const exactly = (doc: string): string => doc.replace(/^(\s*)\{/, `$1{"pad":"1234567890123456",`)

describe("json", () => {
  it("makes one field per key, in order, each of its kind; the event keeps its id, payload and ack token", () => {
    const text = `{"host":"web-1","status":503,"took":0.25,"ok":false,"user":null,"http":{"method":"GET","path":"/a"},"tags":["a",1,[true]]}`
    const event = payloadEvent(text)
    const out = single(parse(event))
    expect(triples(out).map(([name, meta]) => [name, meta])).toEqual([
      ["host", "chars"],
      ["status", "digit"],
      ["took", "float"],
      ["ok", "bool"],
      ["user", "null"],
      ["http", "obj"],
      ["tags", "array"]
    ])
    expect(json(out)).toBe(text)
    expect([out.eventId, out.payload, out.ackToken]).toEqual([11, text, "token-11"])
  })

  it("keeps 64-bit integers exact, at the top level and nested", () => {
    const out = parse(payloadEvent(`{"id":9007199254740993,"max":9223372036854775807,"min":-9223372036854775808,"deep":{"list":[9007199254740995]}}`))
    expect(triples(out).slice(0, 3)).toEqual([
      ["id", "digit", 9007199254740993n],
      ["max", "digit", 9223372036854775807n],
      ["min", "digit", -9223372036854775808n]
    ])
    expect(json(out)).toBe(`{"id":9007199254740993,"max":9223372036854775807,"min":-9223372036854775808,"deep":{"list":[9007199254740995]}}`)
  })

  it("keeps a long integer exact wherever it stands in the text", () => {
    for (let k = 0; k < 40; k++) {
      for (const n of ["9007199254740993", "-9007199254740993", "123456789012345678"]) {
        const out = parse(payloadEvent(`{"s":"${"x".repeat(k)}","n":${n}}`))
        expect(triples(out)[1]).toEqual(["n", "digit", BigInt(n)])
      }
    }
    expect(triples(parse(payloadEvent(`${" ".repeat(20)}{"n":9007199254740993}`)))).toEqual([["n", "digit", 9007199254740993n]])
  })

  it("makes integers beyond i64 Floats, and integral fractions or exponents Digits", () => {
    const out = parse(payloadEvent(`{"big":18446744073709551615,"neg":-9223372036854775809,"one":1.0,"k":1e3,"half":0.5,"huge":1e300}`))
    expect(triples(out)).toEqual([
      ["big", "float", 18446744073709551615],
      ["neg", "float", -9223372036854775809],
      ["one", "digit", 1n],
      ["k", "digit", 1000n],
      ["half", "float", 0.5],
      ["huge", "float", 1e300]
    ])
  })

  it("gives the same record on the JSON.parse path and on the exact path", () => {
    const docs = [
      `{"b":1,"2":"two","a":{"1":true,"z":null}}`,
      `{"dup":1,"x":2,"dup":3}`,
      `{"__proto__":{"polluted":true},"constructor":"c"}`,
      `{"s":"caf\\u00e9 \\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t","e":"","o":{},"l":[]}`,
      ` { "spaced" : [ 1 , -2.5e-3 , 0 , -0 ] } `,
      `{"n":123456789012345,"f":0.1,"g":-1.5E+2}`
    ]
    const withoutPad = (doc: string) => triples(parse(payloadEvent(doc))).filter(([name]) => name !== "pad")
    for (const doc of docs) {
      expect(withoutPad(exactly(doc))).toEqual(withoutPad(doc))
      expect(json(parse(payloadEvent(exactly(doc))))).toContain(`"pad":"1234567890123456"`)
    }
    expect(json(parse(payloadEvent(docs[0]!)))).toBe(`{"2":"two","b":1,"a":{"1":true,"z":null}}`)
    expect(json(parse(payloadEvent(docs[1]!)))).toBe(`{"dup":3,"x":2}`)
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
  })

  it("reads a bytes payload as UTF-8", () => {
    const out = parse(payloadEvent(new TextEncoder().encode(`{"city":"Zürich","n":9007199254740993}`)))
    expect(triples(out)).toEqual([["city", "chars", "Zürich"], ["n", "digit", 9007199254740993n]])
  })

  it("fails with a ProcessorError (540) on text that is not JSON, on both paths", () => {
    for (const text of [`{"a":`, `{"a":1,}`, `{'a':1}`, `{"a":01}`, `{"a":1} x`, `{"a":"\u0001"}`, `{"a":tru}`, ``]) {
      for (const doc of [text, exactly(text)]) {
        const e = failure(parse(payloadEvent(doc)))
        expect([e._tag, e.code]).toEqual(["ProcessorError", 540])
        expect(e.detail).toMatch(/^json: not JSON: /)
      }
    }
    expect(failure(parse(payloadEvent(exactly(`{"a":1,}`)))).detail).toBe(`json: not JSON: expected a string key in object at position 32`)
  })

  it("fails on a top level that is not an object, naming what it is", () => {
    const cases = [
      ["[1,2]", "an array"],
      [`"text"`, "a string"],
      ["42", "a number"],
      ["12345678901234567890", "a number"],
      ["null", "null"],
      ["true", "a boolean"]
    ] as const
    for (const [text, what] of cases) {
      expect(failure(parse(payloadEvent(text))).detail).toBe(`json: the top level is ${what}, not an object`)
    }
  })

  it("refuses nesting deeper than 512 levels, on both paths, and accepts 512", () => {
    const nested = (depth: number) => `{"a":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`
    expect(json(parse(payloadEvent(nested(512))))).toBe(nested(512))
    expect(failure(parse(payloadEvent(nested(513)))).detail).toBe("json: nested deeper than 512 levels")
    expect(failure(parse(payloadEvent(exactly(nested(513))))).detail).toBe("json: nested deeper than 512 levels at position 541")
    expect(failure(parse(payloadEvent(nested(100_000)))).code).toBe(540)
  })

  it("with field: reads that field's text and adds its keys to the record", () => {
    const read = step(Json.kind, { field: "message" })
    const event = payloadEvent("raw", { host: "h", message: `{"status":200,"host":"inner"}` })
    const out = read(event)
    expect(json(out)).toBe(`{"host":"inner","message":"{\\"status\\":200,\\"host\\":\\"inner\\"}","status":200}`)
    const nested = step(Json.kind, { field: "log.body" })
    expect(json(nested(payloadEvent("raw", { log: { body: `{"x":1}` } })))).toBe(`{"log":{"body":"{\\"x\\":1}"},"x":1}`)
  })

  it("with field: fails when there is no record, no such field, or the field holds no text", () => {
    const read = step(Json.kind, { field: "message" })
    expect(failure(read(payloadEvent("{}"))).detail).toBe(`json: no record to read field "message" from: put a parser before json`)
    expect(failure(read(payloadEvent("{}", { other: "x" }))).detail).toBe(`json: no field "message"`)
    expect(failure(read(payloadEvent("{}", { message: 5 }))).detail).toBe(`json: field "message" holds digit, not text`)
  })

  it("parsing the payload of an event that has a record adds to that record", () => {
    const out = parse(payloadEvent(`{"a":2,"c":3}`, { a: 1, b: "x" }))
    expect(json(out)).toBe(`{"a":2,"b":"x","c":3}`)
  })

  it("refuses unknown params and a bad field with a ConfigError naming the key", () => {
    const unknown = buildError(Json.kind, { fields: "x" })
    expect([unknown.code, unknown.path, unknown.detail]).toEqual([300, "processors[0].params.fields", `unknown key "fields"`])
    expect(unknown.suggestion).toContain("field")
    expect(buildError(Json.kind, { field: "" }).path).toBe("processors[0].params.field")
    const path = buildError(Json.kind, { field: "a..b" })
    expect([path.path, path.detail]).toEqual(["processors[0].params.field", `field path "a..b" has an empty key`])
  })
})
