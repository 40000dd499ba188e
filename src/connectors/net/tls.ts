/**
 * `Tls`: the `tls` params table every connector that crosses a machine shares — `ServerTls` for the
 * listeners (`tcp`, `syslog` over TCP, `http` sources), `ClientTls` for what connects to a server (the
 * `tcp` and `syslog` sinks, `nats`, `redis`, the storage sinks) — turned into `node:tls` options at
 * build time (the PEM files are read then: a missing or bad file is a `ConfigError` naming the param and
 * the path), and what a refused certificate looks like once connected (`failure`: never retryable).
 *
 * @since 0.3.0
 */
import * as fs from "node:fs"
import * as net from "node:net"
import type * as tls from "node:tls"
import { Effect, Schema } from "effect"
import * as SecretParam from "../../config/secret-param.js"
import { ConfigError } from "../../errors/config.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** The oldest TLS version accepted. */
export const MinVersion = Schema.Literal("TLSv1.2", "TLSv1.3").annotations({ description: `"TLSv1.2" or "TLSv1.3"` })

/** A path to a PEM file (read at build time). */
export const PemPath = Schema.NonEmptyTrimmedString.annotations({ description: "a path to a PEM file" })

/** `none`: no client certificate asked; `request`: asked, checked against `ca` when sent; `require`: mutual TLS. */
export const ClientAuth = Schema.Literal("none", "request", "require").annotations({ description: `"none", "request" or "require"` })

/** The passphrase of an encrypted `key`; `wpc` prints it as `***`. */
const passphrase = Schema.optional(SecretParam.secret(Schema.NonEmptyString))

/**
 * A listener's `tls` table: serve TLS with `cert` and `key` (PEM; `passphrase` for an encrypted key),
 * check client certificates against `ca` as `client_auth` says (`"require"`: mutual TLS), refuse
 * versions older than `min_version`. `enabled = false` keeps the table but serves plain TCP.
 */
export const ServerTls = Schema.Struct({
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  cert: PemPath,
  key: PemPath,
  passphrase,
  ca: Schema.optional(PemPath),
  client_auth: Schema.optionalWith(ClientAuth, { default: () => "none" as const }),
  min_version: Schema.optionalWith(MinVersion, { default: () => "TLSv1.2" as const })
}).pipe(Schema.filter((t) =>
  t.client_auth === "none" || t.ca !== undefined
    ? undefined
    : { path: ["ca"], message: `client_auth = "${t.client_auth}" checks client certificates against ca: set tls.ca` }
))

/** Decoded `ServerTls`. */
export type ServerTls = typeof ServerTls.Type

/**
 * A client's `tls` table: connect with TLS, trusting `ca` (PEM; Node's default CAs without it), with the
 * client certificate `cert`/`key` (both or neither; `passphrase` for an encrypted key), checking that the
 * server's certificate names `server_name` (default: the host connected to) unless
 * `verify_server_name = false` (logged as a warning at build), refusing versions older than
 * `min_version`. The chain is always checked. `enabled = false` keeps the table but connects in plain.
 */
export const ClientTls = Schema.Struct({
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  ca: Schema.optional(PemPath),
  cert: Schema.optional(PemPath),
  key: Schema.optional(PemPath),
  passphrase,
  server_name: Schema.optional(Schema.NonEmptyTrimmedString),
  verify_server_name: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  min_version: Schema.optionalWith(MinVersion, { default: () => "TLSv1.2" as const })
}).pipe(Schema.filter((t) =>
  (t.cert === undefined) === (t.key === undefined)
    ? undefined
    : { path: [t.cert === undefined ? "cert" : "key"], message: "a client certificate needs both tls.cert and tls.key" }
))

/** Decoded `ClientTls`. */
export type ClientTls = typeof ClientTls.Type

/** The `tls` param of a listener, to spread into its params Struct (absent: plain TCP). */
export const serverFields = { tls: Schema.optional(ServerTls) }

/** The `tls` param of a client, to spread into its params Struct (absent: plain TCP). */
export const clientFields = { tls: Schema.optional(ClientTls) }

/** The `ConfigError` of a `tls` table on a UDP listener or sender (`who`): TLS needs TCP. */
export const udpRefused = (who: string): Effect.Effect<never, ConfigError> =>
  Effect.fail(new ConfigError({ detail: `${who}: tls needs protocol = "tcp" (TLS runs over TCP, not UDP)`, path: "params.tls", expected: `protocol = "tcp", or no tls table` }))

/**
 * `Tls.clientOptions` of an HTTP client's `tls` table for `endpoint`: a `tls` table (enabled) on an
 * `http:` endpoint is a `ConfigError` naming `param` (TLS needs `https:`).
 */
export const httpsOptions = (params: ClientTls | undefined, endpoint: URL, param: string, who: string): Effect.Effect<ClientOptions | undefined, ConfigError> =>
  params?.enabled === true && endpoint.protocol !== "https:"
    ? Effect.fail(new ConfigError({ detail: `${who}: tls needs an https: ${param}, got ${endpoint.protocol}//${endpoint.host}`, path: `params.${param}`, expected: "an https:// URL, or no tls table" }))
    : clientOptions(params, who)

/** Reads the PEM file of `params.tls.<key>` for `who`; a missing or unreadable file, or one without a PEM block, is a `ConfigError` naming both. */
const readPem = (who: string, key: string, file: string): Effect.Effect<string, ConfigError> =>
  Effect.flatMap(
    Effect.try({
      try: () => fs.readFileSync(file, "latin1"),
      catch: (cause) =>
        new ConfigError({
          detail: `${who}: cannot read tls.${key} ${JSON.stringify(file)}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
          path: `params.tls.${key}`,
          expected: "a readable PEM file",
          cause
        })
    }),
    (pem) =>
      pem.includes("-----BEGIN ")
        ? Effect.succeed(pem)
        : Effect.fail(
          new ConfigError({ detail: `${who}: tls.${key} ${JSON.stringify(file)} holds no PEM block`, path: `params.tls.${key}`, expected: "a PEM file (-----BEGIN ...)" })
        )
  )

/** The param a failed `createSecureContext` is about: a wrong passphrase, a key that is not the certificate's, or the pair. */
const contextProblem = (cause: unknown): { readonly path: string; readonly expected: string } => {
  const code = (cause as NodeJS.ErrnoException).code ?? ""
  if (code === "ERR_OSSL_BAD_DECRYPT") return { path: "params.tls.passphrase", expected: "the passphrase of the encrypted tls.key" }
  if (code === "ERR_OSSL_X509_KEY_VALUES_MISMATCH") return { path: "params.tls.key", expected: "the private key of tls.cert" }
  return { path: "params.tls.cert", expected: "a PEM certificate in tls.cert and its PEM private key in tls.key" }
}

/** Checks that `options` make a secure context (the key opens with the passphrase and matches the certificate). */
const checkContext = <O extends tls.SecureContextOptions>(who: string, options: O): Effect.Effect<O, ConfigError> =>
  Effect.try({
    try: () => {
      NodeBuiltins.tls().createSecureContext(options)
      return options
    },
    catch: (cause) =>
      new ConfigError({
        detail: `${who}: the TLS certificate and key cannot be used: ${cause instanceof Error ? cause.message : String(cause)}`,
        ...contextProblem(cause),
        cause
      })
  })

/** The PEM of `file` for `key`, or nothing when the param is not set. */
const optionalPem = (who: string, key: string, file: string | undefined): Effect.Effect<{ readonly [k: string]: string }, ConfigError> =>
  file === undefined ? Effect.succeed({}) : Effect.map(readPem(who, key, file), (pem) => ({ [key]: pem }))

/** A listener's TLS: the `tls.createServer` options, and which client certificates it demands. */
export interface Server {
  readonly options: tls.TlsOptions
  readonly clientAuth: ServerTls["client_auth"]
}

/**
 * The TLS of a listener's `tls` table (`undefined` when absent or disabled), files read now: a missing
 * file, a file without PEM, a wrong passphrase or a key that is not the certificate's is a `ConfigError`
 * naming the param. `who` starts messages (`"tcp source web"`). Client certificates are asked for but
 * checked by `refusedClient` once the handshake is done, so that every refusal is counted and logged
 * (Node's own check drops such a client silently).
 */
export const serverOptions = (params: ServerTls | undefined, who: string): Effect.Effect<Server | undefined, ConfigError> =>
  params === undefined || !params.enabled ? Effect.succeed(undefined) : Effect.gen(function*() {
    const cert = yield* readPem(who, "cert", params.cert)
    const key = yield* readPem(who, "key", params.key)
    const ca = yield* optionalPem(who, "ca", params.ca)
    const options = yield* checkContext(who, {
      cert,
      key,
      ...ca,
      ...(params.passphrase === undefined ? {} : { passphrase: params.passphrase }),
      minVersion: params.min_version,
      requestCert: params.client_auth !== "none",
      rejectUnauthorized: false
    } satisfies tls.TlsOptions)
    return { options, clientAuth: params.client_auth }
  })

/**
 * Why `server` refuses the client of `socket` (a secured connection), or `undefined`: with `client_auth =
 * "require"` a client must present a certificate the `ca` signed (valid now); with `"request"` one it
 * presents must be.
 */
export const refusedClient = (server: Server, socket: tls.TLSSocket): string | undefined => {
  if (server.clientAuth === "none" || socket.authorized) return undefined
  const cert = socket.getPeerCertificate()
  const presented = cert !== null && Object.keys(cert).length > 0
  if (!presented) return server.clientAuth === "require" ? `no client certificate (client_auth = "require")` : undefined
  return `client certificate refused (${String(socket.authorizationError)})`
}

/** Accepts every server name: what `verify_server_name = false` installs (the chain is still checked). */
const everyServerName = (): undefined => undefined

/** What `clientOptions` gives: `tls.connect` options with the PEMs as text, which every client library takes (nats, ioredis, pg, mysql2). */
export interface ClientOptions extends tls.ConnectionOptions {
  ca?: string
  cert?: string
  key?: string
}

/**
 * The `tls.connect` options of a client's `tls` table (`undefined` when absent or disabled), files read
 * now (errors as `serverOptions`'). `verify_server_name = false` logs a warning naming `who`.
 */
export const clientOptions = (params: ClientTls | undefined, who: string): Effect.Effect<ClientOptions | undefined, ConfigError> =>
  params === undefined || !params.enabled ? Effect.succeed(undefined) : Effect.gen(function*() {
    const ca = yield* optionalPem(who, "ca", params.ca)
    const cert = yield* optionalPem(who, "cert", params.cert)
    const key = yield* optionalPem(who, "key", params.key)
    if (!params.verify_server_name) {
      yield* Effect.logWarning(`${who}: TLS server-name check is OFF (params.tls.verify_server_name = false): every certificate of a trusted CA is accepted`)
    }
    return yield* checkContext(who, {
      ...ca,
      ...cert,
      ...key,
      ...(params.passphrase === undefined ? {} : { passphrase: params.passphrase }),
      ...(params.server_name === undefined ? {} : { servername: params.server_name }),
      ...(params.verify_server_name ? {} : { checkServerIdentity: everyServerName }),
      minVersion: params.min_version,
      rejectUnauthorized: true
    } satisfies ClientOptions)
  })

/** What each refusal of a certificate means, by the code Node or OpenSSL gives it. */
const meanings: ReadonlyArray<readonly [RegExp, string]> = [
  [/^CERT_HAS_EXPIRED$/, "the server's certificate has expired"],
  [/^CERT_NOT_YET_VALID$/, "the server's certificate is not valid yet"],
  [/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED)$/,
    "the server's certificate is not signed by a trusted CA (check params.tls.ca)"],
  [/^ERR_TLS_CERT_ALTNAME_INVALID$/, "the server's certificate does not name the host (set params.tls.server_name to a name it has)"],
  [/ALERT_CERTIFICATE_EXPIRED$/, "the server refused the client certificate: expired (check params.tls.cert)"],
  [/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)$/, "the server refused the client certificate (check params.tls.cert, params.tls.key)"],
  [/ALERT_CERTIFICATE_REQUIRED$/, "the server requires a client certificate (set params.tls.cert and params.tls.key)"],
  [/ALERT_HANDSHAKE_FAILURE$/, "the server refused the handshake (does it require a client certificate? check params.tls.cert, params.tls.key)"],
  [/^ERR_SSL_WRONG_VERSION_NUMBER$/, "the server does not speak TLS here (or not this version: check params.tls.min_version)"],
  [/ALERT_PROTOCOL_VERSION$|UNSUPPORTED_PROTOCOL$/, "no TLS version both sides accept (check params.tls.min_version)"],
  [/^ERR_SSL_|^ERR_TLS_|^ERR_OSSL_/, "the TLS handshake failed"]
]

/** The code of `u` or of an error it wraps (`cause`, nats' `chainedError`), when one is a TLS refusal. */
const tlsCode = (u: unknown, depth = 0): string | undefined => {
  if (typeof u !== "object" || u === null || depth > 4) return undefined
  const code = (u as { readonly code?: unknown }).code
  if (typeof code === "string" && meanings.some(([pattern]) => pattern.test(code))) return code
  return tlsCode((u as { readonly cause?: unknown }).cause, depth + 1) ??
    tlsCode((u as { readonly chainedError?: unknown }).chainedError, depth + 1)
}

/**
 * What went wrong when `u` (a connect's or a write's failure) is a TLS refusal — a certificate refused
 * by either side, a name mismatch, no common version, a peer not speaking TLS — as
 * `"TLS: <meaning> (<code>)"`; `undefined` for anything else. Such a failure does not clear by retrying.
 */
export const failure = (u: unknown): string | undefined => {
  const code = tlsCode(u)
  if (code === undefined) return undefined
  const meaning = meanings.find(([pattern]) => pattern.test(code))![1]
  return `TLS: ${meaning} (${code})`
}

/** How long `diagnose` waits for its handshake. */
const diagnoseMs = 5000

/**
 * The error of a TLS server at `host:port` refusing a client with `options` (one `failure` describes),
 * found by one handshake limited to TLS 1.2 (unless `min_version` demands 1.3), or `undefined` when it
 * does not refuse (or cannot be reached).
 * With TLS 1.3 a server refuses a client certificate only after the client's side of the handshake is
 * done, and a client that already wrote may see a mere reset or a silent connection instead of the
 * server's alert; in 1.2 the alert ends the handshake itself. `greeting`: the server speaks first, one
 * line (nats' `INFO`), before the TLS upgrade. Used once a connect failed in a way that says nothing.
 */
export const diagnose = (host: string, port: number, options: ClientOptions, greeting: "none" | "line"): Effect.Effect<Error | undefined> =>
  Effect.async<Error | undefined>((resume) => {
    const raw = net.connect({ host, port })
    let secure: tls.TLSSocket | undefined
    let settled = false
    const close = () => {
      clearTimeout(timer)
      // the TLS socket owns the raw one once it wraps it: destroying the raw one under it crashes Node 20 (SIGSEGV)
      if (secure === undefined) raw.destroy()
      else secure.destroy()
    }
    const done = (why: Error | undefined) => {
      if (settled) return
      settled = true
      close()
      resume(Effect.succeed(why))
    }
    const timer = setTimeout(() => done(undefined), diagnoseMs)
    const upgrade = () => {
      const tls12 = options.minVersion === "TLSv1.3" ? {} : { maxVersion: "TLSv1.2" as const }
      const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined)
      secure = NodeBuiltins.tls().connect({ ...options, ...tls12, socket: raw, ...(servername === undefined ? {} : { servername }) })
      secure.once("secureConnect", () => done(undefined))
      secure.on("error", (error) => done(failure(error) === undefined ? undefined : error))
    }
    raw.on("error", () => done(undefined))
    if (greeting === "none") raw.once("connect", upgrade)
    else {
      let seen = ""
      const onData = (chunk: Buffer) => {
        seen += chunk.toString("latin1")
        if (!seen.includes("\n")) return
        raw.off("data", onData)
        raw.pause()
        upgrade()
      }
      raw.on("data", onData)
    }
    return Effect.sync(close)
  })
