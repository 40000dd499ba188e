import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { SyslogParser } from "../../../src/connectors/syslog/index.js"

const parse = (text: string) => Option.getOrUndefined(SyslogParser.parse(text))
const body = (text: string) => {
  const m = parse(text)
  return m === undefined ? undefined : SyslogParser.body(text, m)
}

describe("SyslogParser RFC 5424", () => {
  it("reads every header field and the MSG (after its BOM)", () => {
    const text = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8"
    expect(parse(text)).toEqual({
      format: "rfc5424",
      pri: 34,
      facility: 4,
      severity: 2,
      version: 1,
      timestamp: "2003-10-11T22:14:15.003Z",
      host: "mymachine.example.com",
      app: "su",
      procid: undefined,
      msgid: "ID47",
      structuredData: undefined,
      msgStart: text.indexOf("'su root'")
    })
    expect(body(text)).toBe("'su root' failed for lonvick on /dev/pts/8")
  })

  it("reads a numeric offset timestamp, a PROCID and NIL fields", () => {
    const m = parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.")
    expect(m).toMatchObject({ facility: 20, severity: 5, host: "192.0.2.1", app: "myproc", procid: "8710", msgid: undefined })
    expect(body("<165>1 - - - - - - msg")).toBe("msg")
    expect(parse("<165>1 - - - - - - msg")).toMatchObject({ timestamp: undefined, host: undefined, app: undefined })
  })

  it("reads STRUCTURED-DATA, with quoted ] and escapes, with or without a MSG", () => {
    const sd = `[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][x@1 a="b\\]c\\"d"]`
    const text = `<165>1 2003-10-11T22:14:15.003Z host evntslog - ID47 ${sd} An application event`
    expect(parse(text)?.structuredData).toBe(sd)
    expect(body(text)).toBe("An application event")
    const bare = `<165>1 2003-10-11T22:14:15.003Z host app - - ${sd}`
    expect(parse(bare)?.structuredData).toBe(sd)
    expect(body(bare)).toBe("")
  })

  it("refuses a broken header: bad version, timestamp, missing fields, unterminated or glued SD", () => {
    expect(parse("<13>1 yesterday host app - - - msg")).toBeUndefined()
    expect(parse("<13>1 2003-10-11T22:14:15Z host app")).toBeUndefined()
    expect(parse(`<13>1 2003-10-11T22:14:15Z host app - - [x@1 a="b"`)).toBeUndefined()
    expect(parse(`<13>1 2003-10-11T22:14:15Z host app - - [x@1]msg`)).toBeUndefined()
    expect(parse("<13>1 2003-10-11T22:14:15Z host app - - nosd msg")).toBeUndefined()
    expect(parse("<13>1 2003-10-11T22:14:15Z h\u00e9st app - - - msg")).toBeUndefined()
  })
})

describe("SyslogParser RFC 3164", () => {
  it("reads timestamp, host, TAG and the MSG", () => {
    const text = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"
    expect(parse(text)).toMatchObject({
      format: "rfc3164",
      facility: 4,
      severity: 2,
      timestamp: "Oct 11 22:14:15",
      host: "mymachine",
      app: "su",
      procid: undefined
    })
    expect(body(text)).toBe("'su root' failed for lonvick on /dev/pts/8")
  })

  it("reads TAG[PID], a space-padded day, and the variants without host, without TAG, with an RFC 3339 time", () => {
    expect(parse("<13>Feb  5 17:32:18 10.0.0.99 sshd[2044]: Accepted publickey")).toMatchObject({
      host: "10.0.0.99",
      app: "sshd",
      procid: "2044"
    })
    expect(body("<13>Feb  5 17:32:18 10.0.0.99 sshd[2044]: Accepted publickey")).toBe("Accepted publickey")
    expect(parse("<13>Feb  5 17:32:18 sshd[2044]: no host")).toMatchObject({ host: undefined, app: "sshd", procid: "2044" })
    const untagged = "<13>Feb  5 17:32:18 host just a message"
    expect(parse(untagged)).toMatchObject({ host: "host", app: undefined })
    expect(body(untagged)).toBe("just a message")
    expect(parse("<13>2023-10-11T22:14:15.003Z web nginx: GET /")).toMatchObject({
      timestamp: "2023-10-11T22:14:15.003Z",
      host: "web",
      app: "nginx"
    })
    expect(body("<13>Feb  5 17:32:18 host")).toBe("")
  })

  it("refuses a message without a valid timestamp", () => {
    expect(parse("<13>hello world")).toBeUndefined()
    expect(parse("<13>Foo 11 22:14:15 host app: x")).toBeUndefined()
    expect(parse("<13>Oct 11 22:14:15host app: x")).toBeUndefined()
  })
})

describe("SyslogParser PRI", () => {
  it("takes 0 to 191: facility = PRI >> 3, severity = PRI & 7", () => {
    expect(parse("<0>Oct 11 22:14:15 h a: x")).toMatchObject({ pri: 0, facility: 0, severity: 0 })
    expect(parse("<191>Oct 11 22:14:15 h a: x")).toMatchObject({ pri: 191, facility: 23, severity: 7 })
    expect(parse("<7>1 - - - - - -")).toMatchObject({ facility: 0, severity: 7, format: "rfc5424" })
  })

  it("refuses out-of-range, leading zeros, empty, non-digits, unterminated or missing PRI", () => {
    for (const bad of ["<192>Oct 11 22:14:15 h a: x", "<999>Oct 11 22:14:15 h a: x", "<1000>x", "<01>Oct 11 22:14:15 h a: x", "<>x", "<1a>x", "<13", "13>x", "", "plain text", "\u0000\u00ff garbage"]) {
      expect(parse(bad)).toBeUndefined()
    }
  })
})
