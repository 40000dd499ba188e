/**
 * A real `syslog-ng` (Debian's `syslog-ng-core`) as the receiver of the `syslog` sink tests: run in the
 * foreground in a temp dir, listening on free loopback ports — RFC 5424 over TCP with LF framing
 * (`network()`), octet-counted (`syslog()`), RFC 3164 over TCP (`network()`), RFC 5424 over UDP — and
 * writing every message it parsed to one file as a JSON line. Killed (SIGKILL) and restarted on the same
 * ports and file on demand; killed and its dir removed when the Scope closes.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import { freePort } from "../../../src/testkit/ports.js"
import { findBinary, waitForPort } from "../server-process.js"

const binary = findBinary("syslog-ng", ["/usr/sbin/syslog-ng", "/usr/bin/syslog-ng"])

/** One message as syslog-ng parsed it (its macros, as text; an absent field is `""`). */
export interface Parsed {
  /** The source that took it: `lf`, `octet`, `bsd` or `udp`. */
  readonly src: string
  readonly pri: string
  readonly facility: string
  readonly severity: string
  readonly host: string
  readonly program: string
  readonly pid: string
  readonly msgid: string
  /** ISO 8601 with 6 fraction digits and the sender's offset. */
  readonly date: string
  readonly msg: string
}

/** A running syslog-ng. */
export interface SyslogNg {
  readonly ports: { readonly lf: number; readonly octet: number; readonly bsd: number; readonly udp: number }
  /** Every message written so far, in order. */
  readonly output: () => ReadonlyArray<Parsed>
  /** Kills it (SIGKILL) and waits for it to exit. */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same ports and output file. */
  readonly start: Effect.Effect<void, Error>
}

const config = (dir: string, ports: SyslogNg["ports"]) => `@version: 3.38
options { keep_hostname(yes); chain_hostnames(no); use_dns(no); flush_lines(0); stats_freq(0); frac_digits(6); log_msg_size(1048576); log_fifo_size(1000000); };
source s_lf { network(ip("127.0.0.1") port(${ports.lf}) transport("tcp") flags(syslog-protocol) log_iw_size(100000)); };
source s_octet { syslog(ip("127.0.0.1") port(${ports.octet}) transport("tcp") log_iw_size(100000)); };
source s_bsd { network(ip("127.0.0.1") port(${ports.bsd}) transport("tcp") log_iw_size(100000)); };
source s_udp { network(ip("127.0.0.1") port(${ports.udp}) transport("udp") flags(syslog-protocol) so_rcvbuf(8388608)); };
destination d_out { file("${path.join(dir, "out.jsonl")}" template("$(format-json src=$SOURCE pri=$PRI facility=$FACILITY_NUM severity=$LEVEL_NUM host=$HOST program=$PROGRAM pid=$PID msgid=$MSGID date=$ISODATE msg=$MESSAGE)\\n")); };
log { source(s_lf); source(s_octet); source(s_bsd); source(s_udp); destination(d_out); };
`

const sources: Record<string, string> = { s_lf: "lf", s_octet: "octet", s_bsd: "bsd", s_udp: "udp" }

/** Kills `child` with SIGKILL and waits for its exit. */
const kill = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  })

/** Starts syslog-ng on four free loopback ports in a fresh temp dir, in the current Scope. */
export const syslogNg: Effect.Effect<SyslogNg, Error, Scope.Scope> = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "wpc-syslog-ng-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const ports = { lf: yield* freePort, octet: yield* freePort, bsd: yield* freePort, udp: yield* freePort }
  const conf = path.join(dir, "syslog-ng.conf")
  fs.writeFileSync(conf, config(dir, ports))
  const out = path.join(dir, "out.jsonl")
  let child: ChildProcess | undefined
  const start = Effect.suspend(() => {
    const args = ["-F", "--no-caps", "-f", conf, "-R", path.join(dir, "persist"), "-p", path.join(dir, "pid"), "-c", path.join(dir, "ctl")]
    const proc = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] })
    child = proc
    let stderr = ""
    proc.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()))
    const died = new Promise<Error>((resolve) => {
      proc.once("error", (e) => resolve(new Error(`cannot start ${binary}: ${e.message} (on Debian: apt-get install -y syslog-ng-core)`)))
      proc.once("exit", (code, signal) => resolve(new Error(`${binary} exited before it listened (code ${code}, signal ${signal}): ${stderr.trim()}`)))
    })
    const listening = Effect.zipRight(waitForPort(ports.octet), Effect.zipRight(waitForPort(ports.lf), waitForPort(ports.bsd)))
    return Effect.raceFirst(Effect.interruptible(listening), Effect.interruptible(Effect.flatMap(Effect.promise(() => died), Effect.fail)))
  })
  const stop = Effect.suspend(() => (child === undefined ? Effect.void : kill(child)))
  yield* Effect.acquireRelease(start, () => stop)
  const output = (): ReadonlyArray<Parsed> => {
    if (!fs.existsSync(out)) return []
    const text = fs.readFileSync(out, "utf8")
    // a line being written as it is read is left for the next read
    const whole = text.slice(0, text.lastIndexOf("\n") + 1)
    return whole.split("\n").filter((l) => l !== "").map((l) => {
      const m = JSON.parse(l) as Record<string, string>
      return {
        src: sources[m["src"] ?? ""] ?? "?",
        pri: m["pri"] ?? "",
        facility: m["facility"] ?? "",
        severity: m["severity"] ?? "",
        host: m["host"] ?? "",
        program: m["program"] ?? "",
        pid: m["pid"] ?? "",
        msgid: m["msgid"] ?? "",
        date: m["date"] ?? "",
        msg: m["msg"] ?? ""
      }
    })
  }
  return { ports, output, stop, start }
})
