/**
 * The `syslog` processor: reads an RFC 5424 or RFC 3164 message (the payload, or the text of a record
 * field) into record fields, in this order: `pri`, `facility`, `severity` (`Digit`s), `version` (RFC 5424),
 * `timestamp` (`Time`, UTC), `host`, `app`, `procid`, `msgid` (`Chars`), `structured_data` (an `Obj` of
 * SD-ID to an `Obj` of its params, `Chars`) and `msg` (`Chars`, the message after the header, maybe
 * empty). A header field that is absent or NILVALUE (`-`) gives no field. An RFC 3164 timestamp has no
 * year: it is the current year (a December message read in January is from last year), read as UTC. Text
 * that is neither format, or a header whose date or STRUCTURED-DATA is broken, is a `ProcessorError`.
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import * as SyslogParser from "../connectors/syslog/parser.js"
import { ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as ParserInput from "./parser-input.js"
import * as ProcessorKind from "./processor-kind.js"
import * as TimeFormat from "./time-format.js"

/** `syslog` params: `field`, the record field to read instead of the payload. */
export const Params = Schema.Struct({
  field: ParserInput.FieldParam
})

/** Decoded `syslog` params. */
export type Params = typeof Params.Type

/** Every field the processor may make, in order. */
export const fieldNames: ReadonlyArray<string> = [
  "pri", "facility", "severity", "version", "timestamp", "host", "app", "procid", "msgid", "structured_data", "msg"
]

/** The kinds of the record's strings that are not `Chars`. */
const kinds: DataRecord.PlainKinds = { timestamp: "time" }

/** The error for a STRUCTURED-DATA text that is not `[id name="value" ...]...` at `at`. */
const badSd = (sd: string, at: number, what: string): ProcessorError =>
  processorError(`syslog: bad STRUCTURED-DATA at offset ${at}: ${what} in ${JSON.stringify(sd)}`)

/** The STRUCTURED-DATA text (`[id k="v"]...`) as an `Obj` of SD-ID to params, or an error at an offset in it. */
const structuredData = (sd: string): DataRecord.Value.Obj | ProcessorError => {
  const elements = new Map<string, DataRecord.Value>()
  let i = 0
  while (i < sd.length) {
    if (sd.charCodeAt(i) !== 0x5b) return badSd(sd, i, "expected [")
    let j = i + 1
    while (j < sd.length && sd[j] !== " " && sd[j] !== "]") j++
    const id = sd.slice(i + 1, j)
    i = j
    const params = new Map<string, DataRecord.Value>()
    while (sd[i] === " ") {
      const eq = sd.indexOf("=", i + 1)
      if (eq < 0 || sd[eq + 1] !== "\"") return badSd(sd, i, "expected name=\"value\"")
      const name = sd.slice(i + 1, eq)
      let value = ""
      let from = eq + 2
      let k = from
      for (;;) {
        if (k >= sd.length) return badSd(sd, k, "unterminated value")
        const c = sd[k]
        if (c === "\"") break
        if (c === "\\" && (sd[k + 1] === "\"" || sd[k + 1] === "\\" || sd[k + 1] === "]")) {
          value += sd.slice(from, k)
          from = k + 1
          k += 2
        } else k++
      }
      params.set(name, DataRecord.chars(value + sd.slice(from, k)))
      i = k + 1
    }
    if (sd[i] !== "]") return badSd(sd, i, "expected ]")
    elements.set(id, DataRecord.obj(params))
    i++
  }
  return DataRecord.obj(elements)
}

/** Reads messages into fields; `year` guesses the year of RFC 3164 timestamps. */
const reader = (year: (month: number) => number) => {
  const rfc3164 = TimeFormat.rfc3164(year)
  return (text: string): Array<DataRecord.DataField> | DataRecord.DataRecord | ProcessorError => {
    const m = SyslogParser.parseHeader(text)
    if (m === undefined) {
      return processorError(`syslog: not an RFC 5424 or RFC 3164 message: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}...` : text)}`)
    }
    // the record is the plain object of the fields (`DataRecord.fromPlain`): JSON out is one `JSON.stringify`
    const plain: { [name: string]: DataRecord.PlainData } = { pri: m.pri, facility: m.facility, severity: m.severity }
    if (m.version !== undefined) plain.version = m.version
    if (m.timestamp !== undefined) {
      const c = m.timestamp.charCodeAt(0)
      const iso = c >= 0x30 && c <= 0x39 ? TimeFormat.rfc3339(m.timestamp) : rfc3164(m.timestamp)
      if (iso === undefined) return processorError(`syslog: bad timestamp ${JSON.stringify(m.timestamp)}`)
      plain.timestamp = iso
    }
    if (m.host !== undefined) plain.host = m.host
    if (m.app !== undefined) plain.app = m.app
    if (m.procid !== undefined) plain.procid = m.procid
    if (m.msgid !== undefined) plain.msgid = m.msgid
    const msg = SyslogParser.body(text, m)
    if (m.structuredData !== undefined) {
      const sd = structuredData(m.structuredData)
      if (sd instanceof ProcessorError) return sd
      const sdPlain = DataRecord.toPlain(sd)
      // an SD-ID or a param name that starts with a digit would lose its place in a plain object: fields
      if (sdPlain === undefined) {
        return [...DataRecord.fromPlain(plain, kinds).fields, DataRecord.field("structured_data", sd), DataRecord.field("msg", DataRecord.chars(msg))]
      }
      plain.structured_data = sdPlain
    }
    plain.msg = msg
    return DataRecord.fromPlain(plain, kinds)
  }
}

/** The `syslog` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "syslog",
  description: "parses an RFC 5424 / RFC 3164 message (the payload or a field) into header fields and msg",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.map(ParserInput.fromParam(params.field, where), (input) => ({
      fields: fieldNames,
      step: ParserInput.step("syslog", input, reader(TimeFormat.currentYear()))
    }))
})
