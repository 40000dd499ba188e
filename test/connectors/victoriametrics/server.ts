import * as fs from "node:fs"
import * as http from "node:http"
import * as path from "node:path"
import { Duration, Effect, type Scope } from "effect"
import { findBinary, type ServerProcess, serverProcess } from "../server-process.js"

const binary = findBinary("victoria-metrics", ["/usr/bin/victoria-metrics", "/usr/local/bin/victoria-metrics"])

/** The Debian package that ships the binary. */
const install = "apt-get install -y victoria-metrics"

/** One sample as the export API gives it back. */
export interface Exported {
  readonly name: string
  /** Labels without `__name__`, sorted by name. */
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
  readonly timestamp: number
}

/** A running single-node VictoriaMetrics on 127.0.0.1, its data in a temp dir (`start` after `stop` reopens it). */
export interface VmServer extends ServerProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** `GET path` on the server: status and body. */
  readonly get: (pathAndQuery: string) => Effect.Effect<{ readonly status: number; readonly body: string }, Error>
  /**
   * Every sample of the series `match` selects (a series selector, e.g. `{case="3"}`), sorted by time,
   * then name and labels; read after `/internal/force_flush`, again every 100 ms (for 10 s at most) until
   * there are at least `atLeast`: victoria-metrics 1.79 makes accepted samples searchable within about a
   * second, and its force_flush can miss rows it is converting at that moment (seen: 98304 of 327680).
   */
  readonly samples: (match: string, atLeast?: number) => Effect.Effect<ReadonlyArray<Exported>, Error>
}

/** `true` when `file` is on the PATH (or is a path that exists). */
const onPath = (file: string): boolean =>
  file.includes("/") ? fs.existsSync(file) : (process.env["PATH"] ?? "").split(":").some((dir) => dir !== "" && fs.existsSync(path.join(dir, file)))

/** A plain request, on a connection of its own (no keep-alive left behind). */
const request = (url: string): Effect.Effect<{ readonly status: number; readonly body: string }, Error> =>
  Effect.async((resume) => {
    const req = http.get(url, { agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") })))
      res.on("error", (e) => resume(Effect.fail(e)))
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    return Effect.sync(() => req.destroy())
  })

/** The export API writes infinities and NaN bare (`+Inf`), which JSON has not: they are quoted before parsing. */
const parseExportLine = (line: string): { metric: Record<string, string>; values: Array<number | string>; timestamps: Array<number> } =>
  JSON.parse(line.replace(/"values":\[([^\]]*)\]/, (_, list: string) => `"values":[${list.replace(/([+-]?Inf|NaN)/g, "\"$1\"")}]`))

const numberOf = (v: number | string): number => (typeof v === "number" ? v : v === "+Inf" || v === "Inf" ? Infinity : v === "-Inf" ? -Infinity : NaN)

/** How long `samples` waits for the samples it was told to expect. */
const visibleWithinMs = 10_000

/** The end of every export range: 2100-01-01 (in seconds). */
const exportEnd = 4102444800

const key = (s: Exported): string => `${s.name}${JSON.stringify(s.labels)}`

/**
 * Starts `victoria-metrics` (with `extraArgs` after the others) on a free loopback port in a temp dir (retention 100 years: test samples may
 * carry old timestamps, which the default 1 month would drop without a word); killed and the dir
 * removed when the Scope closes. A missing binary fails with the command that installs it.
 */
export const vmServerWith = (extraArgs: ReadonlyArray<string>): Effect.Effect<VmServer, Error, Scope.Scope> => Effect.gen(function*() {
  if (!onPath(binary)) return yield* Effect.fail(new Error(`cannot find ${binary} (on Debian: ${install})`))
  const server = yield* serverProcess("victoria-metrics", binary, (port, dir) => [
    `-storageDataPath=${dir}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    "-retentionPeriod=100y",
    "-loggerLevel=ERROR",
    ...extraArgs
  ])
  const url = `http://127.0.0.1:${server.port}`
  const get = (pathAndQuery: string) => request(`${url}${pathAndQuery}`)
  const readOnce = (match: string) =>
    Effect.gen(function*() {
      const flushed = yield* get("/internal/force_flush")
      if (flushed.status !== 200) return yield* Effect.fail(new Error(`force_flush answered ${flushed.status}: ${flushed.body}`))
      // the default end of the range leaves out the samples of the last seconds
      const exported = yield* get(`/api/v1/export?match[]=${encodeURIComponent(match)}&start=0&end=${exportEnd}`)
      if (exported.status !== 200) return yield* Effect.fail(new Error(`export answered ${exported.status}: ${exported.body}`))
      const out: Array<Exported> = []
      for (const line of exported.body.split("\n")) {
        if (line.trim() === "") continue
        const { metric, timestamps, values } = parseExportLine(line)
        const { __name__: name = "", ...rest } = metric
        const labels = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        timestamps.forEach((timestamp, i) => out.push({ name, labels, value: numberOf(values[i]!), timestamp }))
      }
      return out.sort((a, b) => a.timestamp - b.timestamp || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    })
  const samples = (match: string, atLeast = 0) =>
    Effect.gen(function*() {
      const deadline = Date.now() + visibleWithinMs
      for (;;) {
        const got = yield* readOnce(match)
        if (got.length >= atLeast || Date.now() > deadline) return got
        yield* Effect.sleep(Duration.millis(100))
      }
    })
  return { ...server, url, get, samples }
})

/** `vmServerWith` no extra flags. */
export const vmServer: Effect.Effect<VmServer, Error, Scope.Scope> = vmServerWith([])
