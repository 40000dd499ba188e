/**
 * Fixtures of the scale-out tests: a `wpc` project whose one source is a broker connector and whose
 * sink is a file, run as real `wpc run` processes; and what those processes wrote.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import { wpcMain } from "../js-build.js"

const repo = path.join(import.meta.dirname, "..", "..")

/** The file sink's output in a project written by `writeProject`. */
export const outputOf = (dir: string) => path.join(dir, "data", "out", "events.log")

/** A connector of a project written by `writeProject`: its kind and its params as TOML lines. */
export interface Connector {
  readonly kind: string
  readonly params: string
}

/** The default sink of `writeProject`: raw lines in `data/out/events.log`. */
export const fileSink: Connector = { kind: "file", params: `base = "data/out"\nfile = "events.log"\nfmt = "raw"` }

/**
 * Writes a project in `dir`: one source `events` of connector `source`, and one sink group writing to
 * `sink` (default: the file `data/out/events.log`), each sink at most `rateLimitRps` events/s (0: unlimited).
 */
export const writeProject = (
  dir: string,
  options: { readonly source: Connector; readonly sink?: Connector; readonly rateLimitRps?: number }
): void => {
  const sink = options.sink ?? fileSink
  const files: Record<string, string> = {
    "connectors/source.d/in.toml": `[[connectors]]\nid = "in"\ntype = "${options.source.kind}"\n\n[connectors.params]\n${options.source.params}\n`,
    "connectors/sink.d/out.toml": `[[connectors]]\nid = "out"\ntype = "${sink.kind}"\n\n[connectors.params]\n${sink.params}\n`,
    "topology/sources/in.toml": `[[sources]]\nkey = "events"\nconnect = "in"\n`,
    "topology/sinks/all.toml":
      `[sink_group]\nname = "all"\nrate_limit_rps = ${options.rateLimitRps ?? 0}\n\n[[sink_group.sinks]]\nname = "out"\nconnect = "out"\n`
  }
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fs.writeFileSync(path.join(dir, file), text)
  }
}

/** A `wpc run` process: its child, its exit (code or signal), and what it printed. */
export interface Run {
  readonly child: ChildProcess
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly stdout: () => string
  readonly stderr: () => string
}

/**
 * Starts `wpc run --work-root dir --json` (with `env` added; a progress line every `progressSeconds` on
 * stderr, 0: none); SIGKILLed when the Scope closes if it is still running.
 */
export const startRun = (dir: string, env: Record<string, string> = {}, progressSeconds = 0): Effect.Effect<Run, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, [wpcMain, "run", "--work-root", dir, "--progress", String(progressSeconds), "--json"], {
        cwd: repo,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let out = ""
      let err = ""
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()))
      child.stderr!.on("data", (d: Buffer) => (err += d.toString()))
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal }))
      )
      return { child, exited, stdout: () => out, stderr: () => err }
    }),
    (run) =>
      Effect.promise(() => {
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL")
        return run.exited
      })
  )

/** Whether `run` printed a progress line, so its sources are built and reading (needs `progressSeconds` > 0). */
export const isRunning = (run: Run): boolean => run.stderr().includes(" in=")

/** The complete lines of `file` (a last line without its newline, cut by a kill, is left out). */
export const completeLines = (file: string): Array<string> => {
  if (!fs.existsSync(file)) return []
  const lines = fs.readFileSync(file, "utf8").split("\n")
  lines.pop()
  return lines
}

/** Polls `condition` every 50 ms until it holds; fails with `what` after `ms`. */
export const waitUntil = (what: string, ms: number, condition: () => boolean): Effect.Effect<void, Error> =>
  Effect.gen(function*() {
    const deadline = Date.now() + ms
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`timed out after ${ms} ms waiting until ${what}`))
      yield* Effect.sleep("50 millis")
    }
  })

/** How many times each line occurs in `lines`. */
export const countLines = (lines: ReadonlyArray<string>): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1)
  return counts
}
