/**
 * Records holding every kind of value, the table that takes them and the row ClickHouse gives back
 * for each (as `SELECT ... FORMAT JSONEachRow` writes it with 64-bit integers and non-finite floats
 * quoted): what the end-to-end tests write and compare, field by field.
 */
import { Option } from "effect"
import * as DataRecord from "../../../src/model/record.js"

/** The columns of the table, one per field kind (DateTime and String both take the `Time` field). */
export const tableColumns = [
  "seq Int64",
  "name String",
  "big Int64",
  "ratio Float64",
  "odd Float64",
  "ok UInt8",
  "at DateTime",
  "at_text String",
  "ip String",
  "attrs String",
  "tags Array(String)",
  "nums Array(Int64)",
  "note Nullable(String)"
].join(", ")

const get = <A>(o: Option.Option<A>): A => Option.getOrThrow(o)

const base = Date.UTC(2024, 4, 6, 7, 8, 9)

/** The instant of record `i`, as UTC ISO text with milliseconds; every third one written with a +02:00 offset instead of Z. */
const timeText = (i: number): string => {
  const at = new Date(base + i * 61_001)
  if (i % 3 !== 0) return at.toISOString()
  const shifted = new Date(at.getTime() + 2 * 3600_000).toISOString()
  return `${shifted.slice(0, -1)}+02:00`
}

/** `YYYY-MM-DD hh:mm:ss` (UTC, the server's time zone) of record `i`'s instant: what a DateTime column gives back. */
const dateTimeText = (i: number): string => new Date(base + i * 61_001).toISOString().slice(0, 19).replace("T", " ")

/** Record `i`'s float: mostly small fractions, sometimes near the ends of the normal range. */
const ratioOf = (i: number): number => (i % 50 === 7 ? 1.7976931348623157e308 : i % 50 === 9 ? -2.5e-300 : i / 7 + 0.1)

/** Record `i`'s non-finite-or-not float: NaN, Infinity, -Infinity or a plain one, in turn. */
const oddOf = (i: number): number => [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, i * 0.25][i % 4]!

/** Record `i`'s 64-bit integer: at the top of the range for even `i`, at the bottom for odd. */
const bigOf = (i: number): bigint => (i % 2 === 0 ? DataRecord.digitMax - BigInt(i) : DataRecord.digitMin + BigInt(i))

const nameOf = (i: number): string => `n${i} "q" \\ ünïcödé 😀\ttab\nline`

const ipOf = (i: number): string => (i % 2 === 0 ? `10.${(i >> 8) & 255}.${i & 255}.1` : `2001:db8::${i.toString(16)}`)

/**
 * Record `i`: every value kind, a second `name` field (the first wins) and a field the table has no
 * column for (`extra`, dropped by the server with `skip_unknown`).
 */
export const typedRecord = (i: number): DataRecord.DataRecord =>
  DataRecord.make([
    DataRecord.field("seq", get(DataRecord.digit(i))),
    DataRecord.field("name", DataRecord.chars(nameOf(i))),
    DataRecord.field("big", get(DataRecord.digit(bigOf(i)))),
    DataRecord.field("ratio", DataRecord.float(ratioOf(i))),
    DataRecord.field("odd", DataRecord.float(oddOf(i))),
    DataRecord.field("ok", DataRecord.bool(i % 3 === 0)),
    DataRecord.field("at", get(DataRecord.time(timeText(i)))),
    DataRecord.field("at_text", get(DataRecord.time(timeText(i)))),
    DataRecord.field("ip", get(DataRecord.ipAddr(ipOf(i)))),
    DataRecord.field("attrs", DataRecord.obj({
      k: DataRecord.chars(`v${i}`),
      n: get(DataRecord.digit(BigInt(i) * 1_000_000_000_000n)),
      deep: DataRecord.obj({ ok: DataRecord.bool(i % 2 === 0), list: DataRecord.array([get(DataRecord.digit(i)), DataRecord.chars("x\"y")]) })
    })),
    DataRecord.field("tags", DataRecord.array([DataRecord.chars(`t${i}`), DataRecord.chars("ünï")])),
    DataRecord.field("nums", DataRecord.array([get(DataRecord.digit(i)), get(DataRecord.digit(DataRecord.digitMax)), get(DataRecord.digit(DataRecord.digitMin))])),
    DataRecord.field("note", i % 2 === 0 ? DataRecord.nil : DataRecord.chars(`note ${i}`)),
    DataRecord.field("name", DataRecord.chars("a second name field: never written")),
    DataRecord.field("extra", DataRecord.chars("no column for this"))
  ])

/** The JSON of a float column as ClickHouse writes it with `output_format_json_quote_denormals = 1`. */
const floatOut = (n: number): number | string => (Number.isNaN(n) ? "nan" : n === Number.POSITIVE_INFINITY ? "inf" : n === Number.NEGATIVE_INFINITY ? "-inf" : n)

/** The row record `i` comes back as, written independently of the sink's encoding. */
export const expectedRow = (i: number): Record<string, unknown> => ({
  seq: String(i),
  name: nameOf(i),
  big: bigOf(i).toString(),
  ratio: ratioOf(i),
  odd: floatOut(oddOf(i)),
  ok: i % 3 === 0 ? 1 : 0,
  at: dateTimeText(i),
  at_text: timeText(i),
  ip: ipOf(i),
  attrs: `{"k":"v${i}","n":${BigInt(i) * 1_000_000_000_000n},"deep":{"ok":${i % 2 === 0},"list":[${i},"x\\"y"]}}`,
  tags: [`t${i}`, "ünï"],
  nums: [String(i), DataRecord.digitMax.toString(), DataRecord.digitMin.toString()],
  note: i % 2 === 0 ? null : `note ${i}`
})

/** The settings of a read that gives rows back as `expectedRow` writes them. */
export const readSettings = { output_format_json_quote_64bit_integers: 1, output_format_json_quote_denormals: 1 } as const
