/**
 * `npm run bench`: runs every scenario twice in one go — the engine and a hand-written raw-Node
 * baseline — each in its own child process (so peak RSS is its own), prints each result as a
 * JSON line, then one line per scenario with the ratio engine / baseline.
 *
 * usage: node --import tsx bench/run.ts [scenario ...]
 */
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

/** Every scenario: its script and the arguments both implementations get. */
const scenarios: ReadonlyArray<{ readonly name: string; readonly script: string; readonly args: ReadonlyArray<string> }> = [
  { name: "memory-blackhole", script: "memory-blackhole.ts", args: ["2000000"] },
  { name: "file-file", script: "file-file.ts", args: ["2000000"] },
  { name: "tcp-file", script: "tcp-file.ts", args: ["1000000"] }
]

const wanted = process.argv.slice(2)
for (const s of scenarios) {
  if (wanted.length > 0 && !wanted.includes(s.name)) continue
  const results: Record<string, { events_per_s: number; mb_per_s: number; peak_rss_mb: number }> = {}
  for (const impl of ["baseline", "engine"] as const) {
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(here, s.script), impl, ...s.args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"]
    })
    const line = out.trim().split("\n").pop()!
    console.log(line)
    results[impl] = JSON.parse(line)
  }
  const engine = results["engine"]!
  const baseline = results["baseline"]!
  console.log(JSON.stringify({
    scenario: s.name,
    ratio_events_per_s: Number((engine.events_per_s / baseline.events_per_s).toFixed(3)),
    engine_events_per_s: engine.events_per_s,
    baseline_events_per_s: baseline.events_per_s,
    engine_peak_rss_mb: engine.peak_rss_mb,
    baseline_peak_rss_mb: baseline.peak_rss_mb
  }))
}
