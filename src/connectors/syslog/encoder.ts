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
import { ByteBuilder, putAscii, putDigits, putText } from "../../sink/byte-builder.js"
import * as Header from "./header.js"
import type { SinkParams } from "./params.js"
import * as Priority from "./priority.js"

/** Turns batches into messages (each a whole syslog message, unframed, unless it says framed). */
export interface Encoder {
  /** The messages of text payloads written at `ms` (epoch milliseconds). */
  readonly texts: (payloads: ReadonlyArray<string>, ms: number) => ReadonlyArray<string>
  /** The messages of bytes payloads written at `ms`: the payload's bytes as they are after the header. */
  readonly bytes: (payloads: ReadonlyArray<Uint8Array>, ms: number) => ReadonlyArray<Buffer>
  /** The messages of records written at `ms`, or what is wrong with the first record that cannot be sent. */
  readonly records: (records: ReadonlyArray<DataRecord.DataRecord>, ms: number) => Either.Either<ReadonlyArray<string>, string>
  /** The frames of records written at `ms` (as `framing` frames them), in one buffer, or what is wrong with the first record that cannot be sent. */
  readonly frames: (records: ReadonlyArray<DataRecord.DataRecord>, ms: number) => Either.Either<Buffer, string>
  /** The message of one record written at `ms` (default: now), or `undefined` when it cannot be sent (`records` says why). */
  readonly one: (record: DataRecord.DataRecord, ms?: number) => string | undefined
  /** Appends one record's frame (written at `ms`, default now) to `out`; `false`, appending nothing, when it cannot be sent. */
  readonly frame: (record: DataRecord.DataRecord, out: ByteBuilder, ms?: number) => boolean
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

/**
 * The encoder of `params`; `hostname` is the HOSTNAME when `host` is not set (default: this machine's).
 * Frames are what the params' `framing` makes over TCP (`line`: the message then LF; `octet-counted`: its
 * length in bytes, a space, the message); over UDP a frame is the message.
 */
export const make = (params: SinkParams, hostname: string = os.hostname()): Encoder => {
  const format = params.format
  const framing = params.protocol === "tcp" ? params.framing : "none"
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

  /**
   * The field names of the last record seen, and the position of each slot's field in it (-1: none):
   * records of one stream have the same names in the same order, so a record costs one comparison per
   * field, not a lookup (the names are mostly the same strings, and compare at once). A shape that names
   * a slot twice (`several`) is read field by field instead: the first field that is not `Null` wins.
   */
  let shapeNames: Array<string> = []
  let shapeAt = new Int8Array(slots.length).fill(-1)
  let several = false
  /** The values of the record being encoded, by slot (reused: records are encoded one at a time). */
  const found = new Array<DataRecord.Value | undefined>(slots.length).fill(undefined)

  /** Learns the shape of `fields` unless it is the last one's. */
  const learn = (fields: ReadonlyArray<DataRecord.DataField>): void => {
    const n = fields.length
    if (n === shapeNames.length) {
      let i = 0
      while (i < n && fields[i]!.name === shapeNames[i]) i++
      if (i === n) return
    }
    shapeNames = fields.map((f) => f.name)
    shapeAt = new Int8Array(slots.length).fill(-1)
    several = false
    shapeNames.forEach((name, i) => {
      const slot = slotOf.get(name)
      if (slot === undefined) return
      if (shapeAt[slot] === -1) shapeAt[slot] = i
      else several = true
    })
  }

  /** Fills `found` from `fields` (a shape with a slot named twice): for each slot, the first of its fields that is not `Null`. */
  const gather = (fields: ReadonlyArray<DataRecord.DataField>): void => {
    for (let s = 0; s < found.length; s++) found[s] = undefined
    for (let i = 0; i < fields.length; i++) {
      const slot = slotOf.get(fields[i]!.name)
      const value = fields[i]!.value
      if (slot !== undefined && found[slot] === undefined && value._tag !== "Null") found[slot] = value
    }
  }

  /** The value of slot `s` in `fields` (of the learnt shape): `undefined` when absent or `Null`. */
  const valueOf = (fields: ReadonlyArray<DataRecord.DataField>, s: number): DataRecord.Value | undefined => {
    if (several) return found[s]
    const at = shapeAt[s]!
    if (at < 0) return undefined
    const value = fields[at]!.value
    return value._tag === "Null" ? undefined : value
  }

  /** `record #i`'s field for `slot` holds `value`, which is not what the slot needs. */
  const wrong = (i: number, slot: Slot, value: DataRecord.Value, needs: string) =>
    `record #${i} of the batch: field ${JSON.stringify(names[slot])} is ${show(value)}, not ${needs} (set params.${slot}_field = "" to not read it)`

  /**
   * A header field into `buf` at `off`: the record's text cleaned and cut (`Header.token`), else the
   * params' (already clean), else `-`; the offset after it.
   */
  const putField = (buf: Buffer, off: number, text: string | undefined, max: number, fallback: string | undefined): number => {
    if (text !== undefined && text.length > 0) return Header.putToken(buf, off, text, max, format)
    if (fallback !== undefined) return putText(buf, off, fallback)
    buf[off] = 0x2d
    return off + 1
  }

  /** The most bytes a header field takes: what `putField` may write. */
  const fieldBytes = (text: string | undefined, max: number, fallback: string | undefined): number =>
    text !== undefined && text.length > 0 ? Math.min(text.length, max) : fallback !== undefined ? fallback.length * 3 : 1

  /** The text of the header field in slot `s` (HOSTNAME to MSGID), or what is wrong with it (`{ problem }`). */
  const textAt = (fields: ReadonlyArray<DataRecord.DataField>, s: number, i: number): string | undefined | { readonly problem: string } => {
    const value = valueOf(fields, s)
    if (value === undefined) return undefined
    const text = DataRecord.textOf(value)
    return text === undefined ? { problem: wrong(i, slots[s]!, value, "text or a number") } : text
  }

  /**
   * Appends `r`'s message (unframed) to `out`, with `batchTime` as TIMESTAMP unless the record gives one
   * (`undefined`: the time now, read only for a record without one); what is wrong with the record
   * (nothing appended) when it cannot be sent. Slots are checked in order (facility first, timestamp
   * last), so the problem told is the first.
   */
  const put = (r: DataRecord.DataRecord, i: number, batchTime: string | undefined, out: ByteBuilder): string | undefined => {
    const fields = r.fields
    learn(fields)
    if (several) gather(fields)
    let fac = facility
    const facilityValue = valueOf(fields, 0)
    if (facilityValue !== undefined) {
      const code = Priority.facilityOfValue(facilityValue)
      if (code === undefined) return wrong(i, "facility", facilityValue, "a facility (0 to 23, or a name such as \"user\" or \"local0\")")
      fac = code
    }
    let sev = severity
    const severityValue = valueOf(fields, 1)
    if (severityValue !== undefined) {
      const code = Priority.severityOfValue(severityValue)
      if (code === undefined) return wrong(i, "severity", severityValue, "a severity (0 to 7, or a name such as \"err\" or \"warning\")")
      sev = code
    }
    const hostText = textAt(fields, 2, i)
    if (typeof hostText === "object") return hostText.problem
    const appText = textAt(fields, 3, i)
    if (typeof appText === "object") return appText.problem
    const procidText = textAt(fields, 4, i)
    if (typeof procidText === "object") return procidText.problem
    const msgidText = textAt(fields, 5, i)
    if (typeof msgidText === "object") return msgidText.problem
    const message = valueOf(fields, 6)
    let time = batchTime
    const timeValue = valueOf(fields, 7)
    if (timeValue !== undefined) {
      const text = timeValue._tag === "Chars" || timeValue._tag === "Time" ? timeValue.value : undefined
      const at = text === undefined ? undefined : Header.timestamp(text, format)
      if (at === undefined) return wrong(i, "timestamp", timeValue, "a time (RFC 3339 text, or text Date reads)")
      time = at
    }
    if (time === undefined) time = timeOf(Date.now())
    const msg = message === undefined ? DataRecord.toJsonText(r) : messageOf(message)
    // room for all of it at once, then plain stores at a local offset
    out.ensure(
      16 + time.length + fieldBytes(hostText, Header.limits.host, host) + fieldBytes(appText, Header.limits.app, app) +
        fieldBytes(procidText, Header.limits.procid, procid) + fieldBytes(msgidText, Header.limits.msgid, msgid) + msg.length * 3
    )
    const buf = out.buf
    let off = out.length
    buf[off++] = 0x3c
    off = putDigits(buf, off, Priority.pri(fac, sev))
    buf[off++] = 0x3e
    if (format === "rfc5424") {
      buf[off++] = 0x31
      buf[off++] = 0x20
      off = putAscii(buf, off, time)
      buf[off++] = 0x20
      off = putField(buf, off, hostText, Header.limits.host, host)
      buf[off++] = 0x20
      off = putField(buf, off, appText, Header.limits.app, app)
      buf[off++] = 0x20
      off = putField(buf, off, procidText, Header.limits.procid, procid)
      buf[off++] = 0x20
      off = putField(buf, off, msgidText, Header.limits.msgid, msgid)
      buf[off++] = 0x20
      buf[off++] = 0x2d
    } else {
      off = putAscii(buf, off, time)
      if ((hostText !== undefined && hostText.length > 0) || host !== undefined) {
        buf[off++] = 0x20
        off = putField(buf, off, hostText, Header.limits.host, host)
      }
      buf[off++] = 0x20
      off = putField(buf, off, appText, Header.limits.app, app)
      if ((procidText !== undefined && procidText.length > 0) || procid !== undefined) {
        buf[off++] = 0x5b
        off = putField(buf, off, procidText, Header.limits.procid, procid)
        buf[off++] = 0x5d
      }
      buf[off++] = 0x3a
    }
    if (msg.length > 0) {
      buf[off++] = 0x20
      off = putText(buf, off, msg)
    }
    out.length = off
    return undefined
  }

  /** Appends `r`'s frame (its message framed as `framing` says) to `out`; what is wrong with it, appending nothing, when it cannot be sent. */
  const frameInto = (r: DataRecord.DataRecord, i: number, batchTime: string | undefined, out: ByteBuilder): string | undefined => {
    const start = out.length
    const problem = put(r, i, batchTime, out)
    if (problem !== undefined) {
      out.truncate(start)
      return problem
    }
    if (framing === "line") out.byte(0x0a)
    else if (framing === "octet-counted") out.insertAscii(start, `${out.length - start} `)
    return undefined
  }

  /** Where `records` and `one` build a message before it becomes a string. */
  const scratch = new ByteBuilder(4096)

  const records = (items: ReadonlyArray<DataRecord.DataRecord>, ms: number): Either.Either<ReadonlyArray<string>, string> => {
    const batchTime = Header.timeAt(ms, format)
    const out = new Array<string>(items.length)
    for (let i = 0; i < items.length; i++) {
      scratch.truncate(0)
      const problem = put(items[i]!, i, batchTime, scratch)
      if (problem !== undefined) return Either.left(problem)
      out[i] = scratch.textOf(0)
    }
    return Either.right(out)
  }

  const frames = (items: ReadonlyArray<DataRecord.DataRecord>, ms: number): Either.Either<Buffer, string> => {
    const batchTime = Header.timeAt(ms, format)
    const out = new ByteBuilder(items.length * 256)
    for (let i = 0; i < items.length; i++) {
      const problem = frameInto(items[i]!, i, batchTime, out)
      if (problem !== undefined) return Either.left(problem)
    }
    return Either.right(out.take())
  }

  /** The time text of the last millisecond `one` saw: records routed in the same millisecond share it. */
  let lastMs = -1
  let lastTime = ""
  const timeOf = (ms: number): string => {
    if (ms !== lastMs) {
      lastMs = ms
      lastTime = Header.timeAt(ms, format)
    }
    return lastTime
  }

  const one = (r: DataRecord.DataRecord, ms?: number): string | undefined => {
    scratch.truncate(0)
    return put(r, 0, ms === undefined ? undefined : timeOf(ms), scratch) === undefined ? scratch.textOf(0) : undefined
  }

  const frame = (r: DataRecord.DataRecord, out: ByteBuilder, ms?: number): boolean =>
    frameInto(r, 0, ms === undefined ? undefined : timeOf(ms), out) === undefined

  return { texts, bytes, records, frames, one, frame }
}

