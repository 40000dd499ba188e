/**
 * syslog -> json: 2M syslog lines (a mix of RFC 3164 and RFC 5424, see `parse-input.ts`) from a `file`
 * source, parsed by the `syslog` processor and written by a `file` sink with `fmt = "json"`. The baseline
 * parses each line by hand with the same rules (`syslog-hand.ts`) into a plain object of the same fields
 * in the same order, and `JSON.stringify`s it. Both write the same bytes (checked). See `parse-bench.ts`.
 *
 * usage: node --import tsx bench/syslog-json.ts engine|baseline [count]
 */
import * as Syslog from "../src/processing/syslog.js"
import { main } from "./parse-bench.js"
import { syslogLine } from "./parse-input.js"
import * as SyslogHand from "./syslog-hand.js"

await main({
  name: "syslog-json",
  kind: Syslog.kind,
  params: {},
  line: syslogLine,
  toJson: (line) => {
    const m = SyslogHand.parse(line)
    if (m === undefined) throw new Error(`not syslog: ${line}`)
    return JSON.stringify(m)
  }
})
