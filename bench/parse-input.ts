/**
 * The inputs of the parsing scenarios, generated deterministically (line `i` is always the same) into
 * a temp file once per count: a mix of RFC 3164 and RFC 5424 syslog lines, and JSON log lines.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** Where the inputs and outputs of the parsing scenarios live. */
export const dir = path.join(os.tmpdir(), "wpc-bench-parse")

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const hosts = ["web-1", "web-2", "web-3", "db-1", "db-2.prod.example.com", "lb-0", "cache-7", "10.0.4.17"]
const apps = ["nginx", "sshd", "kernel", "cron", "postfix/smtpd", "systemd", "sudo", "app-server"]
const paths = ["/api/v1/items", "/api/v1/users", "/login", "/static/app.js", "/healthz", "/api/v2/orders"]
const methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"]
const statuses = [200, 200, 200, 201, 204, 301, 404, 500]
const levels = ["info", "info", "info", "warn", "error", "debug"]

const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** A message body: an access log line with quotes, or an sshd or kernel-like line. */
const message = (i: number): string => {
  switch (i % 5) {
    case 0:
    case 1:
    case 2:
      return `10.${i % 256}.${(i >> 8) % 256}.${(i * 7) % 256} - - "${methods[i % methods.length]} ${paths[i % paths.length]}/${i} HTTP/1.1" ${statuses[i % statuses.length]} ${(i * 37) % 65536} "-" "Mozilla/5.0 (X11; Linux x86_64)"`
    case 3:
      return `Accepted publickey for deploy from 10.1.${i % 256}.${(i >> 3) % 256} port ${1024 + (i % 60000)} ssh2: ED25519 SHA256:k${i.toString(36)}`
    default:
      return `worker ${i % 16} finished job ${i} in ${(i % 997) / 10} ms, queue depth ${i % 128}`
  }
}

/**
 * Syslog line `i`: half RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, some with `TAG:` and some
 * with an RFC 3339 timestamp), half RFC 5424 (`<PRI>1 TS HOST APP PROCID MSGID SD MSG`, a third with
 * structured data, some with NILVALUEs).
 */
export const syslogLine = (i: number): string => {
  const pri = (i * 13) % 192
  const host = hosts[i % hosts.length]!
  const app = apps[(i >> 1) % apps.length]!
  const pid = 1000 + (i % 30000)
  const hh = two((i >> 4) % 24)
  const mm = two(i % 60)
  const ss = two((i >> 2) % 60)
  if (i % 2 === 0) {
    const day = 1 + ((i >> 3) % 28)
    const ts = i % 10 === 4
      ? `2024-11-${two(day)}T${hh}:${mm}:${ss}.${String(i % 1000).padStart(3, "0")}Z`
      : `${months[(i >> 5) % 12]} ${day < 10 ? ` ${day}` : day} ${hh}:${mm}:${ss}`
    const tag = i % 6 === 2 ? `${app}:` : `${app}[${pid}]:`
    return `<${pri}>${ts} ${host} ${tag} ${message(i)}`
  }
  const ts = `2024-11-${two(1 + ((i >> 3) % 28))}T${hh}:${mm}:${ss}.${String(i % 1000000).padStart(6, "0")}${i % 3 === 0 ? "Z" : "+01:00"}`
  const procid = i % 7 === 1 ? "-" : String(pid)
  const msgid = i % 5 === 1 ? "-" : `ID${i % 100}`
  const sd = i % 3 === 1 ? `[exampleSDID@32473 iut="${i % 9}" eventSource="Application" eventID="${1000 + (i % 50)}"]` : "-"
  return `<${pri}>1 ${ts} ${host} ${app} ${procid} ${msgid} ${sd} ${message(i)}`
}

/** JSON log line `i`: an object with strings, integers, a float, a boolean, a nested object and an array. */
export const jsonLine = (i: number): string =>
  JSON.stringify({
    ts: `2024-11-28T${two((i >> 4) % 24)}:${two(i % 60)}:${two((i >> 2) % 60)}.${String(i % 1000).padStart(3, "0")}Z`,
    level: levels[i % levels.length],
    host: hosts[i % hosts.length],
    service: apps[(i >> 1) % apps.length],
    request: {
      method: methods[i % methods.length],
      path: `${paths[i % paths.length]}/${i}`,
      status: statuses[i % statuses.length],
      bytes: (i * 37) % 65536,
      duration_ms: ((i % 9973) + 0.5) / 10
    },
    user_id: 100000 + (i % 50000),
    cached: i % 4 === 0,
    tags: ["edge", `zone-${i % 3}`],
    msg: i % 3 === 0 ? "request done" : `request \"${i}\" done`
  })

/** Writes `count` lines of `line` to `<dir>/<name>-<count>.log` once; returns the path and its size in bytes. */
export const ensureInput = (name: string, count: number, line: (i: number) => string): { readonly file: string; readonly bytes: number } => {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}-${count}.log`)
  if (!fs.existsSync(file)) {
    const partial = `${file}.part`
    const fd = fs.openSync(partial, "w")
    let chunk = ""
    for (let i = 0; i < count; i++) {
      chunk += line(i) + "\n"
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, chunk)
        chunk = ""
      }
    }
    fs.writeSync(fd, chunk)
    fs.closeSync(fd)
    fs.renameSync(partial, file)
  }
  return { file, bytes: fs.statSync(file).size }
}

/** A fresh, empty output directory `<dir>/out-<name>`. */
export const outputDir = (name: string): string => {
  const out = path.join(dir, `out-${name}`)
  fs.rmSync(out, { recursive: true, force: true })
  fs.mkdirSync(out, { recursive: true })
  return out
}
