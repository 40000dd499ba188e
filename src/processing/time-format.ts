/**
 * `TimeFormat`: reads timestamps written in a known format into the ISO-8601 text of a `Time` value,
 * always in UTC: `YYYY-MM-DDTHH:MM:SS.fffZ`, with at least three fraction digits and every digit the input
 * had beyond them (`.000003` stays `.000003`). Formats are compiled once (`compile`), then each text is
 * read with one regular expression and a few additions: no `Date` per event when the time is already UTC.
 *
 * Named formats: `rfc3339` (`2024-11-28T12:00:00.5+01:00`), `rfc3164` (`Nov 28 12:00:00`, no year: see
 * `currentYear`), `unix` (seconds, fraction allowed) and `unix_ms` (milliseconds). Anything else is a
 * strftime-like pattern (`%d/%b/%Y:%H:%M:%S %z`); `directives` lists what it may use.
 *
 * @since 0.2.0
 */
import { Either } from "effect"

/** A compiled format: the UTC ISO-8601 text of a timestamp, or `undefined` when the text does not match. */
export type TimeParser = (text: string) => string | undefined

/** The strftime-like directives `compile` understands, with what each matches. */
export const directives: ReadonlyArray<readonly [string, string]> = [
  ["%Y", "year, 4 digits"],
  ["%y", "year, 2 digits (69-99: 19xx, 00-68: 20xx)"],
  ["%m", "month, 1-2 digits"],
  ["%b %h", "month, English abbreviation (Jan), case-insensitive"],
  ["%B", "month, English name (January), case-insensitive"],
  ["%d", "day, 1-2 digits"],
  ["%e", "day, 1-2 digits, maybe after a space"],
  ["%H", "hour 0-23, 1-2 digits"],
  ["%I", "hour 1-12, 1-2 digits (with %p)"],
  ["%p", "AM or PM, case-insensitive"],
  ["%M", "minute, 1-2 digits"],
  ["%S", "second, 1-2 digits (60 is a leap second: the next minute)"],
  ["%f", "fraction of a second, 1-9 digits (kept exactly)"],
  ["%z", "offset: Z, +hh, +hhmm or +hh:mm"],
  ["%Z", "zone name: UTC, GMT or Z only"],
  ["%a %A", "weekday name (read, not checked)"],
  ["%s", "seconds since 1970 (may be negative)"],
  ["%T", "%H:%M:%S"],
  ["%F", "%Y-%m-%d"],
  ["%R", "%H:%M"],
  ["%D", "%m/%d/%y"],
  ["%%", "a literal %"]
]

const monthAbbr = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
const monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/** Days in `month` (1-12) of `year`. */
const daysIn = (year: number, month: number): number =>
  month === 2 ? (isLeap(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/** `"00"` to `"99"`. */
const twoDigitTexts: ReadonlyArray<string> = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`))

const pad2 = (n: number): string => twoDigitTexts[n]!

/** The largest number of milliseconds from 1970 a JavaScript `Date` holds. */
const maxMs = 8.64e15

/** `.fff` for fraction digits `frac`: padded to three digits, longer ones kept. */
const fractionText = (frac: string): string =>
  frac.length === 0 ? ".000" : frac.length >= 3 ? `.${frac}` : `.${frac.padEnd(3, "0")}`

/** The ISO text of `ms` (whole seconds) with the fraction digits `frac`, or `undefined` outside `Date`'s range. */
const isoOfMs = (ms: number, frac: string): string | undefined => {
  if (!(Math.abs(ms) <= maxMs) || (ms === maxMs && /[1-9]/.test(frac))) return undefined
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, iso.length - 5)}${fractionText(frac)}Z`
}

/** `true` when the parts name a time that exists (second 60, a leap second, included). */
const inRange = (year: number, month: number, day: number, hour: number, minute: number, second: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 60

/**
 * The UTC ISO text of a local time at `offset` minutes east of UTC (month 1-12), or `undefined` when a
 * part is out of range (month 13, February 30, hour 24, ...). `frac` is the fraction digits ("" for none);
 * second 60 (a leap second) is read as the next minute. Plain arithmetic: a `Date` only for years that
 * end up outside 0000-9999.
 */
export const isoUtc = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  frac: string,
  offset: number
): string | undefined => {
  if (!inRange(year, month, day, hour, minute, second)) return undefined
  if (offset !== 0 || second === 60) {
    let minutes = hour * 60 + minute - offset
    if (second === 60) {
      second = 0
      minutes++
    }
    if (minutes < 0) {
      minutes += 1440
      if (--day < 1) {
        if (--month < 1) {
          month = 12
          year--
        }
        day = daysIn(year, month)
      }
    } else if (minutes >= 1440) {
      minutes -= 1440
      if (++day > daysIn(year, month)) {
        day = 1
        if (++month > 12) {
          month = 1
          year++
        }
      }
    }
    hour = Math.floor(minutes / 60)
    minute = minutes % 60
  }
  if (year < 0 || year > 9999) {
    const date = new Date(0)
    date.setUTCFullYear(year, month - 1, day)
    date.setUTCHours(hour, minute, second, 0)
    return isoOfMs(date.getTime(), frac)
  }
  return `${datePrefix(year, month, day)}${pad2(hour)}:${pad2(minute)}:${pad2(second)}${fractionText(frac)}Z`
}

/** `YYYY-MM-DDT` texts made so far, by `year * 10000 + month * 100 + day` (emptied when it holds 4096). */
const datePrefixes = new Map<number, string>()

/** `YYYY-MM-DDT` for a date of the years 0000-9999 (made once per date: logs repeat their days). */
const datePrefix = (year: number, month: number, day: number): string => {
  const key = year * 10000 + month * 100 + day
  let prefix = datePrefixes.get(key)
  if (prefix === undefined) {
    if (datePrefixes.size >= 4096) datePrefixes.clear()
    prefix = `${twoDigitTexts[Math.floor(year / 100)]!}${twoDigitTexts[year % 100]!}-${pad2(month)}-${pad2(day)}T`
    datePrefixes.set(key, prefix)
  }
  return prefix
}

/**
 * Guesses the year of a year-less timestamp (RFC 3164) from its month (1-12): the current UTC year, except
 * that a month more than one month ahead is from last year (a December message read in January) and a
 * January message read in December is from next year. `now` gives the time (default `Date.now`); the year
 * and month are computed again only when a UTC month ends.
 */
export const currentYear = (now: () => number = Date.now): (month: number) => number => {
  let year = 0
  let month = 0
  let until = Number.NEGATIVE_INFINITY
  return (messageMonth) => {
    const t = now()
    if (t >= until || t < until - 32 * 86_400_000) {
      const date = new Date(t)
      year = date.getUTCFullYear()
      month = date.getUTCMonth() + 1
      until = Date.UTC(year, month, 1)
    }
    return messageMonth - month > 1 ? year - 1 : month - messageMonth > 10 ? year + 1 : year
  }
}

/** An offset in minutes from its sign and its hours and minutes (`undefined` when out of range). */
const offsetOf = (sign: string, hours: number, minutes: number): number | undefined => {
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined
  return sign === "-" ? -(hours * 60 + minutes) : hours * 60 + minutes
}

/** Two digits at `at` as a number, -1 when they are not digits. */
const twoDigits = (text: string, at: number): number => {
  const a = text.charCodeAt(at) - 0x30
  const b = text.charCodeAt(at + 1) - 0x30
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/**
 * RFC 3339 (`2024-11-28T12:00:00.123+01:00`, also `t` or a space between date and time, `z` for UTC, up
 * to 9 fraction digits) as UTC ISO text. Read by position, without a regular expression.
 */
export const rfc3339: TimeParser = (t) => {
  const n = t.length
  if (n < 20 || t[4] !== "-" || t[7] !== "-" || t[13] !== ":" || t[16] !== ":") return undefined
  const sep = t[10]
  if (sep !== "T" && sep !== "t" && sep !== " ") return undefined
  const hi = twoDigits(t, 0)
  const lo = twoDigits(t, 2)
  const month = twoDigits(t, 5)
  const day = twoDigits(t, 8)
  const hour = twoDigits(t, 11)
  const minute = twoDigits(t, 14)
  const second = twoDigits(t, 17)
  if (hi < 0 || lo < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined
  let i = 19
  let frac = ""
  if (t[i] === ".") {
    let j = i + 1
    while (isDigit(t.charCodeAt(j))) j++
    if (j === i + 1 || j - i - 1 > 9) return undefined
    frac = t.slice(i + 1, j)
    i = j
  }
  let offset: number | undefined
  const z = t[i]
  if (i === n - 1 && (z === "Z" || z === "z")) offset = 0
  else if (i === n - 6 && (z === "+" || z === "-") && t[i + 3] === ":") {
    offset = offsetOf(z, twoDigits(t, i + 1), twoDigits(t, i + 4))
  }
  if (offset === undefined) return undefined
  const year = hi * 100 + lo
  if (z === "Z" && sep === "T" && frac.length >= 3 && second < 60) {
    return inRange(year, month, day, hour, minute, second) ? t : undefined // already the ISO text it would give
  }
  return isoUtc(year, month, day, hour, minute, second, frac, offset)
}

/** Month abbreviations (`jan` to `dec`, case-insensitive) by the key `abbrKey` makes of their three characters. */
const monthByKey: ReadonlyMap<number, number> = new Map(monthAbbr.map((m, i) => [abbrKey(m, 0), i + 1]))

/** A number for the three ASCII characters at `at`, the same in upper and lower case (-1 when one is not ASCII). */
function abbrKey(text: string, at: number): number {
  const a = text.charCodeAt(at)
  const b = text.charCodeAt(at + 1)
  const c = text.charCodeAt(at + 2)
  return a > 0x7f || b > 0x7f || c > 0x7f ? -1 : ((a | 0x20) << 16) | ((b | 0x20) << 8) | (c | 0x20)
}

/** The month (1-12) of an English abbreviation (`Nov`, `nov`, `NOV`), 0 for none. */
const monthOfAbbr = (text: string): number => (text.length === 3 ? monthByKey.get(abbrKey(text, 0)) ?? 0 : 0)

const rfc3164Pattern = /^([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/

/**
 * RFC 3164 (`Nov 28 12:00:00`, `Nov  8 ...`, also `Nov 8 ...`) as UTC ISO text, its year from `year` (see
 * `currentYear`). The 15-character form syslog headers have is read without a regular expression.
 */
export const rfc3164 = (year: (month: number) => number): TimeParser => (text) => {
  if (text.length === 15 && text.charCodeAt(3) === 0x20 && text.charCodeAt(6) === 0x20 && text[9] === ":" && text[12] === ":") {
    const month = monthByKey.get(abbrKey(text, 0)) ?? 0
    const low = text.charCodeAt(5) - 0x30
    const day = text.charCodeAt(4) !== 0x20 ? twoDigits(text, 4) : low >= 0 && low <= 9 ? low : -1
    const hour = twoDigits(text, 7)
    const minute = twoDigits(text, 10)
    const second = twoDigits(text, 13)
    if (month === 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined
    const y = year(month)
    if (second === 60 || y < 0 || y > 9999) return isoUtc(y, month, day, hour, minute, second, "", 0)
    // the time of day is already written as ISO has it: hh:mm:ss
    return inRange(y, month, day, hour, minute, second) ? `${datePrefix(y, month, day)}${text.slice(7)}.000Z` : undefined
  }
  const m = rfc3164Pattern.exec(text)
  if (m === null) return undefined
  const month = monthOfAbbr(m[1]!)
  if (month === 0) return undefined
  return isoUtc(year(month), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), "", 0)
}

const unixPattern = /^(-?)(\d+)(?:\.(\d+))?$/

/** `10^k - f` for the `k` fraction digits `f`: the fraction of a negative time counted from the second before. */
const complement = (frac: string): string =>
  (10n ** BigInt(frac.length) - BigInt(frac)).toString().padStart(frac.length, "0")

/** Seconds (`unit` 1) or milliseconds (`unit` 1000) since 1970, as decimal text, to UTC ISO text. */
const unixIn = (unit: 1 | 1000): TimeParser => (text) => {
  const m = unixPattern.exec(text)
  if (m === null) return undefined
  const digits = m[2]!
  let whole: string
  let frac: string
  if (unit === 1) {
    whole = digits
    frac = m[3] ?? ""
  } else {
    whole = digits.length > 3 ? digits.slice(0, digits.length - 3) : "0"
    frac = `${digits.slice(-3).padStart(3, "0")}${m[3] ?? ""}`
  }
  let seconds = Number(whole)
  if (m[1] === "-") {
    if (/[1-9]/.test(frac)) {
      seconds = -seconds - 1
      frac = complement(frac)
    } else seconds = -seconds
  }
  return isoOfMs(seconds * 1000, frac)
}

/** Seconds since 1970 (`1732795200`, `-1.5`, `1732795200.123456`) as UTC ISO text. */
export const unix: TimeParser = unixIn(1)

/** Milliseconds since 1970 (`1732795200123`, fraction allowed) as UTC ISO text. */
export const unixMs: TimeParser = unixIn(1000)

/** What a compiled pattern's capture groups are, in order. */
type Part = "Y" | "y" | "m" | "b" | "B" | "d" | "H" | "I" | "p" | "M" | "S" | "f" | "z" | "Z" | "s"

const parts: { readonly [directive: string]: readonly [string, Part | undefined] } = {
  Y: ["([+-]?\\d{4})", "Y"],
  y: ["(\\d{2})", "y"],
  m: ["(\\d{1,2})", "m"],
  b: ["([A-Za-z]{3})", "b"],
  h: ["([A-Za-z]{3})", "b"],
  B: ["([A-Za-z]+)", "B"],
  d: ["(\\d{1,2})", "d"],
  e: ["(?: ?(\\d{1,2}))", "d"],
  H: ["(\\d{1,2})", "H"],
  I: ["(\\d{1,2})", "I"],
  p: ["([AaPp][Mm])", "p"],
  M: ["(\\d{1,2})", "M"],
  S: ["(\\d{1,2})", "S"],
  f: ["(\\d{1,9})", "f"],
  z: ["([Zz]|[+-]\\d{2}(?::?\\d{2})?)", "z"],
  Z: ["(UTC|GMT|Z)", "Z"],
  a: ["(?:[A-Za-z]+)", undefined],
  A: ["(?:[A-Za-z]+)", undefined],
  s: ["(-?\\d+)", "s"]
}

const shorthands: { readonly [directive: string]: string } = { T: "%H:%M:%S", F: "%Y-%m-%d", R: "%H:%M", D: "%m/%d/%y" }

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")

/** Reads the offset part of `%z` (`Z`, `+01`, `+0130`, `+01:30`) in minutes. */
const zoneOffset = (text: string): number | undefined => {
  if (text === "Z" || text === "z") return 0
  const minutesAt = text.length === 6 ? 4 : 3
  return offsetOf(text[0]!, twoDigits(text, 1), text.length > 3 ? twoDigits(text, minutesAt) : 0)
}

/** A strftime-like pattern compiled to one regular expression and the list of what its groups hold. */
const compilePattern = (format: string, year: (month: number) => number): Either.Either<TimeParser, string> => {
  let source = ""
  const groups: Array<Part> = []
  const expanded = format.replace(/%([TFRD])/g, (_, d: string) => shorthands[d]!)
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i]!
    if (c !== "%") {
      if (c === " " || c === "\t") {
        while (expanded[i + 1] === " " || expanded[i + 1] === "\t") i++
        source += "\\s+"
      } else source += escapeRegex(c)
      continue
    }
    const d = expanded[i + 1]
    i++
    if (d === "%") {
      source += "%"
      continue
    }
    const part = d === undefined ? undefined : parts[d]
    if (part === undefined) {
      return Either.left(d === undefined ? "the format ends with a lone %" : `unknown directive %${d}`)
    }
    source += part[0]
    if (part[1] !== undefined) groups.push(part[1])
  }
  const has = (...ps: ReadonlyArray<Part>) => ps.some((p) => groups.includes(p))
  if (!has("s") && !(has("d") && has("m", "b", "B"))) {
    return Either.left("the format has no date: it needs %s, or a day (%d, %e) and a month (%m, %b, %B)")
  }
  if (has("I") !== has("p")) return Either.left("%I (12-hour clock) and %p (AM/PM) go together")
  const pattern = new RegExp(`^${source}$`)
  return Either.right((text) => {
    const m = pattern.exec(text)
    if (m === null) return undefined
    let y: number | undefined
    let month = 0
    let day = 0
    let hour = 0
    let minute = 0
    let second = 0
    let pm = -1
    let frac = ""
    let offset = 0
    let epoch: string | undefined
    for (let g = 0; g < groups.length; g++) {
      const v = m[g + 1]!
      switch (groups[g]!) {
        case "Y":
          y = Number(v)
          break
        case "y": {
          const n = Number(v)
          y = n < 69 ? 2000 + n : 1900 + n
          break
        }
        case "m":
          month = Number(v)
          break
        case "b":
          month = monthOfAbbr(v)
          break
        case "B":
          month = monthNames.indexOf(v.toLowerCase()) + 1
          break
        case "d":
          day = Number(v)
          break
        case "H":
        case "I":
          hour = Number(v)
          break
        case "p":
          pm = v[0] === "P" || v[0] === "p" ? 1 : 0
          break
        case "M":
          minute = Number(v)
          break
        case "S":
          second = Number(v)
          break
        case "f":
          frac = v
          break
        case "z": {
          const o = zoneOffset(v)
          if (o === undefined) return undefined
          offset = o
          break
        }
        case "Z":
          break
        case "s":
          epoch = v
          break
      }
    }
    if (epoch !== undefined) return unix(frac === "" ? epoch : `${epoch}.${frac}`)
    if (pm !== -1) {
      if (hour < 1 || hour > 12) return undefined
      hour = (hour % 12) + pm * 12
    }
    return isoUtc(y ?? year(month), month, day, hour, minute, second, frac, offset)
  })
}

/**
 * Compiles `format`: a named format (`rfc3339`, `rfc3164`, `unix`, `unix_ms`) or a strftime-like pattern.
 * A pattern without a year takes it from `year` (see `currentYear`); one without a zone reads UTC. Fails
 * with the reason for a pattern it cannot use (unknown directive, no date, `%I` without `%p`).
 */
export const compile = (format: string, year: (month: number) => number = currentYear()): Either.Either<TimeParser, string> => {
  switch (format) {
    case "rfc3339":
      return Either.right(rfc3339)
    case "rfc3164":
      return Either.right(rfc3164(year))
    case "unix":
      return Either.right(unix)
    case "unix_ms":
      return Either.right(unixMs)
    default:
      return format.includes("%")
        ? compilePattern(format, year)
        : Either.left("expected rfc3339, rfc3164, unix, unix_ms, or a pattern with % directives")
  }
}
