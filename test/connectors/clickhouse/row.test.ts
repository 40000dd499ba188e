import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { ClickhouseRow } from "../../../src/connectors/clickhouse/index.js"
import { ByteBuilder, DataRecord } from "../../../src/index.js"

const digit = (n: bigint | number) => Option.getOrThrow(DataRecord.digit(n))

describe("clickhouse rows (JSONEachRow)", () => {
  it("values: Digits exact at both ends, floats as numbers or the names ClickHouse reads, Obj as the string of its JSON, Array as an array", () => {
    expect(ClickhouseRow.valueText(digit(DataRecord.digitMax))).toBe("9223372036854775807")
    expect(ClickhouseRow.valueText(digit(DataRecord.digitMin))).toBe("-9223372036854775808")
    expect(ClickhouseRow.valueText(DataRecord.float(0.1))).toBe("0.1")
    expect(ClickhouseRow.valueText(DataRecord.float(1e21))).toBe("1e+21")
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map((n) => ClickhouseRow.valueText(DataRecord.float(n)))).toEqual([
      "\"nan\"",
      "\"inf\"",
      "\"-inf\""
    ])
    expect(ClickhouseRow.valueText(DataRecord.bool(true))).toBe("true")
    expect(ClickhouseRow.valueText(Option.getOrThrow(DataRecord.time("2024-05-06T07:08:09.250+02:00")))).toBe("\"2024-05-06T07:08:09.250+02:00\"")
    expect(ClickhouseRow.valueText(Option.getOrThrow(DataRecord.ipAddr("::1")))).toBe("\"::1\"")
    const obj = DataRecord.obj({ a: digit(2n ** 62n), b: DataRecord.array([DataRecord.chars("x\"y"), DataRecord.nil]) })
    expect(ClickhouseRow.valueText(obj)).toBe(JSON.stringify("{\"a\":4611686018427387904,\"b\":[\"x\\\"y\",null]}"))
    expect(ClickhouseRow.valueText(DataRecord.array([digit(1), obj, DataRecord.nil]))).toBe(`[1,${ClickhouseRow.valueText(obj)},null]`)
  })

  it("a record's row: one key per name (the first field wins), Null fields left out, names JSON-escaped", () => {
    const record = DataRecord.make([
      DataRecord.field("a", digit(1)),
      DataRecord.field("n", DataRecord.nil),
      DataRecord.field("we\"ird", DataRecord.chars("é")),
      DataRecord.field("a", digit(2))
    ])
    expect(ClickhouseRow.recordWriter()(record)).toBe("{\"a\":1,\"we\\\"ird\":\"é\"}")
    expect(ClickhouseRow.recordWriter()(DataRecord.make([DataRecord.field("n", DataRecord.nil)]))).toBe("{}")
  })

  it("a record with many fields (past the scan limit) still writes each name once", () => {
    const fields = Array.from({ length: 40 }, (_, i) => DataRecord.field(`f${i % 35}`, digit(i)))
    const row = JSON.parse(ClickhouseRow.recordWriter()(DataRecord.make(fields))) as Record<string, number>
    expect(Object.keys(row)).toHaveLength(35)
    expect(row["f0"]).toBe(0)
    expect(row["f4"]).toBe(4)
  })

  it("an explicit mapping: the listed columns in order, column=field renaming, missing and Null fields left out", () => {
    const write = ClickhouseRow.mappedRow(["b", "a=x", "c"])
    const record = DataRecord.make([DataRecord.field("x", digit(1)), DataRecord.field("b", DataRecord.chars("B")), DataRecord.field("c", DataRecord.nil), DataRecord.field("x", digit(9))])
    expect(write(record)).toBe("{\"b\":\"B\",\"a\":1}")
  })

  it("payload rows: text JSON-quoted; bytes kept as they are inside the string, only quote, backslash and control bytes escaped", () => {
    expect(ClickhouseRow.textRow("payload")("a \"b\"\n😀")).toBe("{\"payload\":\"a \\\"b\\\"\\n😀\"}")
    const row = ClickhouseRow.bytesRow("payload")(Uint8Array.of(0xff, 0x22, 0x5c, 0x0a, 0x01, 0x41, 0xc3, 0x28))
    expect([...row]).toEqual([...Buffer.from("{\"payload\":\"", "latin1"), 0xff, 0x5c, 0x22, 0x5c, 0x5c, 0x5c, 0x6e, ...Buffer.from("\\u0001A", "latin1"), 0xc3, 0x28, 0x22, 0x7d])
  })

  it("rows written straight into bytes are the UTF-8 of the text rows, record by record, across shapes and mappings", () => {
    const values: ReadonlyArray<DataRecord.Value> = [
      digit(1), digit(DataRecord.digitMax), digit(-5), DataRecord.float(0.5), DataRecord.float(3), DataRecord.float(-0), DataRecord.float(5000),
      DataRecord.float(1e21), DataRecord.float(Number.NaN), DataRecord.float(Number.NEGATIVE_INFINITY), DataRecord.bool(false), DataRecord.nil,
      DataRecord.chars("plain"), DataRecord.chars("quote \" and é and \ud800"), DataRecord.chars("x".repeat(60)),
      Option.getOrThrow(DataRecord.time("2024-05-06T07:08:09.250+02:00")), Option.getOrThrow(DataRecord.ipAddr("10.0.0.1")),
      DataRecord.obj({ a: digit(1) }), DataRecord.array([DataRecord.float(2), DataRecord.chars("s")])
    ]
    const names = ["a", "b", "we\"ird", "a", "c"]
    const records = Array.from({ length: 60 }, (_, r) =>
      DataRecord.make(Array.from({ length: 1 + (r % 5) }, (_, k) => DataRecord.field(names[(r + k) % names.length]!, values[(r * 7 + k * 3) % values.length]!))))
    const writers = [
      [ClickhouseRow.recordWriter(), ClickhouseRow.recordInto()],
      [ClickhouseRow.mappedRow(["b", "a=we\"ird", "c", "d=a"]), ClickhouseRow.mappedInto(["b", "a=we\"ird", "c", "d=a"])]
    ] as const
    for (const [text, into] of writers) {
      const out = ByteBuilder.make(8)
      for (const record of [...records, ...records.slice(0, 5), ...records.slice(0, 5)]) {
        const start = out.length
        into(record, out)
        expect([...out.buf.subarray(start, out.length)]).toEqual([...Buffer.from(text(record), "utf8")])
      }
    }
  })
})
