/**
 * A custom processor: one nginx access log line (the default `combined` format) into a record.
 *
 *   203.0.113.7 - - [10/Oct/2024:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0 ..."
 *
 * becomes { ip, time, method, path, status, bytes, referer, agent }: `ip` an IpAddr, `time` a Time (UTC),
 * `status` and `bytes` Digits (`-` bytes is 0), the rest Chars. A line that is not in that format fails
 * with a ProcessorError (code 540), so the project's `on_error` decides where it goes (here: the rescue file).
 */
// In this repository the example imports the library's sources; a project that installed the package
// writes: import { DataRecord, Processor, processorError, RawData, SourceEvent } from "wp-connector-api"
import { DataRecord, Processor, processorError, RawData, SourceEvent } from "../../../src/index.js"

/** `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"` */
const line = /^(\S+) \S+ \S+ \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$/

/** `$request`: `METHOD /path PROTOCOL`. */
const request = /^([A-Z]+) (\S+) HTTP\/\d(?:\.\d)?$/

/** `$time_local`: `10/Oct/2024:13:55:36 +0000`. */
const localTime = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** The instant of a `$time_local`, or `undefined` when it is not one. */
const parseTime = (text: string): Date | undefined => {
  const m = localTime.exec(text)
  const month = m === null ? -1 : months.indexOf(m[2]!)
  if (m === null || month < 0) return undefined
  const offsetMinutes = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]))
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
  return new Date(utc - offsetMinutes * 60_000)
}

/** The fields the processor makes, in order. */
const fields = ["ip", "time", "method", "path", "status", "bytes", "referer", "agent"]

const parse = (event: SourceEvent.SourceEvent) => {
  const m = line.exec(RawData.text(event.payload))
  if (m === null) return processorError("not an nginx access line (combined format)")
  const [, addr = "", timeText = "", requestText = "", status = "", bytes = "", referer = "", agent = ""] = m
  const ip = DataRecord.ipAddr(addr)
  if (ip._tag === "None") return processorError(`not an IP address: ${JSON.stringify(addr)}`)
  const time = DataRecord.time(parseTime(timeText) ?? new Date(Number.NaN))
  if (time._tag === "None") return processorError(`not an nginx time: ${JSON.stringify(timeText)}`)
  const req = request.exec(requestText)
  if (req === null) return processorError(`not an HTTP request line: ${JSON.stringify(requestText)}`)
  const code = DataRecord.parseDigit(status)
  const size = DataRecord.parseDigit(bytes === "-" ? "0" : bytes)
  if (code._tag === "None" || size._tag === "None") return processorError(`body size out of range: ${bytes}`)
  const record = DataRecord.make([
    DataRecord.field("ip", ip.value),
    DataRecord.field("time", time.value),
    DataRecord.field("method", DataRecord.chars(req[1]!)),
    DataRecord.field("path", DataRecord.chars(req[2]!)),
    DataRecord.field("status", code.value),
    DataRecord.field("bytes", size.value),
    DataRecord.field("referer", DataRecord.chars(referer)),
    DataRecord.field("agent", DataRecord.chars(agent))
  ])
  return SourceEvent.update(event, { record })
}

export default Processor.sync({ kind: "nginx", fields }, parse)
