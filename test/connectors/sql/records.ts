/**
 * The records the SQL end-to-end tests write: one per input line `<n>|<text>`, holding every value kind
 * (i64 near its extremes, unicode text, a float, a boolean, a time with a zone, an IP address, an object
 * and an array), and what each column must read back as, computed without the connectors' code.
 */
import { Option } from "effect"
import * as path from "node:path"
import { DataRecord } from "../../../src/index.js"

/** The input line of row `n`. */
export const line = (n: number): string => `${n}|row ${n}: ünïcødé 'quoted' "double" back\\slash\ttab 😀`

/** The text part of a line. */
export const textOf = (n: number): string => line(n).slice(line(n).indexOf("|") + 1)

/** Row `n`'s instant: 2024-03-01T12:00:00Z plus `n` seconds, with microseconds `<n % 1000>001`. */
const instant = (n: number) => {
  const ms = Date.UTC(2024, 2, 1, 12, 0, 0) + n * 1000
  const micros = `${String(n % 1000).padStart(3, "0")}001`
  return { ms, micros }
}

/** Row `n`'s time as written by the processor: ISO-8601 in the zone +02:00. */
export const timeText = (n: number): string => {
  const { micros, ms } = instant(n)
  return `${new Date(ms + 2 * 3600_000).toISOString().slice(0, 19)}.${micros}+02:00`
}

/** Row `n`'s time as a zone-less UTC timestamp reads back: `YYYY-MM-DD HH:MM:SS.ffffff`. */
export const utcText = (n: number): string => {
  const { micros, ms } = instant(n)
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}.${micros}`
}

/** Row `n`'s big integer: i64's maximum minus `n` for even rows, its minimum plus `n` for odd ones. */
export const big = (n: number): bigint => (n % 2 === 0 ? DataRecord.digitMax - BigInt(n) : DataRecord.digitMin + BigInt(n))

const digit = (n: bigint) => Option.getOrThrow(DataRecord.digit(n))

/** The record the processor makes of line `n` (event id `eventId`). */
export const recordOf = (n: number, text: string, eventId: number): DataRecord.DataRecord =>
  DataRecord.make([
    DataRecord.field("seq", digit(BigInt(n))),
    DataRecord.field("name", DataRecord.chars(text)),
    DataRecord.field("big", digit(big(n))),
    DataRecord.field("ratio", DataRecord.float(n / 7)),
    DataRecord.field("ok", DataRecord.bool(n % 3 === 0)),
    DataRecord.field("at", Option.getOrThrow(DataRecord.time(timeText(n)))),
    DataRecord.field("ip", Option.getOrThrow(DataRecord.ipAddr(`10.${n >> 16 & 255}.${n >> 8 & 255}.${n & 255}`))),
    DataRecord.field("attrs", DataRecord.obj({ n: digit(BigInt(n)), tag: DataRecord.chars(`t${n % 5}`), nested: DataRecord.obj({ ok: DataRecord.bool(true) }) })),
    DataRecord.field("list", DataRecord.array([DataRecord.float(n / 2), DataRecord.chars("x"), DataRecord.nil])),
    DataRecord.field("wp_event_id", digit(BigInt(eventId)))
  ])

/** The columns the end-to-end sinks write (a table with these, an `id` key and a `payload` column). */
export const columns = ["seq", "name", "big", "ratio", "ok", "at", "ip", "attrs", "list", "wp_event_id", "payload"] as const

/** The module of the project's processor: each line `<n>|<text>` becomes `recordOf(n, text, eventId)`. */
export const processorModule = (): string => `
import { Processor, processorError, SourceEvent } from ${JSON.stringify(path.join(import.meta.dirname, "..", "..", "..", "src", "index.js"))}
import { recordOf } from ${JSON.stringify(path.join(import.meta.dirname, "records.js"))}

export default Processor.sync({ kind: "sql-rows" }, (event) => {
  const text = String(event.payload)
  const bar = text.indexOf("|")
  if (bar < 0) return processorError("no | in the line")
  return SourceEvent.update(event, { record: recordOf(Number(text.slice(0, bar)), text.slice(bar + 1), event.eventId) })
})
`
