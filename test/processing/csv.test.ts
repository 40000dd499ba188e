import { describe, expect, it } from "@effect/vitest"
import * as Csv from "../../src/processing/csv.js"
import { build, buildError, failure, json, payloadEvent, step, triples } from "./parser-fixtures.js"

const columns = ["ip", "method", "status", "took"]
const csv = step(Csv.kind, { columns, types: { status: "int", took: "float", ip: "ip" } })

describe("csv", () => {
  it("names the values by columns and types them; other columns are Chars", () => {
    expect(triples(csv(payloadEvent("10.0.0.1,GET,200,0.25")))).toEqual([
      ["ip", "ip", "10.0.0.1"],
      ["method", "chars", "GET"],
      ["status", "digit", 200n],
      ["took", "float", 0.25]
    ])
  })

  it("reads RFC 4180 quoting: delimiters, line breaks and doubled quotes inside quotes", () => {
    const text = step(Csv.kind, { columns: ["a", "b", "c", "d"] })
    expect(triples(text(payloadEvent(`"x,y","say ""hi""","two\r\nlines",""`)))).toEqual([
      ["a", "chars", "x,y"],
      ["b", "chars", "say \"hi\""],
      ["c", "chars", "two\r\nlines"],
      ["d", "chars", ""]
    ])
  })

  it("ignores one final line break, and keeps empty values (Null in typed columns)", () => {
    expect(json(csv(payloadEvent("::1,,,\r\n")))).toBe(`{"ip":"::1","method":"","status":null,"took":null}`)
    expect(json(csv(payloadEvent("::1,GET,,\n")))).toBe(`{"ip":"::1","method":"GET","status":null,"took":null}`)
  })

  it("takes another delimiter and quote", () => {
    const semi = step(Csv.kind, { columns: ["a", "b"], delimiter: ";", quote: "'" })
    expect(triples(semi(payloadEvent(`'x;''y''';"z"`)))).toEqual([["a", "chars", "x;'y'"], ["b", "chars", "\"z\""]])
    const tabs = step(Csv.kind, { columns: ["a", "b"], delimiter: "\t" })
    expect(triples(tabs(payloadEvent("1,2\t3")))).toEqual([["a", "chars", "1,2"], ["b", "chars", "3"]])
  })

  it("fails on too few or too many values by default, naming the columns", () => {
    expect(failure(csv(payloadEvent("10.0.0.1,GET,200"))).detail).toBe("csv: 3 values for 4 columns (ip, method, status, took)")
    expect(failure(csv(payloadEvent("10.0.0.1,GET,200,1,extra"))).detail).toBe("csv: more than 4 values (columns: ip, method, status, took)")
    expect(failure(csv(payloadEvent(""))).detail).toBe("csv: 1 values for 4 columns (ip, method, status, took)")
  })

  it("without strict: missing columns are Null and extra values are dropped", () => {
    const lenient = step(Csv.kind, { columns, strict: false })
    expect(json(lenient(payloadEvent("a,b")))).toBe(`{"ip":"a","method":"b","status":null,"took":null}`)
    expect(json(lenient(payloadEvent("a,b,c,d,e,f")))).toBe(`{"ip":"a","method":"b","status":"c","took":"d"}`)
  })

  it("fails with a ProcessorError (540) on a value not of its type, bad quoting, or a line break outside quotes", () => {
    const cases = [
      ["10.0.0.1,GET,OK,1", `csv: column "status": "OK" is not int`],
      ["nohost,GET,200,1", `csv: column "ip": "nohost" is not ip`],
      [`"10.0.0.1,GET,200,1`, "csv: unterminated quote at offset 0 (value 1)"],
      [`"10.0.0.1"x,GET,200,1`, `csv: unexpected text at offset 10 after the quoted value 1 (expected ",")`],
      ["10.0.0.1,GET\n,200,1", "csv: line break outside quotes at offset 12"],
      ["10.0.0.1,GET,200,1\n\n", "csv: line break outside quotes at offset 18"]
    ] as const
    for (const [text, detail] of cases) {
      const e = failure(csv(payloadEvent(text)))
      expect([e.code, e.detail]).toEqual([540, detail])
    }
  })

  it("declares its columns as the fields it makes", () => {
    const p = build(Csv.kind, { columns })
    expect(p._tag === "Right" ? p.right.fields : undefined).toEqual(columns)
  })

  it("refuses bad params with a ConfigError naming the key", () => {
    expect(buildError(Csv.kind, {}).path).toBe("processors[0].params.columns")
    expect(buildError(Csv.kind, { columns: [] }).path).toBe("processors[0].params.columns")
    const twice = buildError(Csv.kind, { columns: ["a", "b", "a"] })
    expect([twice.path, twice.detail]).toEqual(["processors[0].params.columns[2]", `column "a" is named twice`])
    expect(buildError(Csv.kind, { columns, delimiter: ";;" }).path).toBe("processors[0].params.delimiter")
    expect(buildError(Csv.kind, { columns, delimiter: "\n" }).path).toBe("processors[0].params.delimiter")
    expect(buildError(Csv.kind, { columns, delimiter: "\"" }).path).toBe("processors[0].params.quote")
    const type = buildError(Csv.kind, { columns, types: { status: "integer" } })
    expect([type.path, type.expected]).toEqual(["processors[0].params.types.status", `"int" | "float" | "bool" | "time" | "ip" | "chars"`])
    const unknownColumn = buildError(Csv.kind, { columns, types: { code: "int" } })
    expect([unknownColumn.path, unknownColumn.detail, unknownColumn.expected]).toEqual([
      "processors[0].params.types.code",
      `"code" is not one of the columns`,
      "one of: ip, method, status, took"
    ])
  })
})
