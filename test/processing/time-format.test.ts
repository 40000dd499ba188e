import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as TimeFormat from "../../src/processing/time-format.js"

/** A year guess as it would be on `iso` (a fixed clock). */
const yearAt = (iso: string) => TimeFormat.currentYear(() => Date.parse(iso))

/** Asserts that `parse` reads each text of `cases` as its ISO text (the pairs are compared whole, to name the text). */
const expectReads = (parse: TimeFormat.TimeParser, cases: ReadonlyArray<readonly [string, string]>) =>
  expect(cases.map(([text]) => [text, parse(text)])).toEqual(cases)

const compiled = (format: string, year = yearAt("2024-06-15T00:00:00Z")): TimeFormat.TimeParser =>
  Either.getOrThrow(TimeFormat.compile(format, year))

describe("TimeFormat.rfc3339", () => {
  it("gives UTC ISO text with at least three fraction digits, keeping every digit given", () => {
    expect(TimeFormat.rfc3339("2024-11-28T12:00:00.123456+01:00")).toBe("2024-11-28T11:00:00.123456Z")
    expect(TimeFormat.rfc3339("2024-11-28t12:00:00z")).toBe("2024-11-28T12:00:00.000Z")
    expect(TimeFormat.rfc3339("2024-11-28 12:00:00.5-00:30")).toBe("2024-11-28T12:30:00.500Z")
    const canonical = "2024-11-28T12:00:00.250Z"
    expect(TimeFormat.rfc3339(canonical)).toBe(canonical)
  })

  it("carries an offset across days, months, years and leap days", () => {
    expectReads(TimeFormat.rfc3339, [
      ["2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00.000Z"],
      ["2024-02-29T23:00:00-02:00", "2024-03-01T01:00:00.000Z"],
      ["2023-02-28T23:00:00-02:00", "2023-03-01T01:00:00.000Z"],
      ["2024-03-01T01:00:00+02:00", "2024-02-29T23:00:00.000Z"],
      ["2016-12-31T23:59:60Z", "2017-01-01T00:00:00.000Z"],
      ["0000-01-01T00:00:00+01:00", "-000001-12-31T23:00:00.000Z"]
    ])
  })

  it("refuses times that do not exist and text that is not RFC 3339", () => {
    for (const text of [
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-11-28T24:00:00Z",
      "2024-11-28T12:60:00Z",
      "2024-11-28T12:00:61Z",
      "2024-11-28T12:00:00+24:00",
      "2024-11-28T12:00:00",
      "2024-11-28T12:00:00.Z",
      "2024-11-28T12:00:00.1234567890Z",
      "2024-11-28T12:00:00+0100",
      "2024-11-28X12:00:00Z",
      "2024-11-28T12:00:00Z ",
      "24-11-28T12:00:00Z"
    ]) {
      expect([text, TimeFormat.rfc3339(text)]).toEqual([text, undefined])
    }
  })
})

describe("TimeFormat.rfc3164 and currentYear", () => {
  it("takes the current year, last year for a month more than one ahead, next year for January read in December", () => {
    const january = TimeFormat.rfc3164(yearAt("2024-01-05T10:00:00Z"))
    expect(january("Jan  5 09:00:00")).toBe("2024-01-05T09:00:00.000Z")
    expect(january("Feb  1 00:00:00")).toBe("2024-02-01T00:00:00.000Z")
    expect(january("Dec 31 23:59:59")).toBe("2023-12-31T23:59:59.000Z")
    const december = TimeFormat.rfc3164(yearAt("2024-12-31T23:00:00Z"))
    expect(december("Jan  1 00:00:01")).toBe("2025-01-01T00:00:01.000Z")
    expect(december("Nov 30 12:00:00")).toBe("2024-11-30T12:00:00.000Z")
  })

  it("reads one- and two-space days, month names in upper or lower case, and refuses days that do not exist", () => {
    const read = TimeFormat.rfc3164(yearAt("2023-12-01T00:00:00Z"))
    expect(read("Nov 28 12:00:00")).toBe("2023-11-28T12:00:00.000Z")
    expect(read("nov  8 12:00:00")).toBe("2023-11-08T12:00:00.000Z")
    expect(read("NOV 8 12:00:00")).toBe("2023-11-08T12:00:00.000Z")
    for (const text of ["Feb 29 12:00:00", "Nov 31 00:00:00", "Nov 28 25:00:00", "Now 28 12:00:00", "Nov 28 12:00", "N\u016Fv 28 12:00:00"]) {
      expect([text, read(text)]).toEqual([text, undefined])
    }
  })

  it("computes the year again when the clock passes into another month", () => {
    let now = Date.parse("2024-12-31T23:59:59Z")
    const year = TimeFormat.currentYear(() => now)
    expect(year(6)).toBe(2024)
    now = Date.parse("2025-01-01T00:00:01Z")
    expect(year(1)).toBe(2025)
    expect(year(2)).toBe(2025)
    expect(year(12)).toBe(2024)
    now = Date.parse("2024-12-01T00:00:00Z") // a clock set back
    expect(year(12)).toBe(2024)
  })
})

describe("TimeFormat unix and unix_ms", () => {
  it("reads seconds and milliseconds, fractions exact, negative times counted back from 1970", () => {
    expectReads(TimeFormat.unix, [
      ["1732795200", "2024-11-28T12:00:00.000Z"],
      ["1732795200.5", "2024-11-28T12:00:00.500Z"],
      ["1732795200.123456789", "2024-11-28T12:00:00.123456789Z"],
      ["-1", "1969-12-31T23:59:59.000Z"],
      ["-1.25", "1969-12-31T23:59:58.750Z"],
      ["-0.000001", "1969-12-31T23:59:59.999999Z"]
    ])
    expectReads(TimeFormat.unixMs, [
      ["1732795200123", "2024-11-28T12:00:00.123Z"],
      ["1732795200123.456", "2024-11-28T12:00:00.123456Z"],
      ["5", "1970-01-01T00:00:00.005Z"],
      ["-5", "1969-12-31T23:59:59.995Z"]
    ])
  })

  it("refuses text that is not a decimal number, and times outside what a Date holds", () => {
    for (const text of ["", "1e9", "0x10", " 1", "1.", "+1", "9".repeat(20)]) {
      expect([text, TimeFormat.unix(text)]).toEqual([text, undefined])
    }
    expect(TimeFormat.unixMs("8640000000000000")).toBe("+275760-09-13T00:00:00.000Z")
    expect(TimeFormat.unixMs("8640000000000001")).toBeUndefined()
    expect(TimeFormat.unix("-8640000000000")).toBe("-271821-04-20T00:00:00.000Z")
  })
})

describe("TimeFormat.compile (strftime-like patterns)", () => {
  it("reads the nginx access log time", () => {
    expect(compiled("%d/%b/%Y:%H:%M:%S %z")("10/Oct/2000:13:55:36 -0700")).toBe("2000-10-10T20:55:36.000Z")
  })

  it("reads fractions, 12-hour clocks, 2-digit years, names, zone names and shorthands", () => {
    expect(compiled("%Y-%m-%d %H:%M:%S.%f")("2024-11-28 12:00:00.042")).toBe("2024-11-28T12:00:00.042Z")
    expect(compiled("%y%m%d %I:%M %p")("241128 12:05 am")).toBe("2024-11-28T00:05:00.000Z")
    expect(compiled("%y%m%d %I:%M %p")("691128 01:05 PM")).toBe("1969-11-28T13:05:00.000Z")
    expect(compiled("%a, %d %b %Y %T %Z")("Thu, 28 Nov 2024 12:00:00 GMT")).toBe("2024-11-28T12:00:00.000Z")
    expect(compiled("%B %e, %Y %R")("November  8, 2024 07:30")).toBe("2024-11-08T07:30:00.000Z")
    expect(compiled("%F %T%z")("2024-11-28 12:00:00+05")).toBe("2024-11-28T07:00:00.000Z")
    expect(compiled("%F %T %z")("2024-11-28 12:00:00 +05:30")).toBe("2024-11-28T06:30:00.000Z")
    expect(compiled("%D")("11/28/24")).toBe("2024-11-28T00:00:00.000Z")
    expect(compiled("[%d.%m.%Y %%]")("[28.11.2024 %]")).toBe("2024-11-28T00:00:00.000Z")
    expect(compiled("%s")("1732795200")).toBe("2024-11-28T12:00:00.000Z")
    expect(compiled("%s.%f")("-1.25")).toBe("1969-12-31T23:59:58.750Z")
  })

  it("takes a missing year from the year guess", () => {
    expect(compiled("%b %e %T", yearAt("2024-01-02T00:00:00Z"))("Dec 30 10:00:00")).toBe("2023-12-30T10:00:00.000Z")
  })

  it("does not match text of another shape or a time that does not exist", () => {
    const nginx = compiled("%d/%b/%Y:%H:%M:%S %z")
    for (const text of ["10/Oct/2000:13:55:36", "31/Nov/2000:13:55:36 +0000", "10/Foo/2000:13:55:36 +0000", "10/Oct/2000:13:55:36 +2500"]) {
      expect([text, nginx(text)]).toEqual([text, undefined])
    }
    expect(compiled("%I:%M %p %d/%m/%Y")("13:00 PM 01/01/2024")).toBeUndefined()
  })

  it("refuses formats it cannot use, saying why", () => {
    expect(TimeFormat.compile("%d/%Q")).toEqual(Either.left("unknown directive %Q"))
    expect(TimeFormat.compile("%d %m %")).toEqual(Either.left("the format ends with a lone %"))
    expect(TimeFormat.compile("%H:%M")).toEqual(
      Either.left("the format has no date: it needs %s, or a day (%d, %e) and a month (%m, %b, %B)")
    )
    expect(TimeFormat.compile("%d/%m %I:%M")).toEqual(Either.left("%I (12-hour clock) and %p (AM/PM) go together"))
    expect(TimeFormat.compile("iso8601")).toEqual(Either.left("expected rfc3339, rfc3164, unix, unix_ms, or a pattern with % directives"))
  })
})
