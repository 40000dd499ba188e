/**
 * Real database servers for the SQL connector tests: MariaDB (`mariadbd` after `mariadb-install-db`)
 * and PostgreSQL 15 (`initdb`, then `postgres`, run as the `postgres` system user because it refuses
 * root), each on a free loopback port with its data in a temp dir. `stop` kills the server's whole
 * process group with SIGKILL (a crash: nothing is flushed or shut down); `start` brings it back on the
 * same port and data. The Scope's end kills it and removes the dir. A missing binary fails with the
 * `apt-get install` that provides it.
 *
 * Durability: a SIGKILL loses nothing the server handed to the kernel, so the servers skip fsync
 * (`innodb_flush_log_at_trx_commit = 2`, `fsync = off`) but write every commit out before answering it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import { freePort } from "../../../src/testkit/ports.js"
import { findBinary, waitForPort } from "../server-process.js"

/** A running database server. */
export interface SqlServer {
  readonly port: number
  readonly dir: string
  /** `127.0.0.1:<port>`, the connectors' `endpoint`. */
  readonly endpoint: string
  /** The database the tests use (created at start). */
  readonly database: string
  /** A user with every right on `database`, and its password. */
  readonly username: string
  readonly password: string
  /** Kills the server's process group (SIGKILL) and waits for it to exit. */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port and data. */
  readonly start: Effect.Effect<void, Error>
}

const mariadbd = findBinary("mariadbd", ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"])
const installDb = findBinary("mariadb-install-db", ["/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"])
const pgBin = (name: string) => findBinary(name, [`/usr/lib/postgresql/15/bin/${name}`, `/usr/lib/postgresql/16/bin/${name}`, `/usr/bin/${name}`])

/** Runs `file` with `args` to the end; fails with its output, or with how to install it when it is missing. */
const run = (file: string, args: ReadonlyArray<string>, hint: string, options: { readonly uid?: number; readonly gid?: number } = {}) =>
  Effect.async<void, Error>((resume) => {
    execFile(file, args, { ...options, maxBuffer: 1 << 22 }, (error, stdout, stderr) => {
      if (error === null) return resume(Effect.void)
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT"
      resume(Effect.fail(new Error(missing ? `cannot run ${file}: not installed (on Debian: ${hint})` : `${file} failed: ${error.message}\n${stdout}\n${stderr}`)))
    })
  })

/** The uid and gid of the system user `name` (from /etc/passwd). */
const userIds = (name: string): { readonly uid: number; readonly gid: number } => {
  const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${name}:`))
  if (line === undefined) throw new Error(`no system user ${name} (on Debian: apt-get install -y postgresql)`)
  const [, , uid, gid] = line.split(":")
  return { uid: Number(uid), gid: Number(gid) }
}

/** Kills `child`'s process group with SIGKILL and waits for `child` to exit. */
const killGroup = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    try {
      process.kill(-child.pid!, "SIGKILL")
    } catch {
      child.kill("SIGKILL")
    }
  })

/**
 * Spawns `binary args` in its own process group (as `ids` when given) and waits until the port accepts
 * connections; fails when it cannot be spawned (how to install it) or exits first.
 */
const launch = (binary: string, args: ReadonlyArray<string>, port: number, hint: string, ids?: { readonly uid: number; readonly gid: number }) =>
  Effect.suspend(() => {
    const child = spawn(binary, args, { stdio: "ignore", detached: true, ...(ids ?? {}) })
    const died = new Promise<Error>((resolve) => {
      child.once("error", (e) => resolve(new Error(`cannot start ${binary}: ${e.message} (on Debian: ${hint})`)))
      child.once("exit", (code, signal) => resolve(new Error(`${binary} exited before it listened (code ${code}, signal ${signal})`)))
    })
    return Effect.as(
      Effect.raceFirst(Effect.interruptible(waitForPort(port)), Effect.interruptible(Effect.flatMap(Effect.promise(() => died), Effect.fail))),
      child
    )
  })

/** Runs `attempt` until it succeeds (every 100 ms, for 20 s): a server that listens may still be starting up. */
const untilReady = (what: string, attempt: () => Promise<void>): Effect.Effect<void, Error> =>
  Effect.tryPromise({
    try: async () => {
      const deadline = Date.now() + 20_000
      for (;;) {
        try {
          return await attempt()
        } catch (error) {
          if (Date.now() > deadline) throw error
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
    },
    catch: (e) => new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`)
  })

/** A fresh temp dir `wpc-<name>-*`, removed when the Scope closes. */
const tempDir = (name: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), `wpc-${name}-`))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

/** Keeps one child at a time: `start` spawns it, `stop` kills its group; the Scope's end kills it. */
const supervise = (spawnOne: Effect.Effect<ChildProcess, Error>) =>
  Effect.gen(function*() {
    let child: ChildProcess | undefined
    const start = Effect.map(spawnOne, (c) => void (child = c))
    const stop = Effect.suspend(() => (child === undefined ? Effect.void : killGroup(child)))
    yield* Effect.acquireRelease(start, () => stop)
    return { start, stop }
  })

const mariadbHint = "apt-get install -y mariadb-server"

/**
 * Starts MariaDB on a free loopback port with a fresh data dir, creates the database `wpc` and the user
 * `wpc` (password `wpc-secret`) with every right on it; `root` logs in over TCP without a password.
 */
export const mariadbServer: Effect.Effect<SqlServer, Error, Scope.Scope> = Effect.gen(function*() {
  const dir = yield* tempDir("mariadb")
  const data = path.join(dir, "data")
  const port = yield* freePort
  const sizing = ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M"]
  yield* run(installDb, [
    "--no-defaults", `--datadir=${data}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve", ...sizing
  ], mariadbHint)
  const args = [
    "--no-defaults", `--datadir=${data}`, `--socket=${path.join(dir, "mysqld.sock")}`, `--port=${port}`, "--bind-address=127.0.0.1",
    "--user=root", `--pid-file=${path.join(dir, "mysqld.pid")}`, `--log-error=${path.join(dir, "error.log")}`, "--skip-name-resolve",
    "--skip-log-bin", "--innodb-flush-log-at-trx-commit=2", "--max-connections=60", ...sizing
  ]
  const { start, stop } = yield* supervise(launch(mariadbd, args, port, mariadbHint))
  const server: SqlServer = { port, dir, endpoint: `127.0.0.1:${port}`, database: "wpc", username: "wpc", password: "wpc-secret", stop, start }
  yield* untilReady("creating the database wpc on MariaDB", async () => {
    const mysql = await import("mysql2/promise")
    const root = await mysql.createConnection({ host: "127.0.0.1", port, user: "root", multipleStatements: true })
    await root.query("CREATE DATABASE wpc CHARACTER SET utf8mb4; CREATE USER 'wpc'@'%' IDENTIFIED BY 'wpc-secret'; GRANT ALL ON wpc.* TO 'wpc'@'%'")
    await root.end()
  })
  return server
})

const postgresHint = "apt-get install -y postgresql"

/**
 * Starts PostgreSQL 15 on a free loopback port with a fresh cluster (owned by the `postgres` system
 * user), and creates the database `wpc` and the login role `wpc` (password `wpc-secret`) owning it;
 * connections over TCP authenticate with scram-sha-256 (the superuser `postgres` too: `wpc-secret`).
 */
export const postgresServer: Effect.Effect<SqlServer, Error, Scope.Scope> = Effect.suspend(() => postgresServerWith({}))

/** `postgresServer`, serving TLS too (`ssl = on`) with `tls.cert`/`tls.key` (copied, as the server wants them: its own, mode 0600). */
export const postgresServerWith = (options: { readonly tls?: { readonly cert: string; readonly key: string } }): Effect.Effect<SqlServer, Error, Scope.Scope> =>
  Effect.gen(function*() {
  const dir = yield* tempDir("postgres")
  const ids = yield* Effect.try({ try: () => userIds("postgres"), catch: (e) => e as Error })
  fs.chownSync(dir, ids.uid, ids.gid)
  const data = path.join(dir, "data")
  const pwfile = path.join(dir, "pw")
  fs.writeFileSync(pwfile, "wpc-secret\n")
  fs.chownSync(pwfile, ids.uid, ids.gid)
  const port = yield* freePort
  yield* run(pgBin("initdb"), [
    "-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"
  ], postgresHint, ids)
  const args = [
    "-D", data, "-k", dir, "-p", String(port), "-h", "127.0.0.1",
    "-c", "fsync=off", "-c", "shared_buffers=32MB", "-c", "max_connections=60", "-c", "logging_collector=off",
    ...(options.tls === undefined ? [] : serverTls(dir, options.tls, ids))
  ]
  const { start, stop } = yield* supervise(launch(pgBin("postgres"), args, port, postgresHint, ids))
  // after a crash the server listens while it recovers, refusing connections until it is done
  const accepting = untilReady("PostgreSQL accepts connections", async () => {
    const pg = await import("pg")
    const probe = new pg.default.Client({ host: "127.0.0.1", port, user: "postgres", password: "wpc-secret", database: "postgres" })
    probe.on("error", () => undefined)
    try {
      await probe.connect()
    } finally {
      await probe.end().catch(() => undefined)
    }
  })
  const server: SqlServer = {
    port, dir, endpoint: `127.0.0.1:${port}`, database: "wpc", username: "wpc", password: "wpc-secret", stop, start: Effect.zipRight(start, accepting)
  }
  yield* untilReady("creating the database wpc on PostgreSQL", async () => {
    const pg = await import("pg")
    const admin = new pg.default.Client({ host: "127.0.0.1", port, user: "postgres", password: "wpc-secret", database: "postgres" })
    await admin.connect()
    try {
      await admin.query("CREATE ROLE wpc LOGIN PASSWORD 'wpc-secret'")
      await admin.query("CREATE DATABASE wpc OWNER wpc")
    } finally {
      await admin.end()
    }
  })
  return server
  })

/** Copies `tls` into `dir` owned by `ids`, the key mode 0600, and gives the args that serve them. */
const serverTls = (dir: string, tls: { readonly cert: string; readonly key: string }, ids: { readonly uid: number; readonly gid: number }): Array<string> => {
  const cert = path.join(dir, "server.crt")
  const key = path.join(dir, "server.key")
  fs.copyFileSync(tls.cert, cert)
  fs.copyFileSync(tls.key, key)
  fs.chmodSync(key, 0o600)
  for (const file of [cert, key]) fs.chownSync(file, ids.uid, ids.gid)
  return ["-c", "ssl=on", "-c", `ssl_cert_file=${cert}`, "-c", `ssl_key_file=${key}`]
}

/** Runs `f` on a `mysql2` connection to `server`'s database as its user (closed afterwards). */
export const withMysql = <A>(server: SqlServer, f: (c: import("mysql2/promise").Connection) => Promise<A>): Effect.Effect<A, Error> =>
  Effect.tryPromise({
    try: async () => {
      const mysql = await import("mysql2/promise")
      const c = await mysql.createConnection({
        host: "127.0.0.1",
        port: server.port,
        user: server.username,
        password: server.password,
        database: server.database,
        supportBigNumbers: true,
        bigNumberStrings: true,
        dateStrings: true,
        timezone: "Z",
        multipleStatements: true
      })
      try {
        await c.query("SET time_zone = '+00:00'")
        return await f(c)
      } finally {
        c.destroy()
      }
    },
    catch: (e) => (e instanceof Error ? e : new Error(String(e)))
  })

/** Runs `f` on a `pg` client connected to `server`'s database as its user (closed afterwards). */
export const withPg = <A>(server: SqlServer, f: (c: import("pg").Client) => Promise<A>): Effect.Effect<A, Error> =>
  Effect.tryPromise({
    try: async () => {
      const pg = await import("pg")
      const c = new pg.default.Client({ host: "127.0.0.1", port: server.port, user: server.username, password: server.password, database: server.database })
      c.on("error", () => undefined)
      await c.connect()
      try {
        return await f(c)
      } finally {
        await c.end().catch(() => undefined)
      }
    },
    catch: (e) => (e instanceof Error ? e : new Error(String(e)))
  })

/** A `mysql2` connection to `server`'s database as `user` (default: the test user), destroyed when the Scope closes. */
export const mysqlConnection = (server: SqlServer, user?: { readonly username: string; readonly password: string }) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const mysql = await import("mysql2/promise")
        const c = await mysql.createConnection({
          host: "127.0.0.1",
          port: server.port,
          user: user?.username ?? server.username,
          password: user?.password ?? server.password,
          database: server.database,
          supportBigNumbers: true,
          bigNumberStrings: true
        })
        c.on("error", () => undefined)
        return c
      },
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    }),
    (c) => Effect.sync(() => c.destroy())
  )

/** A `pg` client on `server`'s database as `user` (default: the test user), ended when the Scope closes. */
export const pgConnection = (server: SqlServer, user?: { readonly username: string; readonly password: string }) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const pg = await import("pg")
        const c = new pg.default.Client({
          host: "127.0.0.1",
          port: server.port,
          user: user?.username ?? server.username,
          password: user?.password ?? server.password,
          database: server.database
        })
        c.on("error", () => undefined)
        await c.connect()
        return c
      },
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    }),
    (c) => Effect.promise(() => c.end().catch(() => undefined))
  )

/** Polls `check` every 20 ms until it yields `true` (for at most 10 s). */
export const eventually = <E>(what: string, check: Effect.Effect<boolean, E>): Effect.Effect<void, E | Error> =>
  Effect.gen(function*() {
    const deadline = Date.now() + 10_000
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`not within 10 s: ${what}`))
      yield* Effect.sleep("20 millis")
    }
  })
