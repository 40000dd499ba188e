/**
 * The output side the line-copy scenarios share (`file-file`, `file-glob`, `tcp-file`): one sink group
 * with a `file` sink writing `<out>/out.log`, the check that a run wrote every byte and acked every line,
 * and the engine's run of a `file` source into it.
 */
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { ParamMap } from "../src/config/param.js"
import * as Builtins from "../src/connectors/builtins.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions, PipelineGroup } from "../src/runtime/pipeline.js"
import type { RunReport } from "../src/runtime/report.js"
import { report, since } from "./measure.js"

/** A fresh, empty output directory `<dir>/out-<name>`. */
export const freshOutput = (dir: string, name: string): string => {
  const out = path.join(dir, `out-${name}`)
  fs.rmSync(out, { recursive: true, force: true })
  fs.mkdirSync(out, { recursive: true })
  return out
}

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

/**
 * The engine's side of a file-source scenario: a `file` source with `params` into `outGroup(out)`, timed
 * from the start of the run to its end, checked whole (`bytes`, `count`), reported as `scenario`.
 */
export const runFileSource = (
  scenario: string,
  params: ParamMap,
  out: string,
  bytes: number,
  count: number,
  options: Partial<EngineOptions> = {}
) =>
  Effect.gen(function*() {
    const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-bench-work-"))
    const t0 = performance.now()
    const result = yield* Engine.runPipeline({
      workRoot,
      sources: [{ spec: { name: "in", kind: "file", connectorId: "file-src", params, tags: [] }, enabled: true }],
      groups: [outGroup(out)]
    }, options)
    const seconds = since(t0)
    yield* expectWhole(scenario, result, out, bytes, count)
    fs.rmSync(workRoot, { recursive: true, force: true })
    report({ scenario, impl: "engine", events: result.eventsIn, bytes, seconds })
  }).pipe(Effect.provide(Builtins.layer))
