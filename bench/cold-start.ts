/**
 * `npm run bench -- cold-start`: the CPU time (user + system) and peak RSS of starting the built
 * package, each command in a fresh process, `--runs N` times (default 5): the best run (least
 * disturbed by other work on a shared machine) and the median.
 * - `wpc --version` and `wpc check --work-root examples/file-to-file`: the bundled CLI
 *   (`dist/bin/wpc.mjs`, what the installed `bin/wpc.js` runs), and, for comparison, the CLI as tsc
 *   emits it module by module (`dist/cli/main.js`);
 * - `import "wp-connector-api"`: the library's entry point (`dist/index.js`);
 * - `node -e 0`: Node alone.
 * Runs `npm run build` first unless `--no-build`. Each figure is the process's own `process.cpuUsage()`
 * and `resourceUsage().maxRSS` when it exits (a preloaded probe prints them).
 *
 * usage: node --import tsx bench/cold-start.ts [--runs N] [--no-build]
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Preloaded: prints the process's CPU seconds and peak RSS (KiB) to stderr when it exits. */
const probe = "process.on('exit', () => { const c = process.cpuUsage(); process.stderr.write('COLD ' + (c.user + c.system) / 1e6 + ' ' + process.resourceUsage().maxRSS + '\\n') })"

/** What one command cost. */
interface Cost {
  readonly cpu_s: number
  readonly peak_rss_mb: number
}

/** Runs `args` under node once with the probe; fails when the command fails. */
const once = (args: ReadonlyArray<string>): Cost => {
  const result = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(probe)}`, ...args], { cwd: repo, encoding: "utf8" })
  const line = /COLD ([\d.]+) (\d+)/.exec(result.stderr)
  if (result.status !== 0 || line === null) throw new Error(`node ${args.join(" ")} failed (${result.status}):\n${result.stderr}`)
  return { cpu_s: Number(line[1]), peak_rss_mb: Math.round(Number(line[2]) / 1024) }
}

/** The commands measured. */
const commands: ReadonlyArray<{ readonly name: string; readonly args: ReadonlyArray<string> }> = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "wpc --version", args: ["dist/bin/wpc.mjs", "--version"] },
  { name: "wpc check examples/file-to-file", args: ["dist/bin/wpc.mjs", "check", "--work-root", "examples/file-to-file"] },
  { name: "import \"wp-connector-api\"", args: ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(path.join(repo, "dist", "index.js")).href)})`] },
  { name: "wpc --version (unbundled dist/cli/main.js)", args: ["dist/cli/main.js", "--version"] },
  { name: "wpc check examples/file-to-file (unbundled)", args: ["dist/cli/main.js", "check", "--work-root", "examples/file-to-file"] }
]

/** Measures every command `runs` times (interleaved, so load drifts hit all); prints one JSON line each. */
export const main = (args: ReadonlyArray<string>): void => {
  if (!args.includes("--no-build")) execFileSync("npm", ["run", "--silent", "build"], { cwd: repo, stdio: "inherit" })
  const runsAt = args.indexOf("--runs")
  const runs = runsAt < 0 ? 5 : Math.max(1, Number(args[runsAt + 1]))
  const costs = commands.map(() => [] as Array<Cost>)
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => costs[j]!.push(once(c.args)))
  commands.forEach((c, j) => {
    const cpu = costs[j]!.map((x) => x.cpu_s).sort((a, b) => a - b)
    console.log(JSON.stringify({
      command: c.name,
      runs,
      best_cpu_s: Number(cpu[0]!.toFixed(3)),
      median_cpu_s: Number(cpu[Math.floor(cpu.length / 2)]!.toFixed(3)),
      peak_rss_mb: Math.min(...costs[j]!.map((x) => x.peak_rss_mb))
    }))
  })
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main(process.argv.slice(2))
