/**
 * `Probe`: the checks `wpc check --connect` makes, each without reading or writing data — a TCP
 * connect (optionally with a greeting exchange: a ping), an HTTP request answered with whatever status,
 * a bind of a listening address, a file readable, a directory writable. A failure is the
 * `UnifiedReason` that says why (network, timeout, not found, permission, resource).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import * as path from "node:path"
import { UnifiedReason } from "../errors/unified.js"
import * as NodeBuiltins from "../platform/node-builtins.js"

/** `host:port`, IPv6 hosts in brackets. */
const at = (host: string, port: number): string => `${host.includes(":") ? `[${host}]` : host}:${port}`

/** The reason of a socket error `e` met while reaching `where`. */
const reasonOf = (e: NodeJS.ErrnoException, where: string): UnifiedReason => {
  switch (e.code) {
    case "ECONNREFUSED":
      return UnifiedReason.network(`${where}: connection refused`)
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return UnifiedReason.network(`${where}: host not found`)
    case "ETIMEDOUT":
      return UnifiedReason.timeout(`${where}: timed out`)
    case "EADDRINUSE":
      return UnifiedReason.resource(`${where}: address already in use`)
    case "EADDRNOTAVAIL":
      return UnifiedReason.network(`${where}: address not available on this machine`)
    case "EACCES":
    case "EPERM":
      return UnifiedReason.permission(`${where}: permission denied`)
    default:
      return UnifiedReason.network(`${where}: ${e.message}`)
  }
}

/** What a TCP probe sends once connected, and how it reads the first bytes the server sends. */
export interface Greeting {
  /** Bytes to send once connected (none: only listen for the server's greeting). */
  readonly send?: Uint8Array | undefined
  /** Whether the first bytes received are the server's expected answer; a text is why not. */
  readonly answer: (first: Buffer) => true | string
}

/**
 * Connects to `host:port` and closes; with a `greeting`, sends its bytes and checks the first bytes
 * the server answers. Refused, unknown host, no answer within `timeoutMillis`: the reason.
 */
export const tcp = (host: string, port: number, timeoutMillis: number, greeting?: Greeting): Effect.Effect<void, UnifiedReason> =>
  Effect.async<void, UnifiedReason>((resume) => {
    const where = at(host, port)
    const socket = net.connect({ host, port })
    const end = (outcome: Effect.Effect<void, UnifiedReason>) => {
      clearTimeout(timer)
      socket.destroy()
      resume(outcome)
    }
    const timer = setTimeout(
      () => end(Effect.fail(UnifiedReason.timeout(`${where}: no ${socket.connecting ? "connection" : "answer"} within ${timeoutMillis} ms`))),
      timeoutMillis
    )
    socket.once("error", (e: NodeJS.ErrnoException) => end(Effect.fail(reasonOf(e, where))))
    socket.once("connect", () => {
      if (greeting === undefined) return end(Effect.void)
      if (greeting.send !== undefined) socket.write(greeting.send)
    })
    socket.once("data", (first: Buffer) => {
      const ok = greeting?.answer(first) ?? true
      end(ok === true ? Effect.void : Effect.fail(UnifiedReason.network(`${where}: ${ok}`)))
    })
    socket.once("end", () => end(Effect.fail(UnifiedReason.network(`${where}: closed the connection without answering`))))
    return Effect.sync(() => {
      clearTimeout(timer)
      socket.destroy()
    })
  })

/** Sends `method url` and reads the status: an HTTP answer, whatever its status, means the server is there. */
export const httpStatus = (url: string, method: string, timeoutMillis: number): Effect.Effect<number, UnifiedReason> =>
  Effect.async<number, UnifiedReason>((resume) => {
    const where = url
    const get = url.startsWith("https:") ? NodeBuiltins.https().request : http.request
    const req = get(url, { method, agent: false, timeout: timeoutMillis }, (res) => {
      res.resume()
      req.destroy()
      resume(Effect.succeed(res.statusCode ?? 0))
    })
    req.on("timeout", () => {
      req.destroy()
      resume(Effect.fail(UnifiedReason.timeout(`${where}: no answer within ${timeoutMillis} ms`)))
    })
    req.on("error", (e: NodeJS.ErrnoException) => resume(Effect.fail(reasonOf(e, where))))
    req.end()
    return Effect.sync(() => req.destroy())
  })

/** Binds `host:port` (TCP) and closes at once: whether a listening source could start there. */
export const canListen = (host: string, port: number): Effect.Effect<void, UnifiedReason> =>
  Effect.async<void, UnifiedReason>((resume) => {
    const server = net.createServer()
    server.once("error", (e: NodeJS.ErrnoException) => resume(Effect.fail(reasonOf(e, `listen on ${at(host, port)}`))))
    server.listen({ host, port, exclusive: true }, () => server.close(() => resume(Effect.void)))
    return Effect.sync(() => {
      if (server.listening) server.close()
    })
  })

/** The reason of a file-system error `e` on `file`. */
const fsReason = (e: NodeJS.ErrnoException, file: string, what: string): UnifiedReason =>
  e.code === "ENOENT"
    ? UnifiedReason.notFound(`${file}: no such ${what}`)
    : e.code === "EACCES" || e.code === "EPERM"
    ? UnifiedReason.permission(`${file}: permission denied`)
    : UnifiedReason.system(`${file}: ${e.message}`)

/** `file` exists and can be read. */
export const readable = (file: string): Effect.Effect<void, UnifiedReason> =>
  Effect.async<void, UnifiedReason>((resume) => {
    fs.access(file, fs.constants.R_OK, (e) => resume(e === null ? Effect.void : Effect.fail(fsReason(e, file, "file"))))
  })

/** The nearest directory of `file` that exists: where its missing directories would be created. */
const existingDir = (dir: string): string => {
  let d = dir
  while (!fs.existsSync(d) && path.dirname(d) !== d) d = path.dirname(d)
  return d
}

/** `file` can be written: it is writable if it exists, else its nearest existing directory is. */
export const writable = (file: string): Effect.Effect<void, UnifiedReason> =>
  Effect.async<void, UnifiedReason>((resume) => {
    const target = fs.existsSync(file) ? file : existingDir(path.dirname(file))
    fs.access(target, fs.constants.W_OK, (e) => resume(e === null ? Effect.void : Effect.fail(fsReason(e, target, "directory"))))
  })
