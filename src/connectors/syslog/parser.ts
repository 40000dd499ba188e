/**
 * `SyslogParser`: reads the header of a syslog message, RFC 5424
 * (`<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`) or RFC 3164
 * (`<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`, also with an RFC 3339 timestamp or without a
 * host). It never throws: a message that is neither is `None`, for the caller to pass on untouched.
 *
 * @since 0.1.0
 */
import { Option } from "effect"

/** The header fields of a syslog message; a field that is absent (or NILVALUE `-`) is `undefined`. */
export interface SyslogMessage {
  readonly format: "rfc5424" | "rfc3164"
  /** The PRI value, 0 to 191. */
  readonly pri: number
  /** `pri >> 3`: 0 (kern) to 23 (local7). */
  readonly facility: number
  /** `pri & 7`: 0 (emerg) to 7 (debug). */
  readonly severity: number
  /** RFC 5424's VERSION. */
  readonly version: number | undefined
  readonly timestamp: string | undefined
  readonly host: string | undefined
  /** RFC 5424's APP-NAME, RFC 3164's TAG. */
  readonly app: string | undefined
  /** RFC 5424's PROCID, RFC 3164's `[PID]`. */
  readonly procid: string | undefined
  readonly msgid: string | undefined
  /** RFC 5424's STRUCTURED-DATA, as sent (`[id k="v"]...`). */
  readonly structuredData: string | undefined
  /** Where MSG starts in the parsed text (after a UTF-8 BOM); the text's length when there is none. */
  readonly msgStart: number
}

const SP = 0x20
const LT = 0x3c
const GT = 0x3e
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39

const isDigit = (c: number) => c >= DIGIT_0 && c <= DIGIT_9

/** The end of the space-free token at `i` (its length must be 1 to `max` printable US-ASCII characters), or -1. */
const token = (text: string, i: number, max: number): number => {
  let j = i
  while (j < text.length) {
    const c = text.charCodeAt(j)
    if (c === SP) break
    if (c < 33 || c > 126) return -1
    j++
  }
  return j === i || j - i > max ? -1 : j
}

const nil = (value: string): string | undefined => (value === "-" ? undefined : value)

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/

/** The end of the STRUCTURED-DATA at `i` (`-` or one or more `[...]`, honouring quotes and escapes), or -1. */
const structuredData = (text: string, i: number): number => {
  if (text.charCodeAt(i) === 0x2d) return i + 1 // "-"
  let j = i
  if (text.charCodeAt(j) !== 0x5b) return -1
  while (text.charCodeAt(j) === 0x5b) {
    const id = j + 1
    j = id
    let quoted = false
    while (j < text.length) {
      const c = text.charCodeAt(j)
      if (quoted) {
        if (c === 0x5c) j++ // backslash escapes the next character
        else if (c === 0x22) quoted = false
      } else if (c === 0x22) quoted = true
      else if (c === 0x5d) break // "]"
      j++
    }
    if (j >= text.length || j === id || text.charCodeAt(id) === SP) return -1
    j++
  }
  return j
}

/** Skips a UTF-8 BOM at `i`, as text (U+FEFF) or as the Latin-1 reading of its bytes. */
const skipBom = (text: string, i: number): number =>
  text.charCodeAt(i) === 0xfeff ? i + 1 : text.startsWith("\u00ef\u00bb\u00bf", i) ? i + 3 : i

/** The end of the header field at `i` (a token of 1 to `max` characters followed by a space), or -1. */
const headerField = (text: string, i: number, max: number): number => {
  const end = token(text, i, max)
  return end !== -1 && text.charCodeAt(end) === SP ? end : -1
}

/** RFC 5424 after `<PRI>VERSION ` (at `i`). */
const parse5424 = (text: string, pri: number, version: number, i: number): SyslogMessage | undefined => {
  const tsEnd = headerField(text, i, 64)
  if (tsEnd === -1) return undefined
  const timestamp = text.slice(i, tsEnd)
  if (timestamp !== "-" && !rfc3339.test(timestamp)) return undefined
  const hostAt = tsEnd + 1
  const hostEnd = headerField(text, hostAt, 255)
  if (hostEnd === -1) return undefined
  const appAt = hostEnd + 1
  const appEnd = headerField(text, appAt, 48)
  if (appEnd === -1) return undefined
  const procAt = appEnd + 1
  const procEnd = headerField(text, procAt, 128)
  if (procEnd === -1) return undefined
  const msgidAt = procEnd + 1
  const msgidEnd = headerField(text, msgidAt, 32)
  if (msgidEnd === -1) return undefined
  const sdAt = msgidEnd + 1
  const sdEnd = structuredData(text, sdAt)
  if (sdEnd === -1) return undefined
  if (sdEnd < text.length && text.charCodeAt(sdEnd) !== SP) return undefined
  return {
    format: "rfc5424",
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version,
    timestamp: nil(timestamp),
    host: nil(text.slice(hostAt, hostEnd)),
    app: nil(text.slice(appAt, appEnd)),
    procid: nil(text.slice(procAt, procEnd)),
    msgid: nil(text.slice(msgidAt, msgidEnd)),
    structuredData: nil(text.slice(sdAt, sdEnd)),
    msgStart: sdEnd < text.length ? skipBom(text, sdEnd + 1) : text.length
  }
}

/** `Mmm dd hh:mm:ss` at `lastIndex` (15 characters). */
const bsdTimestamp = /(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d [0-2]\d:[0-5]\d:[0-6]\d/y

/** `TAG[PID]:` (or `TAG:`) at `lastIndex`, the start of the content. */
const tagPattern = /([^\s[\]:]{1,48})(?:\[([^\]\s]{1,128})\])?:/y

/** `true` when the host-like word `text[i..end)` is not a host: it ends with `:` or has a `[` (it is the TAG). */
const isTag = (text: string, i: number, end: number): boolean => {
  if (text.charCodeAt(end - 1) === 0x3a) return true
  for (let j = i; j < end; j++) if (text.charCodeAt(j) === 0x5b) return true
  return false
}

/** RFC 3164 after `<PRI>` (at `i`). */
const parse3164 = (text: string, pri: number, i: number): SyslogMessage | undefined => {
  let timestamp: string
  bsdTimestamp.lastIndex = i
  if (bsdTimestamp.test(text)) {
    timestamp = text.slice(i, i + 15)
    i += 15
  } else {
    const end = token(text, i, 64)
    if (end === -1 || !rfc3339.test(text.slice(i, end))) return undefined
    timestamp = text.slice(i, end)
    i = end
  }
  let host: string | undefined
  let app: string | undefined
  let procid: string | undefined
  if (i < text.length) {
    if (text.charCodeAt(i) !== SP) return undefined
    i++
    const end = token(text, i, 255)
    if (end !== -1 && !isTag(text, i, end)) {
      host = text.slice(i, end)
      i = end < text.length ? end + 1 : end
    }
    tagPattern.lastIndex = i
    const tag = tagPattern.exec(text)
    if (tag !== null) {
      app = tag[1]
      procid = tag[2]
      i += tag[0].length
      if (text.charCodeAt(i) === SP) i++
    }
  }
  return {
    format: "rfc3164",
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version: undefined,
    timestamp,
    host,
    app,
    procid,
    msgid: undefined,
    structuredData: undefined,
    msgStart: i
  }
}

/**
 * The header of `text` as RFC 5424 (when a VERSION follows the PRI) or RFC 3164; `undefined` when it is
 * neither (no valid `<PRI>` 0–191, a bad timestamp, a broken STRUCTURED-DATA, ...). `parse` without the `Option`.
 */
export const parseHeader = (text: string): SyslogMessage | undefined => {
  if (text.charCodeAt(0) !== LT) return undefined
  let i = 1
  let pri = 0
  while (i < text.length && i <= 4 && isDigit(text.charCodeAt(i))) {
    pri = pri * 10 + text.charCodeAt(i) - DIGIT_0
    i++
  }
  const digits = i - 1
  if (digits === 0 || digits > 3 || text.charCodeAt(i) !== GT) return undefined
  if ((digits > 1 && text.charCodeAt(1) === DIGIT_0) || pri > 191) return undefined
  const next = i + 1
  // a VERSION: 1 to 3 digits, not starting with 0, then a space
  let j = next
  let version = 0
  while (j < next + 3 && isDigit(text.charCodeAt(j))) {
    version = version * 10 + text.charCodeAt(j) - DIGIT_0
    j++
  }
  const versioned = j > next && text.charCodeAt(next) !== DIGIT_0 && text.charCodeAt(j) === SP
  return versioned ? parse5424(text, pri, version, j + 1) : parse3164(text, pri, next)
}

/**
 * The header of `text` as RFC 5424 (when a VERSION follows the PRI) or RFC 3164; `None` when it is
 * neither (no valid `<PRI>` 0–191, a bad timestamp, a broken STRUCTURED-DATA, ...).
 */
export const parse = (text: string): Option.Option<SyslogMessage> => Option.fromNullable(parseHeader(text))

/** The MSG part of `text`, which `parse` read as `message`. */
export const body = (text: string, message: SyslogMessage): string => text.slice(message.msgStart)
