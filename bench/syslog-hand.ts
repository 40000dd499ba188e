/**
 * The syslog-json baseline's parser: a syslog line (RFC 5424 or RFC 3164) read by hand, with the rules the
 * `syslog` processor follows (PRI 0-191 without leading zeros, header tokens of printable ASCII within
 * their lengths, RFC 3339 and RFC 3164 timestamps to UTC ISO text, STRUCTURED-DATA into an object), into a
 * plain object of the processor's fields in its order: what one would write in Node without the engine.
 */

/** A syslog message as the baseline builds it: the processor's fields, absent ones left out. */
export interface Message {
  pri: number
  facility: number
  severity: number
  version?: number
  timestamp?: string
  host?: string
  app?: string
  procid?: string
  msgid?: string
  structured_data?: { [id: string]: { [name: string]: string } }
  msg?: string
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const now = new Date()
const thisYear = now.getUTCFullYear()
const thisMonth = now.getUTCMonth() + 1

/** The year of an RFC 3164 timestamp of `month`: this year, last year for a month well ahead, next for January in December. */
const yearOf = (month: number): number =>
  month - thisMonth > 1 ? thisYear - 1 : thisMonth - month > 10 ? thisYear + 1 : thisYear

const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** Two digits at `at`, or -1. */
const digits2 = (s: string, at: number): number => {
  const a = s.charCodeAt(at) - 48
  const b = s.charCodeAt(at + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

const daysIn = (y: number, m: number): number =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31

/** UTC ISO text (at least 3 fraction digits) of a local time `offset` minutes east of UTC; `undefined` when out of range. */
const iso = (y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string, offset: number): string | undefined => {
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) return undefined
  const f = frac.length >= 3 ? `.${frac}` : `.${frac.padEnd(3, "0")}`
  if (offset === 0 && s < 60) return `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}${f}Z`
  const text = new Date(Date.UTC(y, mo - 1, d, h, mi - offset, s)).toISOString()
  return `${text.slice(0, 19)}${f}Z`
}

/** An RFC 3339 timestamp (`2024-11-28T12:00:00.123456+01:00`) as UTC ISO text, or `undefined`. */
const rfc3339 = (t: string): string | undefined => {
  if (t.length < 20 || t[4] !== "-" || t[7] !== "-" || t[10] !== "T" || t[13] !== ":" || t[16] !== ":") return undefined
  const y = digits2(t, 0) * 100 + digits2(t, 2)
  const mo = digits2(t, 5)
  const d = digits2(t, 8)
  const h = digits2(t, 11)
  const mi = digits2(t, 14)
  const s = digits2(t, 17)
  if (y < 0 || digits2(t, 0) < 0 || digits2(t, 2) < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return undefined
  let i = 19
  let frac = ""
  if (t[i] === ".") {
    let j = i + 1
    while (j < t.length && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++
    if (j === i + 1 || j - i - 1 > 9) return undefined
    frac = t.slice(i + 1, j)
    i = j
  }
  if (t[i] === "Z" && i + 1 === t.length) return iso(y, mo, d, h, mi, s, frac, 0)
  if ((t[i] !== "+" && t[i] !== "-") || i + 6 !== t.length || t[i + 3] !== ":") return undefined
  const oh = digits2(t, i + 1)
  const om = digits2(t, i + 4)
  if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined
  return iso(y, mo, d, h, mi, s, frac, (t[i] === "-" ? -1 : 1) * (oh * 60 + om))
}

/** An RFC 3164 timestamp (`Nov 28 12:00:00`, `Nov  8 ...`) as UTC ISO text, or `undefined`. */
const rfc3164 = (t: string): string | undefined => {
  if (t.length !== 15 || t[3] !== " " || t[6] !== " " || t[9] !== ":" || t[12] !== ":") return undefined
  const mo = months.indexOf(t.slice(0, 3)) + 1
  const d = t[4] === " " ? digits2(`0${t[5]}`, 0) : digits2(t, 4)
  const h = digits2(t, 7)
  const mi = digits2(t, 10)
  const s = digits2(t, 13)
  if (mo === 0 || d < 0 || h < 0 || mi < 0 || s < 0) return undefined
  return iso(yearOf(mo), mo, d, h, mi, s, "", 0)
}

/** The end of the printable token (1 to `max` characters) at `i`, or -1. */
const tokenEnd = (s: string, i: number, max: number): number => {
  let j = i
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j)
    if (c === 32) break
    if (c < 33 || c > 126) return -1
  }
  return j === i || j - i > max ? -1 : j
}

/** STRUCTURED-DATA at `i` (`[id k="v" ...]...`) into `out`; returns where it ends, or -1. */
const readSd = (s: string, i: number, out: { [id: string]: { [name: string]: string } }): number => {
  while (s.charCodeAt(i) === 91) {
    let j = i + 1
    while (j < s.length && s[j] !== " " && s[j] !== "]") j++
    if (j === i + 1) return -1
    const params: { [name: string]: string } = {}
    out[s.slice(i + 1, j)] = params
    i = j
    while (s[i] === " ") {
      const eq = s.indexOf("=", i + 1)
      if (eq < 0 || s[eq + 1] !== "\"") return -1
      let value = ""
      let from = eq + 2
      let k = from
      for (;;) {
        if (k >= s.length) return -1
        const c = s[k]
        if (c === "\"") break
        if (c === "\\" && (s[k + 1] === "\"" || s[k + 1] === "\\" || s[k + 1] === "]")) {
          value += s.slice(from, k)
          from = k + 1
          k += 2
        } else k++
      }
      params[s.slice(i + 1, eq)] = value + s.slice(from, k)
      i = k + 1
    }
    if (s[i] !== "]") return -1
    i++
  }
  return i
}

const limits5424 = [3, 64, 255, 48, 128, 32]

/** RFC 5424 after the PRI (at `i`) into `m`, or `undefined`. */
const parse5424 = (s: string, i: number, m: Message): Message | undefined => {
  const tokens: Array<string> = []
  for (const max of limits5424) {
    const end = tokenEnd(s, i, max)
    if (end < 0 || s.charCodeAt(end) !== 32) return undefined
    tokens.push(s.slice(i, end))
    i = end + 1
  }
  const [version, timestamp, host, app, procid, msgid] = tokens as [string, string, string, string, string, string]
  m.version = Number(version)
  if (timestamp !== "-") {
    const t = rfc3339(timestamp)
    if (t === undefined) return undefined
    m.timestamp = t
  }
  if (host !== "-") m.host = host
  if (app !== "-") m.app = app
  if (procid !== "-") m.procid = procid
  if (msgid !== "-") m.msgid = msgid
  if (s.charCodeAt(i) === 45) i++
  else {
    const sd = {}
    i = readSd(s, i, sd)
    if (i < 0) return undefined
    m.structured_data = sd
  }
  if (i < s.length && s.charCodeAt(i) !== 32) return undefined
  const start = i < s.length ? (s.charCodeAt(i + 1) === 0xfeff ? i + 2 : i + 1) : s.length
  m.msg = s.slice(start)
  return m
}

/** `TAG[PID]:` or `TAG:` at the start of the content. */
const tagPattern = /^([^\s[\]:]{1,48})(?:\[([^\]\s]{1,128})\])?:/

/** RFC 3164 after the PRI (at `i`) into `m`, or `undefined`. */
const parse3164 = (s: string, i: number, m: Message): Message | undefined => {
  let t = rfc3164(s.slice(i, i + 15))
  if (t !== undefined) i += 15
  else {
    const end = tokenEnd(s, i, 64)
    if (end < 0) return undefined
    t = rfc3339(s.slice(i, end))
    if (t === undefined) return undefined
    i = end
  }
  m.timestamp = t
  if (i < s.length) {
    if (s.charCodeAt(i) !== 32) return undefined
    i++
    const end = tokenEnd(s, i, 255)
    const word = end < 0 ? "" : s.slice(i, end)
    if (word !== "" && !word.endsWith(":") && !word.includes("[")) {
      m.host = word
      i = end < s.length ? end + 1 : end
    }
    const tag = tagPattern.exec(s.slice(i, i + 200))
    if (tag !== null) {
      m.app = tag[1]!
      if (tag[2] !== undefined) m.procid = tag[2]
      i += tag[0].length
      if (s.charCodeAt(i) === 32) i++
    }
  }
  m.msg = s.slice(i)
  return m
}

/** A syslog line as a plain object of the processor's fields, or `undefined` when it is not syslog. */
export const parse = (s: string): Message | undefined => {
  if (s.charCodeAt(0) !== 60) return undefined
  let i = 1
  let pri = 0
  for (; i < 5 && i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) break
    pri = pri * 10 + c - 48
  }
  if (i === 1 || i > 4 || s.charCodeAt(i) !== 62 || (i > 2 && s.charCodeAt(1) === 48) || pri > 191) return undefined
  i++
  const m: Message = { pri, facility: pri >> 3, severity: pri & 7 }
  const c = s.charCodeAt(i)
  if (c >= 49 && c <= 57) {
    let j = i + 1
    while (j < i + 3 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++
    if (s.charCodeAt(j) === 32) return parse5424(s, i, m)
  }
  return parse3164(s, i, m)
}
