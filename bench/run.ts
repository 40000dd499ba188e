/**
 * `npm run bench`: runs every scenario both ways in one go — the engine and a hand-written raw-Node
 * baseline — each in its own child process (so peak RSS is its own), prints each result as a
 * JSON line, then one line per scenario with the ratio engine / baseline.
 *
 * usage: node --import tsx bench/run.ts [--runs N] [--tsx] [scenario ...]
 *
 * Besides the scenarios: `footprint` (bench/footprint.ts: `wpc run`'s idle and peak RSS and its
 * throughput, run by default too) and `cold-start` (bench/cold-start.ts: start-up CPU of the built
 * package, on request only: it runs the full build first).
 *
 * Each implementation runs N times (default 3), alternating; the ratio compares the best run of
 * each (the one least disturbed by other work on a shared machine), and the ratio of the medians
 * is printed beside it. Each scenario script is first compiled with esbuild into one ES module in
 * `bench/.build/` (the engine's sources and the baseline alike; packages stay imports from
 * node_modules), as an application ships; `--tsx` runs the TypeScript through the tsx loader instead.
 */
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import * as ColdStart from "./cold-start.js"
import * as Footprint from "./footprint.js"

const here = path.dirname(fileURLToPath(import.meta.url))

/** Every scenario: its script and the arguments each implementation gets (`impl` is where it goes). */
const scenarios: ReadonlyArray<{ readonly name: string; readonly script: string; readonly args: (impl: string) => ReadonlyArray<string> }> = [
  // 30M events: the baseline takes ~0.7 s; at 2M (50 ms) the engine's fixed start-up cost (~22 ms) was most of what was measured
  { name: "memory-blackhole", script: "memory-blackhole.ts", args: (impl) => [impl, "30000000"] },
  { name: "file-file", script: "file-file.ts", args: (impl) => [impl, "2000000"] },
  // the same 2M lines spread over 20 files, read by the multi-file source over a glob
  { name: "file-glob", script: "file-glob.ts", args: (impl) => [impl, "2000000"] },
  { name: "tcp-file", script: "tcp-file.ts", args: (impl) => [impl, "1000000"] },
  // the same with the tcp source's disk-backed intake (`buffer = "disk"`): the cost of the write-ahead log
  { name: "tcp-file-disk", script: "tcp-file.ts", args: (impl) => [impl, "1000000", "disk"] },
  // the processing stage: 2M lines parsed by a processor (syslog: a mix of RFC 3164 and 5424; json) into JSON lines
  { name: "syslog-json", script: "syslog-json.ts", args: (impl) => [impl, "2000000"] },
  { name: "json-json", script: "json-json.ts", args: (impl) => [impl, "2000000"] },
  // a real nats-server / redis-server (Debian packages), 300k events, one worker process and three sharing the stream
  { name: "nats-blackhole", script: "broker-blackhole.ts", args: (impl) => ["nats", impl, "300000", "1"] },
  { name: "nats-blackhole-x3", script: "broker-blackhole.ts", args: (impl) => ["nats", impl, "300000", "3"] },
  { name: "redis-blackhole", script: "broker-blackhole.ts", args: (impl) => ["redis", impl, "300000", "1"] },
  { name: "redis-blackhole-x3", script: "broker-blackhole.ts", args: (impl) => ["redis", impl, "300000", "3"] },
  // storage sinks against real servers (Debian packages), records made by a processor; engine vs the client's own batched loop
  { name: "mysql-sink", script: "sql-sink.ts", args: (impl) => ["mysql", impl, "200000"] },
  { name: "postgres-sink", script: "sql-sink.ts", args: (impl) => ["postgres", impl, "200000"] },
  { name: "clickhouse-sink", script: "clickhouse-sink.ts", args: (impl) => [impl, "300000"] },
  { name: "victoriametrics", script: "victoriametrics.ts", args: (impl) => [impl, "300000"] },
  { name: "http-sink", script: "http-sink.ts", args: (impl) => [impl, "500000"] },
  { name: "syslog-sink", script: "syslog-sink.ts", args: (impl) => [impl, "1000000"] }
]

/** One run's result line. */
interface Result {
  readonly events_per_s: number
  readonly mb_per_s: number
  readonly peak_rss_mb: number
}

const args = process.argv.slice(2)
/** `--tsx`: run the scenario scripts through the tsx loader (development) instead of compiled. */
const viaTsx = args.includes("--tsx")

/**
 * Compiles `script` and the sources it imports into one ES module (`bench/.build/<name>.mjs`); packages
 * stay imports, resolved from node_modules as in an installed application. Returns the node arguments
 * that run it: with `--tsx`, the TypeScript through the tsx loader.
 */
const compile = async (script: string): Promise<ReadonlyArray<string>> => {
  const source = path.join(here, script)
  if (viaTsx) return ["--import", "tsx", source]
  const outfile = path.join(here, ".build", script.replace(/\.ts$/, ".mjs"))
  await build({ entryPoints: [source], outfile, bundle: true, packages: "external", platform: "node", format: "esm", target: "node20", logLevel: "error" })
  return [outfile]
}

/** Runs one implementation of `s` once, in its own process; prints and returns its result line. */
const runOnce = (s: (typeof scenarios)[number], program: ReadonlyArray<string>, impl: "baseline" | "engine"): Result => {
  const out = execFileSync(process.execPath, [...program, ...s.args(impl)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
  const line = out.trim().split("\n").pop()!
  console.log(line)
  return JSON.parse(line) as Result
}

/** The run with the highest rate: on a shared machine, the one least disturbed by other work. */
const best = (runs: ReadonlyArray<Result>): Result => runs.reduce((a, b) => (b.events_per_s > a.events_per_s ? b : a))

/** The median rate of `runs`. */
const median = (runs: ReadonlyArray<Result>): number => {
  const rates = runs.map((r) => r.events_per_s).sort((a, b) => a - b)
  return rates[Math.floor(rates.length / 2)]!
}

const runsAt = args.indexOf("--runs")
/** Runs per implementation (`--runs N`, default 3), alternating baseline and engine so that load drifts hit both. */
const runs = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1])) : 3
const wanted = args.filter((a, i) => a !== "--tsx" && (runsAt < 0 || (i !== runsAt && i !== runsAt + 1)))
for (const s of scenarios) {
  if (wanted.length > 0 && !wanted.includes(s.name)) continue
  const program = await compile(s.script)
  const results: Record<"baseline" | "engine", Array<Result>> = { baseline: [], engine: [] }
  for (let i = 0; i < runs; i++) {
    for (const impl of ["baseline", "engine"] as const) results[impl].push(runOnce(s, program, impl))
  }
  const engine = best(results.engine)
  const baseline = best(results.baseline)
  console.log(JSON.stringify({
    scenario: s.name,
    runs,
    compiled: !viaTsx,
    ratio_events_per_s: Number((engine.events_per_s / baseline.events_per_s).toFixed(3)),
    ratio_of_medians: Number((median(results.engine) / median(results.baseline)).toFixed(3)),
    engine_events_per_s: engine.events_per_s,
    baseline_events_per_s: baseline.events_per_s,
    engine_peak_rss_mb: engine.peak_rss_mb,
    baseline_peak_rss_mb: baseline.peak_rss_mb
  }))
}

// the benches that are not engine-vs-baseline scenarios
if (wanted.length === 0 || wanted.includes("footprint")) await Footprint.main([])
if (wanted.includes("cold-start")) ColdStart.main(runsAt >= 0 ? ["--runs", String(runs)] : [])
