/**
 * `npm run bench -- footprint`: what `wpc run` costs in memory, measured on the bundled CLI
 * (`dist/bin/wpc.mjs`, rebundled first) as an operator runs it, each run in its own process:
 * - idle: the RSS of `wpc run` on a tcp -> file project, started and waiting for data (after 3 s);
 * - tcp -> file: then `lines` lines sent over one connection: peak RSS (the process's high-water mark,
 *   `VmHWM`, read from /proc until it exits: nothing is preloaded into `wpc`) and events/s from the first
 *   line sent to the last one in the output file;
 * - file -> file: a `lines`-line file copied by a file source to a file sink: peak RSS and events/s
 *   from the first line in the output to the last.
 * Prints one JSON line per run, then a summary line `{ "footprint": ... }`.
 *
 * With `--curve`, tcp -> file and file -> file at 1M, 4M and 16M lines, with the default queues and
 * with `--small` queues, to show that peak RSS follows the queue bounds and not the input size.
 *
 * usage: node --import tsx bench/footprint.ts [--lines N] [--curve] [--entry dist/cli/main.js] [--node "--max-semi-space-size=2"] [--engine '{"queue_events":2048}'] [--tcp '{"queue_events":1024}']
 */
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
/** The `wpc` entry measured: the bundle, or with `--entry <file>` another one (e.g. `dist/cli/main.js`, the modules tsc emits). */
let wpc = path.join(repo, "dist", "bin", "wpc.mjs")
/** Flags for the node running `wpc` (`--node "--max-semi-space-size=2"`), to try V8's settings. */
let nodeFlags: ReadonlyArray<string> = []

/** Options of one run: the `[engine]` table and the tcp source's extra params (TOML values as JSON). */
interface Settings {
  readonly label: string
  readonly engine: { readonly [key: string]: number }
  readonly tcp: { readonly [key: string]: number }
}

/** One measured run. */
interface Run {
  readonly scenario: "tcp-file" | "file-file"
  readonly settings: string
  readonly lines: number
  readonly idle_rss_mb?: number
  readonly peak_rss_mb: number
  readonly events_per_s: number
  readonly seconds: number
  /** CPU seconds of the `wpc` process (user + system, every thread), start-up included: what the run cost when other work disturbs its wall time. */
  readonly cpu_s: number
}

/** The line `i` (the same lines as bench/tcp-file.ts and bench/file-file.ts). */
const lineSource = `(i) => "<134>Nov 28 12:00:00 web-" + (i % 8) + " nginx[4242]: GET /api/v1/items/" + i + " 200 " + (i % 4096)`
const line = new Function(`return ${lineSource}`)() as (i: number) => string

/** Bytes of the first `count` lines, newlines included. */
const bytesOf = (count: number): number => {
  let bytes = 0
  for (let i = 0; i < count; i++) bytes += Buffer.byteLength(line(i)) + 1
  return bytes
}

/** A TOML value of a JSON number or string. */
const toml = (v: number | string): string => (typeof v === "number" ? String(v) : JSON.stringify(v))

/** Writes a project under `dir`: a tcp (on `port`) or file source, a file sink, and the `[engine]` table of `settings`. */
const writeProject = (dir: string, source: { readonly kind: "tcp"; readonly port: number } | { readonly kind: "file" }, settings: Settings): void => {
  const files: { readonly [rel: string]: string } = {
    "connectors/source.d/in.toml": source.kind === "tcp"
      ? ["[[connectors]]", "id = \"in\"", "type = \"tcp\"", "", "[connectors.params]", `port = ${source.port}`, "framing = \"line\"",
        ...Object.entries(settings.tcp).map(([k, v]) => `${k} = ${toml(v)}`), ""].join("\n")
      : ["[[connectors]]", "id = \"in\"", "type = \"file\"", "", "[connectors.params]", "base = \"data/in\"", "file = \"in.log\"", ""].join("\n"),
    "connectors/sink.d/out.toml": ["[[connectors]]", "id = \"out\"", "type = \"file\"", "", "[connectors.params]", "base = \"data/out\"", "file = \"out.log\"", ""].join("\n"),
    "topology/sources/in.toml": ["[[sources]]", "key = \"in\"", "enable = true", "connect = \"in\"", ""].join("\n"),
    "topology/sinks/business.d/all.toml": ["[sink_group]", "name = \"all\"", "", "[[sink_group.sinks]]", "name = \"out\"", "connect = \"out\"", ""].join("\n"),
    "engine.toml": ["[engine]", ...Object.entries(settings.engine).map(([k, v]) => `${k} = ${toml(v)}`), ""].join("\n")
  }
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), text)
  }
}

/** Clock ticks per second, the unit of a process's CPU times in `/proc/<pid>/stat`. */
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim())

/**
 * The peak RSS (MiB, `VmHWM`) and CPU seconds (user + system) of `pid` so far, from /proc; `undefined` once
 * it is gone. Read from outside: a probe preloaded into `wpc` (`--import`) loads Node's module-hook
 * machinery, which alone added 4-5 MB to what was measured (an idle `wpc run` at 69 MB with it, 64 MB
 * without, 2026-11-30).
 */
const usageOf = (pid: number): { readonly peak: number; readonly cpu: number } | undefined => {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    // the fields after the command name (which may hold spaces) in parentheses: utime and stime are the 12th and 13th
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const ticks = Number(fields[11]) + Number(fields[12])
    return { peak: Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024), cpu: Number((ticks / clockTicks).toFixed(2)) }
  } catch {
    return undefined
  }
}

/** `wpc run` on `dir`, its peak RSS (MiB) and CPU seconds once it has exited (the last reading, every 10 ms, before it did). */
const startWpc = (dir: string) => {
  const child = spawn(process.execPath, [...nodeFlags, wpc, "run", "--work-root", dir, "--progress", "0"], {
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  let last: { readonly peak: number; readonly cpu: number } | undefined
  const poll = setInterval(() => {
    const now = usageOf(child.pid!)
    if (now !== undefined && child.exitCode === null) last = now
  }, 10)
  const exited = new Promise<{ readonly peak: number; readonly cpu: number }>((resolve, reject) =>
    child.on("exit", (code) => {
      clearInterval(poll)
      if (last === undefined) reject(new Error(`wpc exited (${code}) before it could be measured:\n${stderr}`))
      else resolve(last)
    })
  )
  return { child, exited, stderr: () => stderr }
}

/** The resident set of `pid` now (MiB), from /proc. */
const rssOf = (pid: number): number => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `file` holds `bytes` bytes; returns when its first byte appeared and when it was complete. */
const awaitOutput = async (file: string, bytes: number, isAlive: () => boolean): Promise<{ readonly first: number; readonly done: number }> => {
  let first = 0
  for (;;) {
    const size = fs.existsSync(file) ? fs.statSync(file).size : 0
    if (size > 0 && first === 0) first = performance.now()
    if (size >= bytes) return { first, done: performance.now() }
    if (!isAlive()) {
      // it may have exited right after the last write
      const last = fs.existsSync(file) ? fs.statSync(file).size : 0
      if (last >= bytes) return { first: first === 0 ? performance.now() : first, done: performance.now() }
      throw new Error(`wpc exited with ${last} of ${bytes} bytes written to ${file}`)
    }
    await sleep(5)
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

/** Waits until something accepts connections on `port`. */
const awaitListening = async (port: number, isAlive: () => boolean): Promise<void> => {
  for (;;) {
    if (!isAlive()) throw new Error("wpc exited before it listened")
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy()
        resolve(true)
      })
      socket.on("error", () => resolve(false))
    })
    if (ok) return
    await sleep(50)
  }
}

/** The client: its own process, sending `count` lines in 64 KiB chunks with backpressure. */
const clientSource = `
const net = require("node:net")
const [port, count] = process.argv.slice(1).map(Number)
const line = ${lineSource}
const socket = net.connect(port, "127.0.0.1", () => {
  let i = 0
  const pump = () => {
    while (i < count) {
      let chunk = ""
      while (i < count && chunk.length < 65536) chunk += line(i++) + "\\n"
      if (!socket.write(chunk)) return socket.once("drain", pump)
    }
    socket.end()
  }
  pump()
})
`

/** tcp -> file: idle RSS after start-up, then `lines` lines through it. */
const tcpFile = async (lines: number, settings: Settings, withIdle: boolean): Promise<Run> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-footprint-"))
  try {
    const port = await freePort()
    writeProject(dir, { kind: "tcp", port }, settings)
    const wpcRun = startWpc(dir)
    const alive = () => wpcRun.child.exitCode === null
    await awaitListening(port, alive)
    let idle: number | undefined = undefined
    if (withIdle) {
      await sleep(3000)
      idle = rssOf(wpcRun.child.pid!)
    }
    const t0 = performance.now()
    const client = spawn(process.execPath, ["-e", clientSource, String(port), String(lines)], { stdio: "inherit" })
    const { done } = await awaitOutput(path.join(dir, "data", "out", "out.log"), bytesOf(lines), alive)
    client.kill()
    wpcRun.child.kill("SIGTERM")
    const { cpu, peak } = await wpcRun.exited
    const seconds = (done - t0) / 1000
    return {
      scenario: "tcp-file",
      settings: settings.label,
      lines,
      ...(idle === undefined ? {} : { idle_rss_mb: idle }),
      peak_rss_mb: peak,
      events_per_s: Math.round(lines / seconds),
      seconds: Number(seconds.toFixed(3)),
      cpu_s: cpu
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** file -> file: a `lines`-line file copied, the run ending at the end of the file. */
const fileFile = async (lines: number, settings: Settings): Promise<Run> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-footprint-"))
  try {
    writeProject(dir, { kind: "file" }, settings)
    fs.mkdirSync(path.join(dir, "data", "in"), { recursive: true })
    const input = fs.openSync(path.join(dir, "data", "in", "in.log"), "w")
    for (let i = 0; i < lines;) {
      let chunk = ""
      while (i < lines && chunk.length < 1 << 20) chunk += line(i++) + "\n"
      fs.writeSync(input, chunk)
    }
    fs.closeSync(input)
    const wpcRun = startWpc(dir)
    const { first, done } = await awaitOutput(path.join(dir, "data", "out", "out.log"), bytesOf(lines), () => wpcRun.child.exitCode === null)
    const { cpu, peak } = await wpcRun.exited
    const seconds = (done - first) / 1000
    return {
      scenario: "file-file",
      settings: settings.label,
      lines,
      peak_rss_mb: peak,
      events_per_s: Math.round(lines / seconds),
      seconds: Number(seconds.toFixed(3)),
      cpu_s: cpu
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The value after `flag` in `args`, parsed as JSON; `fallback` without it. */
const option = <A>(args: ReadonlyArray<string>, flag: string, fallback: A): A => {
  const at = args.indexOf(flag)
  return at < 0 ? fallback : (JSON.parse(args[at + 1]!) as A)
}

/** Runs the footprint bench with `args` (see the header); prints JSON lines. */
export const main = async (args: ReadonlyArray<string>): Promise<void> => {
  const nodeAt = args.indexOf("--node")
  if (nodeAt >= 0) nodeFlags = args[nodeAt + 1]!.split(" ").filter((f) => f !== "")
  const entryAt = args.indexOf("--entry")
  if (entryAt >= 0) wpc = path.resolve(repo, args[entryAt + 1]!)
  else execFileSync(process.execPath, [path.join(repo, "scripts", "build.mjs"), "--bundle-only"], { stdio: "inherit" })
  const lines = option(args, "--lines", 2_000_000)
  const defaults: Settings = { label: "default", engine: option(args, "--engine", {}), tcp: option(args, "--tcp", {}) }
  const print = (run: Run): Run => {
    console.log(JSON.stringify(run))
    return run
  }
  if (!args.includes("--curve")) {
    const tcp = print(await tcpFile(lines, defaults, true))
    const file = print(await fileFile(lines, defaults))
    console.log(JSON.stringify({
      footprint: {
        idle_rss_mb: tcp.idle_rss_mb,
        tcp_file: { lines, peak_rss_mb: tcp.peak_rss_mb, events_per_s: tcp.events_per_s, cpu_s: tcp.cpu_s },
        file_file: { lines, peak_rss_mb: file.peak_rss_mb, events_per_s: file.events_per_s, cpu_s: file.cpu_s }
      }
    }))
    return
  }
  /** Small queues: a quarter of the default sink queue and batch, a quarter of the tcp source's queue. */
  const small: Settings = { label: "small", engine: { queue_events: 4096, batch_events: 2048 }, tcp: { queue_events: 1024, batch_events: 1024 } }
  for (const settings of [defaults, small]) {
    for (const n of [1_000_000, 4_000_000, 16_000_000]) {
      print(await tcpFile(n, settings, false))
      print(await fileFile(n, settings))
    }
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main(process.argv.slice(2))
