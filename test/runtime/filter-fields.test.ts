/**
 * Filters over record fields: key resolution (bare, `$field`, `#tag`), numeric comparison, text
 * operators, their parse errors, and `checkFields` against a known field list.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Equal, Option } from "effect"
import { type ConfigError, SourceEvent, Tags } from "../../src/index.js"
import * as DataRecord from "../../src/model/record.js"
import * as Filter from "../../src/runtime/filter.js"

const record = (o: { readonly [k: string]: unknown }): DataRecord.DataRecord => Either.getOrThrow(DataRecord.fromJson(o))

const isRecord = (u: object): u is DataRecord.DataRecord => "fields" in u && Array.isArray(u.fields)

const event = (
  tags: { readonly [k: string]: string },
  fields?: { readonly [k: string]: unknown } | DataRecord.DataRecord
): SourceEvent.SourceEvent =>
  SourceEvent.make({
    eventId: 1,
    srcKey: "web_in",
    payload: "x",
    tags: Tags.make(tags),
    record: fields === undefined ? undefined : isRecord(fields) ? fields : record(fields)
  })

const parsed = (text: string): Filter.Filter => {
  const r = Filter.parse(text)
  if (Either.isLeft(r)) throw new Error(`${text}: ${r.left.message}`)
  return r.right
}

const error = (text: string): ConfigError => {
  const r = Filter.parse(text, "sink_group.filter")
  if (Either.isRight(r)) throw new Error(`${text} parsed as ${Filter.toString(r.right)}`)
  return r.left
}

const digit = (n: bigint): DataRecord.Value => Option.getOrThrow(DataRecord.digit(n))

const check = (table: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, SourceEvent.SourceEvent, boolean]>]>) => {
  for (const [text, cases] of table) {
    it(text, () => {
      const f = parsed(text)
      for (const [name, ev, want] of cases) expect([name, Filter.matches(f, ev)]).toEqual([name, want])
    })
  }
}

// The same key as a field and as a tag, with different values.
const both = event({ env: "tag-env", level: "info" }, { env: "field-env", status: 503 })
const tagOnly = event({ env: "tag-env" })
const web = event({ zone: "eu" }, {
  status: 503,
  ratio: 0.25,
  code: "404",
  word: "abc",
  ok: true,
  nothing: null,
  at: "2024-01-02T03:04:05Z",
  http: { status: 200, path: "/api/v1/users" },
  "k8s.pod": "p-1",
  "user agent": "curl/8.0"
})

describe("records held as parsed (DataRecord.fromPlain)", () => {
  it("a filter reads a plain-backed record's fields as it reads the same record made field by field", () => {
    const o = { status: 503, ratio: 0.25, code: "404", ok: true, nothing: null, http: { status: 200, path: "/api/v1/users" }, "k8s.pod": "p-1" }
    const ordinary = event({ zone: "eu" }, o)
    const plain = event({ zone: "eu" }, DataRecord.fromPlain(o))
    const filters = [
      `status >= 500`, `ratio < 0.5`, `code == "404"`, `ok == "true"`, `exists(nothing)`, `$http.status == 200`,
      `$http.path starts_with "/api/"`, `$"k8s.pod" == "p-1"`, `status >= 500 && #zone == "eu"`, `!exists(missing)`, `status < 500`
    ]
    const results = filters.map((f) => [f, Filter.matches(parsed(f), plain)] as const)
    expect(results).toEqual(filters.map((f) => [f, Filter.matches(parsed(f), ordinary)] as const))
    // and they are not all the same answer: the comparison means something
    expect(new Set(results.map(([, r]) => r))).toEqual(new Set([true, false]))
  })
})

describe("key resolution", () => {
  check([
    [`env == "field-env"`, [["bare: the field when the record has it", both, true], ["bare: else the tag", tagOnly, false]]],
    [`env == "tag-env"`, [["bare: not the tag when the field is there", both, false], ["bare: the tag without a record", tagOnly, true]]],
    [`level == "info"`, [["bare: the tag when the record lacks the field", both, true]]],
    [`$env == "field-env"`, [["$: the field", both, true], ["$: never the tag", tagOnly, false]]],
    [`$env != "x"`, [["$: a missing field is not equal", tagOnly, true]]],
    [`#env == "tag-env"`, [["#: the tag though a field is named so", both, true], ["#: the tag", tagOnly, true]]],
    [`#"env" == "tag-env"`, [["#: quoted", both, true]]],
    [`$http.status == "200"`, [["$: a dotted path into an object", web, true]]],
    [`http.status == "200"`, [["bare: a dotted path", web, true]]],
    [`$k8s.pod == "p-1"`, [["$: a top-level name with a dot wins", web, true]]],
    [`$"user agent" starts_with "curl/"`, [["$: a quoted name", web, true]]],
    [`src_key == "web_in"`, [["src_key is the source key", web, true]]],
    [`exists(env)`, [["bare exists: field", both, true], ["bare exists: tag", tagOnly, true], ["bare exists: neither", web, false]]],
    [`exists($env)`, [["$ exists: field", both, true], ["$ exists: not a tag", tagOnly, false]]],
    [`exists(#level)`, [["# exists: tag", both, true], ["# exists: not a field", web, false]]],
    [`exists($nothing)`, [["a null field exists", web, true]]],
    [`exists($http.path) && !exists($http.query)`, [["exists inside an object", web, true]]]
  ])
})

describe("numeric comparison", () => {
  const big = event({}, DataRecord.make([
    DataRecord.field("max", digit(9223372036854775807n)),
    DataRecord.field("n", digit(9007199254740993n)),
    DataRecord.field("nan", DataRecord.float(Number.NaN)),
    DataRecord.field("f", DataRecord.float(9007199254740992))
  ]))
  const tags = event({ port: "514", big: "9223372036854775807", port_text: "tcp", padded: " 514" })
  check([
    [`status >= 500`, [["digit >=", web, true], ["no field, no tag", tagOnly, false]]],
    [`status > 503 || status < 503`, [["digit > and <", web, false]]],
    [`status == 503 && status != 504 && status <= 503`, [["digit == != <=", web, true]]],
    [`status == 503.0`, [["digit and a fractional literal of the same value", web, true]]],
    [`status < 503.5 && status > 502.5`, [["digit against a fraction", web, true]]],
    [`ratio > 0.2 && ratio < 0.3 && ratio == 0.25 && ratio == 25e-2`, [["float", web, true]]],
    [`ratio < 1`, [["float against an integer literal", web, true]]],
    [`max > 9223372036854775806`, [["digit compared exactly, not as a double", big, true]]],
    [`max == 9223372036854775807`, [["digit at the i64 maximum", big, true]]],
    [`n > 9007199254740992`, [["digit above 2^53 is exact", big, true]]],
    [`f < 9007199254740993`, [["float against a big integer literal, exactly", big, true]]],
    [`nan == 0 || nan < 0 || nan >= 0`, [["NaN satisfies nothing", big, false]]],
    [`nan != 0`, [["NaN satisfies !=", big, true]]],
    [`code == 404 && code > 400`, [["a chars field holding a number", web, true]]],
    [`word > 0 || word == 0`, [["a chars field that is no number", web, false]]],
    [`word != 0`, [["!= is true for text that is no number", web, true]]],
    [`ok == 1 || at > 0 || http > 0`, [["bool, time and object are no numbers", web, false]]],
    [`missing != 1`, [["!= is true for a missing key", web, true]]],
    [`missing < 1 || missing >= 1`, [["order is false for a missing key", web, false]]],
    [`port == 514 && port >= 1 && port < 1024`, [["a tag holding a number", tags, true]]],
    [`big == 9223372036854775807 && big > 9223372036854775806`, [["a long integer tag exactly", tags, true]]],
    [`port_text < 1 || port_text >= 1 || padded == 514`, [["tags that are no number", tags, false]]],
    [`status == -1 || status < -1`, [["negative literals", web, false]]],
    [`http.status < 300`, [["a dotted path", web, true]]]
  ])
})

describe("text operators", () => {
  check([
    [`$http.path starts_with "/api/"`, [["starts_with", web, true]]],
    [`$http.path ends_with "/users" && $http.path contains "/v1/"`, [["ends_with and contains", web, true]]],
    [`$http.path starts_with "/v1"`, [["starts_with is anchored", web, false]]],
    [`env contains "tag"`, [["on a tag", tagOnly, true]]],
    [`missing contains ""`, [["never true for a missing key", web, false]]],
    [`status == "503" && status starts_with "50" && status in ["503"]`, [["on a digit's text", web, true]]],
    [`ratio == "0.25" && ok == "true" && nothing == "null"`, [["on other values' text", web, true]]],
    [`$http ~= "\\"status\\":200"`, [["an object's JSON text", web, true]]],
    [`status not in ["500", "503"]`, [["not in on a digit", web, false]]],
    [`$http.path ~= "^/api/v\\d+/"`, [["~= on a field", web, true]]],
    [`starts_with == "x" || contains starts_with "y"`, [["operator words are still keys", event({ starts_with: "x" }), true]]]
  ])
})

describe("printing", () => {
  it("prints the new forms canonically, and the print parses back to an equal filter", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      [`$http.status>=500&&#env=="prod"`, `$http.status >= 500 && #env == "prod"`],
      [`$"user agent" contains 'curl'`, `$"user agent" contains "curl"`],
      [`#'a b' starts_with "x" || $x ends_with "y"`, `#"a b" starts_with "x" || $x ends_with "y"`],
      [`n != -1.50 || n < 2e3`, `n != -1.50 || n < 2e3`],
      [`exists($a.b) && !exists(#c)`, `exists($a.b) && !exists(#c)`],
      [`!(status>=500)`, `!(status >= 500)`]
    ]
    for (const [input, printed] of cases) {
      const f = parsed(input)
      expect(Filter.toString(f)).toBe(printed)
      const again = parsed(printed)
      expect(Filter.toString(again)).toBe(printed)
      expect(Equal.equals(f, again)).toBe(true)
    }
  })
})

describe("parse errors of the new forms", () => {
  const cases: ReadonlyArray<readonly [string, number, string, string | undefined]> = [
    [`$ == "x"`, 1, `expected a field name after "$"`, `write $name, or $"name" for a name with other characters`],
    [`a == "1" && #`, 13, `expected a tag key after "#"`, `write #name, or #"name" for a name with other characters`],
    [`$"" == "x"`, 1, `expected a field name after "$" but found an empty string`, undefined],
    [`$"abc == 1`, 2, `unterminated string: expected a closing " but found end of input`, undefined],
    [`$status`, 8, `expected an operator (==, !=, <, <=, >, >=, ~=, in, not in, starts_with, ends_with, contains) after "$status" but found end of input`, undefined],
    [`status < "500"`, 10, `expected a number after "<" but found string "500"`, `write the number unquoted: 500`],
    [`status >= "high"`, 11, `expected a number after ">=" but found string "high"`, undefined],
    [`status > abc`, 10, `expected a number after ">" but found "abc"`, undefined],
    [`status == 1.2.3`, 11, `expected a quoted string or a number after "==" but found "1.2.3"`, `quote the value: "1.2.3"`],
    [`path ~= api`, 9, `expected a quoted string after "~=" but found "api"`, `quote the value: "api"`],
    [`path ~= 5`, 9, `expected a quoted string after "~=" but found "5"`, `quote the value: "5"`],
    [`path starts_with api`, 18, `expected a quoted string after "starts_with" but found "api"`, `quote the value: "api"`],
    [`path contains 5`, 15, `expected a quoted string after "contains" but found "5"`, `quote the value: "5"`],
    [`status in [500]`, 12, `expected a quoted string or "]" but found "500"`, `quote it: "500" (in compares text)`],
    [`status => 5`, 8, `unexpected character "="`, "use == to compare"],
    [`exists(1 2)`, 10, `expected ")" but found "2"`, undefined]
  ]
  for (const [text, column, detail, suggestion] of cases) {
    it(`${text} -> column ${column}`, () => {
      const e = error(text)
      expect([e.code, e.column, e.detail, e.path, e.suggestion]).toEqual([300, column, `${detail} at column ${column}`, "sink_group.filter", suggestion])
    })
  }
})

describe("Filter.checkFields", () => {
  const known = ["ts", "status", "http.path", "geo"]

  it("gives nothing when the fields are not known", () => {
    expect(Filter.checkFields(parsed(`$anything == "x"`), undefined, "sink_group[g].filter")).toEqual([])
  })

  it("names each unknown explicit field with its column and the nearest known one", () => {
    const errors = Filter.checkFields(parsed(`$stauts >= 500 && ($ts != "" || exists($zzzz))`), known, "sink_group[g].filter")
    expect(errors.map((e) => [e._tag, e.code, e.path, e.column, e.detail, e.suggestion])).toEqual([
      ["ConfigError", 300, "sink_group[g].filter", 1, `unknown field "stauts" at column 1`, `did you mean "status"?`],
      ["ConfigError", 300, "sink_group[g].filter", 40, `unknown field "zzzz" at column 40`, undefined]
    ])
    expect(errors[0]!.expected).toBe("a field the events here have (ts, status, http.path, geo)")
    expect(errors[0]!.message).toContain(`sink_group[g].filter: unknown field "stauts" at column 1`)
  })

  it("accepts paths inside a known object and objects that hold a known path", () => {
    const ok = parsed(`$geo.country == "FR" && exists($http) && $http.path starts_with "/"`)
    expect(Filter.checkFields(ok, known, "f")).toEqual([])
    const bad = Filter.checkFields(parsed(`$http.status == 200`), known, "f")
    expect(bad.map((e) => e.detail)).toEqual([`unknown field "http.status" at column 1`])
  })

  it("leaves bare names and tags alone: a bare name that is no field is a tag", () => {
    expect(Filter.checkFields(parsed(`env == "prod" && #level == "x" && src_key == "a"`), known, "f")).toEqual([])
  })

  it("says when no field is known, and keeps columns through Filter.and", () => {
    const f = Filter.and(parsed(`$a == "1"`), parsed(`  $b == "2"`))
    const errors = Filter.checkFields(f, [], "f")
    expect(errors.map((e) => [e.column, e.expected])).toEqual([[1, "a field the events here have (none)"], [3, "a field the events here have (none)"]])
  })
})

describe("Filter.matches over records", () => {
  it("evaluates a field filter over a million events quickly", () => {
    const f = parsed(`status >= 500 && $http.path starts_with "/api/" || #env == "debug"`)
    const events = Array.from({ length: 1000 }, (_, i) =>
      event({ env: i % 7 === 0 ? "debug" : "prod" }, { status: 200 + (i % 400), http: { path: i % 2 === 0 ? "/api/x" : "/web" } })
    )
    let n = 0
    const t0 = performance.now()
    for (let r = 0; r < 1000; r++) for (const e of events) if (Filter.matches(f, e)) n++
    const ms = performance.now() - t0
    const want = events.filter((_, i) => (200 + (i % 400) >= 500 && i % 2 === 0) || i % 7 === 0).length
    expect(n).toBe(1000 * want)
    // Well under a second on the CI machine; the bound only catches an accidental slow path.
    expect(ms).toBeLessThan(5000)
  })
})
