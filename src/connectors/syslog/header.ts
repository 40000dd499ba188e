/**
 * `SyslogHeader`: the header the sink puts before each message, written as RFC 5424
 * (`<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID -`) or RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOSTNAME
 * TAG[PID]:`), with its fields cleaned to what the format allows and its timestamp read from text.
 *
 * @since 0.2.0
 */

/** What a header says; `undefined` fields are absent (NILVALUE `-` in RFC 5424). */
export interface Header {
  /** `facility * 8 + severity`. */
  readonly pri: number
  /** TIMESTAMP as the format writes it (see `timeAt`, `timestamp`). */
  readonly time: string
  readonly host: string | undefined
  readonly app: string | undefined
  readonly procid: string | undefined
  readonly msgid: string | undefined
}

/** The header formats. */
export type Format = "rfc5424" | "rfc3164"

/** The longest HOSTNAME, APP-NAME, PROCID and MSGID of RFC 5424. */
export const limits = { host: 255, app: 48, procid: 128, msgid: 32 } as const

/** Anything but printable US-ASCII without space (RFC 5424's PRINTUSASCII). */
const notPrintable = /[^\x21-\x7e]/g

/** For RFC 3164 also the brackets and colon that end a TAG or a HOSTNAME. */
const notBsdToken = /[^\x21-\x7e]|[[\]:]/g

/** `true` when the UTF-16 code unit `c` may stand in a header field of `format` as it is. */
const allowed = (c: number, format: Format): boolean =>
  c >= 0x21 && c <= 0x7e && (format !== "rfc3164" || (c !== 0x5b && c !== 0x5d && c !== 0x3a))

/** `true` when `text` needs no cleaning in `format` (one pass over its characters, no allocation). */
const isClean = (text: string, format: Format): boolean => {
  for (let i = 0; i < text.length; i++) if (!allowed(text.charCodeAt(i), format)) return false
  return true
}

/**
 * `text` as a header field of at most `max` characters: every character that is not printable US-ASCII
 * (a space, a control, non-ASCII) becomes `_`; `undefined` when nothing is left.
 */
export const token = (text: string, max: number, format: Format = "rfc5424"): string | undefined => {
  if (text.length === 0) return undefined
  const clean = isClean(text, format) ? text : text.replace(format === "rfc3164" ? notBsdToken : notPrintable, "_")
  return clean.length > max ? clean.slice(0, max) : clean
}

/**
 * `token(text, max, format)` written into `buf` from `offset`, without making a string (`text` is not
 * empty; `buf` has room for `max` bytes); the offset after it.
 */
export const putToken = (buf: Buffer, offset: number, text: string, max: number, format: Format = "rfc5424"): number => {
  const n = Math.min(text.length, max)
  let off = offset
  if (format === "rfc5424") {
    for (let k = 0; k < n; k++) {
      const c = text.charCodeAt(k)
      buf[off++] = c >= 0x21 && c <= 0x7e ? c : 0x5f
    }
    return off
  }
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k)
    buf[off++] = allowed(c, format) ? c : 0x5f
  }
  return off
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** `Mmm dd hh:mm:ss` of `date` in local time (the day padded with a space). */
const bsd = (date: Date): string =>
  `${months[date.getMonth()]} ${date.getDate() < 10 ? ` ${date.getDate()}` : date.getDate()} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`

/** The TIMESTAMP of the time `ms` (epoch milliseconds): RFC 3339 in UTC, or RFC 3164's local `Mmm dd hh:mm:ss`. */
export const timeAt = (ms: number, format: Format): string => {
  const date = new Date(ms)
  return format === "rfc5424" ? date.toISOString() : bsd(date)
}

/** An RFC 5424 TIMESTAMP: RFC 3339 with at most 6 fraction digits (faster than a scan by hand, measured). */
const rfc5424Time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/

/**
 * The TIMESTAMP of the time `text` names, in `format`: RFC 3339 text that RFC 5424 allows is kept as it
 * is (its offset too); other text `Date` reads is written in UTC (RFC 5424) or local time (RFC 3164);
 * `undefined` when `Date` cannot read it.
 */
export const timestamp = (text: string, format: Format): string | undefined => {
  if (format === "rfc5424" && rfc5424Time.test(text)) return text
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : timeAt(ms, format)
}

/** `-` for an absent field. */
const nil = (field: string | undefined): string => field ?? "-"

/** The header of `h` in `format`, without the space before MSG. */
export const write = (h: Header, format: Format): string =>
  format === "rfc5424"
    ? `<${h.pri}>1 ${h.time} ${nil(h.host)} ${nil(h.app)} ${nil(h.procid)} ${nil(h.msgid)} -`
    : `<${h.pri}>${h.time}${h.host === undefined ? "" : ` ${h.host}`} ${h.app ?? "-"}${h.procid === undefined ? "" : `[${h.procid}]`}:`
