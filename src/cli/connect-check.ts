/**
 * `ConnectCheck`: `wpc check --connect` — once the project validated, every enabled source and every
 * sink is reached as its kind is, with its resolved params, then let go, without
 * reading or writing data: a TCP connect (tcp, syslog over TCP), a ping (redis `PING`, the NATS
 * `INFO` greeting, the MySQL handshake, the PostgreSQL `SSLRequest` answer, ClickHouse `/ping`), an
 * HTTP request answered with whatever status (http, VictoriaMetrics `/health`), a bind of the address a
 * listening source would serve on, a file readable (file source) or writable (file sink). memory and
 * blackhole have nothing to reach; UDP has no connection to check and custom kinds no probe: those
 * are `skipped`. A failure carries the coded error of its side (`SourceUvs`/`SinkUvs`).
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import * as path from "node:path"
import type { ParamMap } from "../config/param.js"
import { SinkError } from "../errors/sink.js"
import { SourceError } from "../errors/source.js"
import { UnifiedReason } from "../errors/unified.js"
import type { ResolvedProject } from "../project/project.js"
import * as Probe from "./probe.js"

/** How one connector's check ended. */
export type Status = "ok" | "failed" | "skipped"

/** The check of one source or sink: what it reached, and how that went. */
export interface Result {
  readonly component: "source" | "sink"
  /** The source key, or the sink as `group/name`. */
  readonly name: string
  readonly kind: string
  readonly status: Status
  /** What was checked (ok, skipped), or the coded error's message (failed). */
  readonly detail: string
  /** The code of the error when it failed. */
  readonly code?: number | undefined
}

/** How long a probe may wait for a connection or an answer, unless the params say (`connect_timeout_ms`). */
export const defaultTimeoutMillis = 3000

/** A connector's resolved params, read field by field. */
export type Params = { readonly [key: string]: unknown }

const str = (p: Params, key: string, fallback: string): string => {
  const v = p[key]
  return typeof v === "string" ? v : fallback
}

const num = (p: Params, key: string, fallback: number): number => {
  const v = p[key]
  return typeof v === "number" ? v : fallback
}

/** `host:port` (IPv6 in brackets) as host and port. */
const hostPort = (endpoint: string): { readonly host: string; readonly port: number } => {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(endpoint)
  return { host: m?.[1] ?? m?.[2] ?? endpoint, port: Number(m?.[3] ?? 0) }
}

/** `text` as a URL, or a `ValidationError` naming the param `key`. */
const url = (text: string, key: string): Effect.Effect<URL, UnifiedReason> =>
  URL.canParse(text) ? Effect.succeed(new URL(text)) : Effect.fail(UnifiedReason.validation(`params.${key}: ${JSON.stringify(text)} is not a URL`))

/** What a probe ends with: what it checked (ok), or why it was skipped. */
export type Done = { readonly status: "ok" | "skipped"; readonly detail: string }

const ok = (detail: string): Done => ({ status: "ok", detail })
const skipped = (detail: string): Done => ({ status: "skipped", detail })

const pong = (first: Buffer): true | string => {
  const line = first.toString("utf8").split("\r\n")[0] ?? ""
  // NOAUTH: the server is there and asks for credentials, which this check does not send
  return line.startsWith("+PONG") || line.startsWith("-NOAUTH") ? true : `unexpected answer to PING: ${line}`
}

const natsInfo = (first: Buffer): true | string =>
  first.toString("utf8").startsWith("INFO ") ? true : "no NATS INFO greeting"

const mysqlHandshake = (first: Buffer): true | string =>
  first.length > 4 && first[4] === 10
    ? true
    : first.length > 4 && first[4] === 0xff
    ? `refused: ${first.subarray(7).toString("utf8")}`
    : "no MySQL handshake"

/** The PostgreSQL `SSLRequest`: the server answers one byte, `S` or `N`, before authentication starts. */
const sslRequest = Uint8Array.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])

const postgresAnswer = (first: Buffer): true | string =>
  first[0] === 0x53 || first[0] === 0x4e ? true : "no PostgreSQL answer to SSLRequest"

/** The probe of a connector of `kind` on `side` with its resolved params `p`; relative files are under `workRoot`. */
export const probe = (side: "source" | "sink", kind: string, p: Params, workRoot: string): Effect.Effect<Done, UnifiedReason> => {
  const timeout = num(p, "connect_timeout_ms", defaultTimeoutMillis)
  const file = () => path.resolve(workRoot, str(p, "base", "."), str(p, "file", ""))
  switch (kind) {
    case "memory":
    case "blackhole":
      return Effect.succeed(ok("nothing to connect to"))
    case "file":
      return side === "source"
        ? Effect.as(Probe.readable(file()), ok(`${file()} is readable`))
        : Effect.as(Probe.writable(file()), ok(`${file()} can be written`))
    case "tcp":
    case "syslog":
    case "http": {
      const host = str(p, "addr", "127.0.0.1")
      const port = num(p, "port", 0)
      if (kind === "syslog" && str(p, "protocol", "udp") === "udp") return Effect.succeed(skipped("udp: no connection to check"))
      if (side === "source") return Effect.as(Probe.canListen(host, port), ok(`can listen on ${host}:${port}`))
      if (kind !== "http") return Effect.as(Probe.tcp(host, port, timeout), ok(`connected to ${host}:${port}`))
      const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}${str(p, "path", "/")}`
      return Effect.map(Probe.httpStatus(url, "HEAD", timeout), (status) => ok(`HEAD ${url}: HTTP ${status}`))
    }
    case "redis": {
      const host = str(p, "host", "127.0.0.1")
      const port = num(p, "port", 6379)
      return Effect.as(Probe.tcp(host, port, timeout, { send: Buffer.from("PING\r\n"), answer: pong }), ok(`PING ${host}:${port}`))
    }
    case "nats": {
      const servers = str(p, "servers", "nats://127.0.0.1:4222").split(",").map((s) => s.trim())
      // the client takes the first server that answers: one is enough
      return Effect.firstSuccessOf(servers.map((s) =>
        Effect.flatMap(url(s, "servers"), (u) => {
          const host = u.hostname.replace(/^\[|\]$/g, "")
          const port = Number(u.port === "" ? 4222 : u.port)
          return Effect.as(Probe.tcp(host, port, timeout, { answer: natsInfo }), ok(`NATS INFO from ${host}:${port}`))
        })
      ))
    }
    case "mysql":
    case "postgres": {
      const { host, port } = hostPort(str(p, "endpoint", kind === "mysql" ? "127.0.0.1:3306" : "127.0.0.1:5432"))
      return kind === "mysql"
        ? Effect.as(Probe.tcp(host, port, timeout, { answer: mysqlHandshake }), ok(`MySQL handshake from ${host}:${port}`))
        : Effect.as(Probe.tcp(host, port, timeout, { send: sslRequest, answer: postgresAnswer }), ok(`PostgreSQL answer from ${host}:${port}`))
    }
    case "clickhouse": {
      const url = `${str(p, "endpoint", "http://127.0.0.1:8123").replace(/\/+$/, "")}/ping`
      return Effect.flatMap(Probe.httpStatus(url, "GET", timeout), (status) =>
        status === 200 ? Effect.succeed(ok(`GET ${url}: HTTP 200`)) : Effect.fail(UnifiedReason.network(`${url}: HTTP ${status}`)))
    }
    case "victoriametrics":
      return Effect.flatMap(url(str(p, "insert_url", "http://127.0.0.1:8428/"), "insert_url"), (u) => {
        const health = `${u.origin}/health`
        return Effect.map(Probe.httpStatus(health, "GET", timeout), (status) => ok(`GET ${health}: HTTP ${status}`))
      })
    default:
      return Effect.succeed(skipped(`no connection check for kind "${kind}"`))
  }
}

/** One connector to check: its side, name, kind and params. */
interface Target {
  readonly component: "source" | "sink"
  readonly name: string
  readonly kind: string
  readonly params: ParamMap
}

/** A failed check: the coded error's message and code. */
const failed = (
  base: Pick<Result, "component" | "name" | "kind">,
  error: { readonly message: string; readonly code: number }
): Result => ({ ...base, status: "failed", detail: error.message, code: error.code })

/** Probes `target` with its params (the project merged its kind's defaults in); never fails: the result says how it went. */
const checkOne = (target: Target, workRoot: string): Effect.Effect<Result> =>
  Effect.map(Effect.either(probe(target.component, target.kind, target.params, workRoot)), (outcome) => {
    const base = { component: target.component, name: target.name, kind: target.kind }
    if (Either.isRight(outcome)) return { ...base, ...outcome.right }
    return failed(base, target.component === "source" ? SourceError.uvs(outcome.left) : SinkError.uvs(outcome.left))
  })

/**
 * Checks every enabled source and every sink of `project` (a few at a time), in the project's order.
 * Nothing is read or written: each connection is closed as soon as it answered.
 */
export const check = (project: ResolvedProject): Effect.Effect<ReadonlyArray<Result>> => {
  const targets: Array<Target> = [
    ...project.sources.filter((s) => s.enabled).map((s): Target => ({
      component: "source",
      name: s.spec.name,
      kind: s.spec.kind,
      params: s.spec.params
    })),
    ...project.sinkGroups.flatMap((g) =>
      g.sinks.map((s): Target => ({ component: "sink", name: `${g.name}/${s.spec.name}`, kind: s.spec.kind, params: s.spec.params }))
    )
  ]
  return Effect.forEach(targets, (t) => checkOne(t, project.workRoot), { concurrency: 4 })
}

/** `true` when some check failed. */
export const anyFailed = (results: ReadonlyArray<Result>): boolean => results.some((r) => r.status === "failed")
