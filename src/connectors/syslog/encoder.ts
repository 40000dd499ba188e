/**
 * `SyslogEncoder`: how the `syslog` sink turns a batch of events into syslog messages. A text or bytes
 * payload becomes MSG under the header of the params (one header per batch, at the time of the write);
 * a record gives its own header from the fields its params name (`facility_field`, ...), falling back to
 * the params field by field, and its MSG is its `message_field`, else the whole record as JSON.
 *
 * A field that is there but cannot be what it names (a severity `"loud"`, a timestamp `Date` cannot
 * read, an object as a host name) refuses the whole batch before anything is sent: the caller fails it
 * with a `DataError`, and the engine rescues it. A `Null` field counts as absent. Header fields are
 * cleaned, not refused: a character RFC 5424 does not allow there (a space, non-ASCII) becomes `_`, and
 * a field longer than the format allows is cut.
 *
 * @since 0.2.0
 */
import * as os from "node:os"
import { Either } from "effect"
import * as DataRecord from "../../model/record.js"
import * as Header from "./header.js"
import type { SinkParams } from "./params.js"
import * as Priority from "./priority.js"

/** Turns batches into messages (each a whole syslog message, unframed). */
export interface Encoder {
  /** The messages of text payloads written at `ms` (epoch milliseconds). */
  readonly texts: (payloads: ReadonlyArray<string>, ms: number) => ReadonlyArray<string>
  /** The messages of bytes payloads written at `ms`: the payload's bytes as they are after the header. */
  readonly bytes: (payloads: ReadonlyArray<Uint8Array>, ms: number) => ReadonlyArray<Buffer>
  /** The messages of records written at `ms`, or what is wrong with the first record that cannot be sent. */
  readonly records: (records: ReadonlyArray<DataRecord.DataRecord>, ms: number) => Either.Either<ReadonlyArray<string>, string>
  /** The message of one record written at `ms`, or `undefined` when it cannot be sent (`records` says why). */
  readonly one: (record: DataRecord.DataRecord, ms: number) => string | undefined
}

/** The record fields an encoder reads, in slot order. */
const slots = ["facility", "severity", "host", "app", "procid", "msgid", "message", "timestamp"] as const

type Slot = (typeof slots)[number]

/** A short rendering of a value, for messages. */
const show = (value: DataRecord.Value): string => {
  const json = DataRecord.toJsonText(DataRecord.make([DataRecord.field("", value)])).slice(4, -1)
  return json.length > 80 ? `${json.slice(0, 80)}...` : json
}

/** MSG from a value: its text, `true`/`false`, or the JSON of an object or a list. */
const messageOf = (value: DataRecord.Value): string => DataRecord.textOf(value) ?? (value._tag === "Bool" ? String(value.value) : show(value))

/** The encoder of `params`; `hostname` is the HOSTNAME when `host` is not set (default: this machine's). */
export const make = (params: SinkParams, hostname: string = os.hostname()): Encoder => {
  const format = params.format
  const facility = Priority.facilityCode(params.facility)!
  const severity = Priority.severityCode(params.severity)!
  const host = Header.token(params.host ?? hostname, Header.limits.host, format)
  const app = Header.token(params.app_name ?? params.app, Header.limits.app, format)
  const procid = params.procid === undefined ? undefined : Header.token(params.procid, Header.limits.procid, format)
  const msgid = params.msgid === undefined ? undefined : Header.token(params.msgid, Header.limits.msgid, format)
  const names: Record<Slot, string> = {
    facility: params.facility_field,
    severity: params.severity_field,
    host: params.host_field,
    app: params.app_field,
    procid: params.procid_field,
    msgid: params.msgid_field,
    message: params.message_field,
    timestamp: params.timestamp_field
  }
  /** Field name to slot; the first of two slots naming one field wins. */
  const slotOf = new Map<string, number>()
  slots.forEach((slot, i) => {
    if (names[slot] !== "" && !slotOf.has(names[slot])) slotOf.set(names[slot], i)
  })

  /** The header of the params at `time`, then the space before MSG. */
  const prefixAt = (ms: number): string => `${Header.write({ pri: Priority.pri(facility, severity), time: Header.timeAt(ms, format), host, app, procid, msgid }, format)} `

  const withMsg = (head: string, msg: string): string => (msg.length === 0 ? head : `${head} ${msg}`)

  const texts = (payloads: ReadonlyArray<string>, ms: number): ReadonlyArray<string> => {
    const prefix = prefixAt(ms)
    const out = new Array<string>(payloads.length)
    for (let i = 0; i < payloads.length; i++) out[i] = prefix + payloads[i]!
    return out
  }

  const bytes = (payloads: ReadonlyArray<Uint8Array>, ms: number): ReadonlyArray<Buffer> => {
    const prefix = Buffer.from(prefixAt(ms), "latin1")
    return payloads.map((p) => Buffer.concat([prefix, p], prefix.length + p.length))
  }

  /** The values `record` found for each slot (reused: records are encoded one at a time, synchronously). */
  const found = new Array<DataRecord.Value | undefined>(slots.length)

  /** `record #i`'s field for `slot` holds `value`, which is not what the slot needs. */
  const wrong = (i: number, slot: Slot, value: DataRecord.Value, needs: string) =>
    `record #${i} of the batch: field ${JSON.stringify(names[slot])} is ${show(value)}, not ${needs} (set params.${slot}_field = "" to not read it)`

  /** One record as a message, or what is wrong with it. */
  const record = (r: DataRecord.DataRecord, i: number, batchTime: string): string | { readonly problem: string } => {
    found.fill(undefined)
    for (const f of r.fields) {
      const slot = slotOf.get(f.name)
      if (slot !== undefined && found[slot] === undefined && f.value._tag !== "Null") found[slot] = f.value
    }
    let fac = facility
    let sev = severity
    let time = batchTime
    const header: Array<string | undefined> = [host, app, procid, msgid]
    for (let s = 0; s < slots.length; s++) {
      const value = found[s]
      if (value === undefined) continue
      const slot = slots[s]!
      switch (slot) {
        case "facility": {
          const code = Priority.facilityOfValue(value)
          if (code === undefined) return { problem: wrong(i, slot, value, "a facility (0 to 23, or a name such as \"user\" or \"local0\")") }
          fac = code
          break
        }
        case "severity": {
          const code = Priority.severityOfValue(value)
          if (code === undefined) return { problem: wrong(i, slot, value, "a severity (0 to 7, or a name such as \"err\" or \"warning\")") }
          sev = code
          break
        }
        case "timestamp": {
          const text = value._tag === "Chars" || value._tag === "Time" ? value.value : undefined
          const at = text === undefined ? undefined : Header.timestamp(text, format)
          if (at === undefined) return { problem: wrong(i, slot, value, "a time (RFC 3339 text, or text Date reads)") }
          time = at
          break
        }
        case "message":
          break
        default: {
          const text = DataRecord.textOf(value)
          if (text === undefined) return { problem: wrong(i, slot, value, "text or a number") }
          header[s - 2] = Header.token(text, Header.limits[slot], format) ?? header[s - 2]
        }
      }
    }
    const head = Header.write({ pri: Priority.pri(fac, sev), time, host: header[0], app: header[1], procid: header[2], msgid: header[3] }, format)
    const message = found[6]
    return withMsg(head, message === undefined ? DataRecord.toJsonText(r) : messageOf(message))
  }

  const records = (items: ReadonlyArray<DataRecord.DataRecord>, ms: number): Either.Either<ReadonlyArray<string>, string> => {
    const batchTime = Header.timeAt(ms, format)
    const out = new Array<string>(items.length)
    for (let i = 0; i < items.length; i++) {
      const m = record(items[i]!, i, batchTime)
      if (typeof m !== "string") return Either.left(m.problem)
      out[i] = m
    }
    return Either.right(out)
  }

  /** The time text of the last millisecond `one` saw: records routed in the same millisecond share it. */
  let lastMs = -1
  let lastTime = ""
  const one = (r: DataRecord.DataRecord, ms: number): string | undefined => {
    if (ms !== lastMs) {
      lastMs = ms
      lastTime = Header.timeAt(ms, format)
    }
    const m = record(r, 0, lastTime)
    return typeof m === "string" ? m : undefined
  }

  return { texts, bytes, records, one }
}

