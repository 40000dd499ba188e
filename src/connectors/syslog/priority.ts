/**
 * Syslog facilities and severities (RFC 5424 §6.2.1) by number or by name, as params and as record
 * values, and the PRI they make (`facility * 8 + severity`).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import type * as DataRecord from "../../model/record.js"

/** Facility names by number, as syslog-ng spells them. */
export const facilityNames: ReadonlyArray<string> = [
  "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp",
  "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"
]

/** Severity names by number. */
export const severityNames: ReadonlyArray<string> = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

/** Other names in use for a facility. */
const facilityAliases: ReadonlyMap<string, number> = new Map([["audit", 13], ["clock", 15], ["cron2", 15]])

/** Other names in use for a severity (`error`, `warn`, ...). */
const severityAliases: ReadonlyMap<string, number> = new Map([
  ["panic", 0], ["critical", 2], ["error", 3], ["warn", 4], ["informational", 6]
])

/** Every name of a facility or severity, lower case, to its number. */
const byName = (names: ReadonlyArray<string>, aliases: ReadonlyMap<string, number>): ReadonlyMap<string, number> =>
  new Map([...names.map((n, i) => [n, i] as const), ...aliases])

const facilityByName = byName(facilityNames, facilityAliases)
const severityByName = byName(severityNames, severityAliases)

/** A facility param: 0 to 23, or a name (`user`, `local0`, ...). */
export const Facility = Schema.Union(
  Schema.Int.pipe(Schema.between(0, 23)),
  Schema.Literal(...facilityNames, ...facilityAliases.keys())
).annotations({ description: `a facility: 0 to 23, or one of ${facilityNames.join(", ")}` })

/** A severity param: 0 to 7, or a name (`err`, `warning`, `info`, ...). */
export const Severity = Schema.Union(
  Schema.Int.pipe(Schema.between(0, 7)),
  Schema.Literal(...severityNames, ...severityAliases.keys())
).annotations({ description: `a severity: 0 to 7, or one of ${severityNames.join(", ")}` })

/** The number of a facility or severity given by number or by name (`undefined` when it is neither, or out of `0..max`). */
const codeOf = (names: ReadonlyMap<string, number>, max: number) => {
  const code = (value: number | string): number | undefined => {
    if (typeof value === "number") return Number.isInteger(value) && value >= 0 && value <= max ? value : undefined
    // an exact name is the common case: no trimming, no lower-casing
    const exact = names.get(value)
    if (exact !== undefined) return exact
    const text = value.trim().toLowerCase()
    if (/^\d{1,2}$/.test(text)) return code(Number(text))
    return names.get(text)
  }
  return code
}

/** The number of a facility param (or record value's text): `"local0"` is 16. */
export const facilityCode = codeOf(facilityByName, 23)

/** The number of a severity param (or record value's text): `"warn"` is 4. */
export const severityCode = codeOf(severityByName, 7)

/** The number a record value names: a `Digit` from 0 to `max`, or `Chars` that `code` reads. */
const fromValue = (value: DataRecord.Value, max: number, code: (value: number | string) => number | undefined): number | undefined => {
  if (value._tag === "Chars") return code(value.value)
  if (value._tag !== "Digit") return undefined
  // one conversion, then number compares: a Digit too large for a number is no code either way
  const n = Number(value.value)
  return n >= 0 && n <= max ? n : undefined
}

/** The facility a record value names, or `undefined`. */
export const facilityOfValue = (value: DataRecord.Value): number | undefined => fromValue(value, 23, facilityCode)

/** The severity a record value names, or `undefined`. */
export const severityOfValue = (value: DataRecord.Value): number | undefined => fromValue(value, 7, severityCode)

/** The PRI of a facility and a severity. */
export const pri = (facility: number, severity: number): number => facility * 8 + severity
