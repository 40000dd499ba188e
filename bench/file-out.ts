/**
 * The output side the line-copy scenarios share (`file-file`, `file-glob`, `tcp-file`): one sink group
 * with a `file` sink writing `<out>/out.log`, and the check that a run wrote every byte and acked every line.
 */
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { RunReport } from "../src/runtime/report.js"
import type { PipelineGroup } from "../src/runtime/pipeline.js"

/** The sink group `bench`: a `file` sink writing `<out>/out.log`. */
export const outGroup = (out: string): PipelineGroup => ({
  name: "bench",
  filter: Option.none(),
  sinks: [{
    spec: { group: "bench", name: "out", kind: "file", connectorId: "file-sink", params: { base: out, file: "out.log" }, filter: Option.none() },
    replicaCnt: 1,
    rateLimitRps: 0
  }]
})

/** Dies unless `result` completed, `<out>/out.log` holds `bytes` bytes and `count` events were acked. */
export const expectWhole = (scenario: string, result: RunReport, out: string, bytes: number, count: number): Effect.Effect<void> => {
  const written = fs.statSync(path.join(out, "out.log")).size
  return result.status === "completed" && written === bytes && result.acked === count
    ? Effect.void
    : Effect.dieMessage(`${scenario}: ${result.status}, wrote ${written} of ${bytes} bytes, acked ${result.acked}`)
}
