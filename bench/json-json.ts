/**
 * json -> json: JSON log lines from a `file` source, parsed by the `json` processor into records and
 * written by a `file` sink with `fmt = "json"`; the baseline is `JSON.parse` + `JSON.stringify` per line.
 * Both write the same bytes (checked). See `parse-bench.ts`.
 *
 * usage: node --import tsx bench/json-json.ts engine|baseline [count]
 */
import * as Json from "../src/processing/json.js"
import { main } from "./parse-bench.js"
import { jsonLine } from "./parse-input.js"

await main({
  name: "json-json",
  kind: Json.kind,
  params: {},
  line: jsonLine,
  toJson: (line) => JSON.stringify(JSON.parse(line))
})
