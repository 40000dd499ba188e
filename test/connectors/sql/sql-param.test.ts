/**
 * `SqlParam` and `Columns`, the value conversion and column mapping both SQL sinks share.
 */
import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import * as Columns from "../../../src/connectors/sql/columns.js"
import * as SqlParam from "../../../src/connectors/sql/sql-param.js"
import { DataRecord } from "../../../src/index.js"

const mysqlStyle: SqlParam.Style = { digit: (n) => n, nonFinite: () => undefined }
const pgStyle: SqlParam.Style = { digit: (n) => n.toString(), nonFinite: (n) => (Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity") }
const time = (t: string) => Option.getOrThrow(DataRecord.time(t))
const digit = (n: bigint) => Option.getOrThrow(DataRecord.digit(n))

describe("SqlParam", () => {
  it("utcText moves a zoned time to UTC, keeps the fraction as written, takes a zone-less time as UTC, passes anything else on", () => {
    expect(SqlParam.utcText("2024-03-01T12:34:56.789123+02:00")).toBe("2024-03-01 10:34:56.789123")
    expect(SqlParam.utcText("2024-03-01T01:00:00-0530")).toBe("2024-03-01 06:30:00")
    expect(SqlParam.utcText("2024-03-01T00:30:00+01")).toBe("2024-02-29 23:30:00")
    expect(SqlParam.utcText("2024-03-01T12:00:00.005Z")).toBe("2024-03-01 12:00:00.005")
    expect(SqlParam.utcText("2024-03-01T12:00:00z")).toBe("2024-03-01 12:00:00")
    expect(SqlParam.utcText("2024-03-01 12:00:00.1")).toBe("2024-03-01 12:00:00.1")
    expect(SqlParam.utcText("0099-12-31T23:00:00-02:00")).toBe("0100-01-01 01:00:00")
    expect(SqlParam.utcText("yesterday")).toBe("yesterday")
  })

  it("jsonOf writes a value as the record's JSON text does: exact integers, floats with .0, nested objects and arrays", () => {
    expect(SqlParam.jsonOf(DataRecord.obj({ a: digit(DataRecord.digitMax), b: DataRecord.float(1), c: DataRecord.array([DataRecord.nil, DataRecord.chars("\"x\"")]) })))
      .toBe(`{"a":9223372036854775807,"b":1.0,"c":[null,"\\"x\\""]}`)
    expect(SqlParam.jsonOf(DataRecord.array([digit(-1n), DataRecord.bool(true)]))).toBe("[-1,true]")
    expect(SqlParam.jsonOf(DataRecord.obj({}))).toBe("{}")
  })

  it("fromValue: exact digits per style, NaN refused by MySQL and named for PostgreSQL, text as bytes for a binary column, times in UTC for a timestamp column", () => {
    expect(SqlParam.fromValue(digit(DataRecord.digitMin), "text", mysqlStyle)).toBe(DataRecord.digitMin)
    expect(SqlParam.fromValue(digit(DataRecord.digitMin), "text", pgStyle)).toBe("-9223372036854775808")
    expect(SqlParam.fromValue(DataRecord.float(Number.NaN), "text", mysqlStyle)).toEqual({ why: "NaN cannot be stored" })
    expect(SqlParam.fromValue(DataRecord.float(-Infinity), "text", pgStyle)).toBe("-Infinity")
    expect(SqlParam.fromValue(DataRecord.chars("é"), "binary", mysqlStyle)).toEqual(Buffer.from("é"))
    expect(SqlParam.fromValue(time("2024-01-01T00:00:00+01:00"), "timestamp", pgStyle)).toBe("2023-12-31 23:00:00")
    expect(SqlParam.fromValue(time("2024-01-01T00:00:00+01:00"), "text", pgStyle)).toBe("2024-01-01T00:00:00+01:00")
    expect(SqlParam.fromValue(DataRecord.nil, "text", pgStyle)).toBe(null)
    expect(SqlParam.fromValue(DataRecord.bool(false), "text", pgStyle)).toBe(false)
    expect(SqlParam.fromPayload(Uint8Array.of(1, 2), "text")).toEqual(Buffer.from([1, 2]))
    expect(SqlParam.fromPayload("ü", "binary")).toEqual(Buffer.from("ü"))
  })
})

describe("Columns", () => {
  const mapping = Columns.mapping({ msg: "text", body: "payload", id: "wp_event_id" })
  const encoder = Columns.encoder(mapping, ["text", "binary", "text"], pgStyle)

  it("a list maps each column to the field of its name; a table maps column = field", () => {
    expect(Columns.mapping(["a", "b"])).toEqual([{ column: "a", field: "a" }, { column: "b", field: "b" }])
    expect(mapping).toEqual([{ column: "msg", field: "text" }, { column: "body", field: "payload" }, { column: "id", field: "wp_event_id" }])
  })

  it("a record: its fields by name (the first of a repeated name), NULL for a missing one, its JSON text for `payload` unless it has that field", () => {
    const plain = DataRecord.make([DataRecord.field("text", DataRecord.chars("a")), DataRecord.field("text", DataRecord.chars("b"))])
    const own = DataRecord.make([DataRecord.field("payload", DataRecord.chars("raw line")), DataRecord.field("wp_event_id", digit(7n))])
    const encoded = encoder.records([plain, own])
    expect(encoded).toEqual({ _tag: "Rows", rows: [["a", Buffer.from(DataRecord.toJsonText(plain)), null], [null, Buffer.from("raw line"), "7"]] })
  })

  it("a payload goes to the `payload` columns, NULL elsewhere; a value the database cannot store is refused naming the record, column and field", () => {
    expect(encoder.payloads(["x", Uint8Array.of(0xff)])).toEqual({ _tag: "Rows", rows: [[null, Buffer.from("x"), null], [null, Buffer.from([0xff]), null]] })
    const strict = Columns.encoder(Columns.mapping(["v"]), ["text"], mysqlStyle)
    expect(strict.records([DataRecord.make([DataRecord.field("v", DataRecord.float(1))]), DataRecord.make([DataRecord.field("v", DataRecord.float(Infinity))])], 10))
      .toEqual({ _tag: "Refused", detail: "record #11: column \"v\" (field \"v\"): Infinity cannot be stored" })
    expect(strict.payloads(["x"])).toEqual({ _tag: "Refused", detail: strict.noPayload })
    expect(strict.noPayload).toContain("no column takes the field \"payload\" (columns: v)")
  })
})
