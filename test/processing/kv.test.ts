import { describe, expect, it } from "@effect/vitest"
import * as DataRecord from "../../src/model/record.js"
import * as Kv from "../../src/processing/kv.js"
import { buildError, failure, json, payloadEvent, step, triples } from "./parser-fixtures.js"

const kv = step(Kv.kind, {})

describe("kv", () => {
  it("reads logfmt: bare and quoted values, a key without value is true, all Chars by default", () => {
    const out = kv(payloadEvent(`a=1 b="x y" c  d= e=true`))
    expect(triples(out)).toEqual([
      ["a", "chars", "1"],
      ["b", "chars", "x y"],
      ["c", "bool", true],
      ["d", "chars", ""],
      ["e", "chars", "true"]
    ])
  })

  it("reads the escapes JSON strings have in quoted keys and values, and keeps other backslashes", () => {
    const out = kv(payloadEvent(`msg="say \\"hi\\"\\n\\tdone \\u00e9 C:\\dir" "odd key"=v path=C:\\x`))
    expect(triples(out)).toEqual([
      ["msg", "chars", "say \"hi\"\n\tdone é C:\\dir"],
      ["odd key", "chars", "v"],
      ["path", "chars", "C:\\x"]
    ])
  })

  it("reads back what DataRecord.toKv writes", () => {
    const record = DataRecord.make([
      DataRecord.field("plain", DataRecord.chars("v")),
      DataRecord.field("spaced", DataRecord.chars("a b \"c\" = \\ \u0001")),
      DataRecord.field("a key", DataRecord.chars(""))
    ])
    const out = kv(payloadEvent(DataRecord.toKv(record)))
    expect(triples(out)).toEqual([["plain", "chars", "v"], ["spaced", "chars", "a b \"c\" = \\ \u0001"], ["a key", "chars", ""]])
  })

  it("with infer_types: integers, floats and true/false are typed; quoted values stay text", () => {
    const typed = step(Kv.kind, { infer_types: true })
    const out = typed(payloadEvent(`n=42 big=9223372036854775807 huge=99999999999999999999 f=-0.5 e=1e3 t=true F=false s=abc q="7" v=1.2.3 ip=10.0.0.1`))
    expect(triples(out)).toEqual([
      ["n", "digit", 42n],
      ["big", "digit", 9223372036854775807n],
      ["huge", "float", 1e20],
      ["f", "float", -0.5],
      ["e", "float", 1000],
      ["t", "bool", true],
      ["F", "bool", false],
      ["s", "chars", "abc"],
      ["q", "chars", "7"],
      ["v", "chars", "1.2.3"],
      ["ip", "chars", "10.0.0.1"]
    ])
  })

  it("takes other separators, and drops spaces around keys and values when the field separator has none", () => {
    const query = step(Kv.kind, { field_split: "&", value_split: ":" })
    expect(triples(query(payloadEvent("a:1&&b:x=y&c")))).toEqual([["a", "chars", "1"], ["b", "chars", "x=y"], ["c", "bool", true]])
    const commas = step(Kv.kind, { field_split: ",", value_split: "=>" })
    expect(triples(commas(payloadEvent(` a => 1 , b=>"two" ,c => x y `)))).toEqual([
      ["a", "chars", "1"],
      ["b", "chars", "two"],
      ["c", "chars", "x y"]
    ])
    const tabs = step(Kv.kind, { field_split: "\t" })
    expect(triples(tabs(payloadEvent("a=1 2\tb= 3")))).toEqual([["a", "chars", "1 2"], ["b", "chars", " 3"]])
  })

  it("keeps a repeated key in its first place with its last value, also with many keys", () => {
    expect(json(kv(payloadEvent("a=1 b=2 a=3")))).toBe(`{"a":"3","b":"2"}`)
    const many = Array.from({ length: 40 }, (_, i) => `k${i}=${i}`).join(" ")
    const out = kv(payloadEvent(`${many} k3=x k39=y`))
    const fields = triples(out)
    expect(fields.length).toBe(40)
    expect(fields[3]).toEqual(["k3", "chars", "x"])
    expect(fields[39]).toEqual(["k39", "chars", "y"])
  })

  it("an empty text gives an empty record", () => {
    expect(json(kv(payloadEvent("   ")))).toBe("{}")
  })

  it("fails with a ProcessorError (540) on an unterminated quote, an empty key, or text glued to a quoted value", () => {
    const cases = [
      [`a="x y`, "kv: unterminated quote at offset 2"],
      [`a=1 =2`, "kv: empty key at offset 4"],
      [`a="x"y b=1`, `kv: unexpected text at offset 5 after "a" (expected field_split " ")`],
      [`"k"x=1`, `kv: unexpected text at offset 3 after "k" (expected field_split " ")`],
      [`a="x\\`, "kv: unterminated quote at offset 2"]
    ] as const
    for (const [text, detail] of cases) {
      const e = failure(kv(payloadEvent(text)))
      expect([e.code, e.detail]).toEqual([540, detail])
    }
  })

  it("with field: reads that field and adds the pairs to the record", () => {
    const read = step(Kv.kind, { field: "msg" })
    expect(json(read(payloadEvent("raw", { msg: "user=bob status=ok" })))).toBe(`{"msg":"user=bob status=ok","user":"bob","status":"ok"}`)
  })

  it("refuses bad separators and unknown keys with a ConfigError naming the key", () => {
    const empty = buildError(Kv.kind, { field_split: "" })
    expect([empty.code, empty.path]).toEqual([300, "processors[0].params.field_split"])
    expect(buildError(Kv.kind, { value_split: "\"" }).path).toBe("processors[0].params.value_split")
    const same = buildError(Kv.kind, { field_split: "=", value_split: "=" })
    expect([same.path, same.detail]).toEqual(["processors[0].params.value_split", `value_split "=" and field_split "=" overlap`])
    expect(buildError(Kv.kind, { field_split: ", ", value_split: " " }).path).toBe("processors[0].params.value_split")
    expect(buildError(Kv.kind, { infer_types: "yes" }).path).toBe("processors[0].params.infer_types")
    expect(buildError(Kv.kind, { infer: true }).detail).toBe(`unknown key "infer"`)
  })
})
