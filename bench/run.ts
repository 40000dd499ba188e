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

/** Every scenario: its script and the arguments each implementation gets (`impl` is where it goes). */
const scenarios: ReadonlyArray<{ readonly name: string; readonly script: string; readonly args: (impl: string) => ReadonlyArray<string> }> = [
  // 30M events: the baseline takes ~0.7 s; at 2M (50 ms) the engine's fixed start-up cost (~22 ms) was most of what was measured
  { name: "memory-blackhole", script: "memory-blackhole.ts", args: (impl) => [impl, "30000000"] },
  { name: "file-file", script: "file-file.ts", args: (impl) => [impl, "2000000"] },
  { name: "tcp-file", script: "tcp-file.ts", args: (impl) => [impl, "1000000"] },
  // a real nats-server / redis-server (Debian packages), 300k events, one worker process and three sharing the stream
  { name: "nats-blackhole", script: "broker-blackhole.ts", args: (impl) => ["nats", impl, "300000", "1"] },
  { name: "nats-blackhole-x3", script: "broker-blackhole.ts", args: (impl) => ["nats", impl, "300000", "3"] },
  { name: "redis-blackhole", script: "broker-blackhole.ts", args: (impl) => ["redis", impl, "300000", "1"] },
  { name: "redis-blackhole-x3", script: "broker-blackhole.ts", args: (impl) => ["redis", impl, "300000", "3"] }
]

const wanted = process.argv.slice(2)
for (const s of scenarios) {
  if (wanted.length > 0 && !wanted.includes(s.name)) continue
  const results: Record<string, { events_per_s: number; mb_per_s: number; peak_rss_mb: number }> = {}
  for (const impl of ["baseline", "engine"] as const) {
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(here, s.script), ...s.args(impl)], {
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
