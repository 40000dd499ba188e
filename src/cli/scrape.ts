/**
 * `Scrape`: reads a metrics endpoint — `GET` the Prometheus text (0.0.4) and parse its samples —
 * for `wpc top`.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as http from "node:http"
import { SourceError, type SourceUvs } from "../errors/source.js"
import * as NodeBuiltins from "../platform/node-builtins.js"

/** One sample line: its name, its labels and its value. */
export interface Sample {
  readonly name: string
  readonly labels: { readonly [label: string]: string }
  readonly value: number
}

const unescape = (s: string): string => s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c))

const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy

/** The labels of `{a="1",b="2"}`'s inside, or undefined when it is not such a list. */
const parseLabels = (text: string): { [label: string]: string } | undefined => {
  const labels: { [label: string]: string } = {}
  labelPair.lastIndex = 0
  let at = 0
  while (at < text.length) {
    labelPair.lastIndex = at
    const m = labelPair.exec(text)
    if (m === null) return undefined
    labels[m[1]!] = unescape(m[2]!)
    at = labelPair.lastIndex
  }
  return labels
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/

const value = (text: string): number =>
  text === "+Inf" ? Infinity : text === "-Inf" ? -Infinity : text === "NaN" ? NaN : Number(text)

/** The samples of a text exposition; comments, blank lines and lines that are not samples are skipped. */
export const parse = (text: string): Array<Sample> => {
  const samples: Array<Sample> = []
  for (const line of text.split("\n")) {
    if (line.length === 0 || line.startsWith("#")) continue
    const m = sampleLine.exec(line)
    if (m === null) continue
    const labels = m[2] === undefined ? {} : parseLabels(m[2])
    if (labels === undefined) continue
    samples.push({ name: m[1]!, labels, value: value(m[3]!) })
  }
  return samples
}

/** The body of `GET url`; a refused connection, a timeout or a status other than 200 is a `NetworkError` (202) naming the URL. */
export const fetchText = (url: string, timeoutMillis = 5000): Effect.Effect<string, SourceUvs> =>
  Effect.async<string, SourceUvs>((resume) => {
    const fail = (why: string, cause?: unknown) => resume(Effect.fail(SourceError.network(`cannot read ${url}: ${why}`, cause)))
    const req = (url.startsWith("https:") ? NodeBuiltins.https() : http).get(url, { agent: false, timeout: timeoutMillis }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (body += chunk))
      res.on("error", (e) => fail(e.message, e))
      res.on("end", () => {
        if (res.statusCode === 200) resume(Effect.succeed(body))
        else fail(`HTTP ${res.statusCode ?? 0}`)
      })
    })
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMillis} ms`)))
    req.on("error", (e: NodeJS.ErrnoException) => fail(e.code === "ECONNREFUSED" ? "connection refused (is wpc run serving metrics there?)" : e.message, e))
    return Effect.sync(() => req.destroy())
  })

/** `GET url`, parsed. */
export const scrape = (url: string): Effect.Effect<Array<Sample>, SourceUvs> => Effect.map(fetchText(url), parse)
