import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import { ProcessorError } from "../../src/errors/processor.js"
import * as DataRecord from "../../src/model/record.js"
import * as FieldPath from "../../src/processing/field-path.js"

const path = (text: string): FieldPath.FieldPath => Either.getOrThrow(FieldPath.parse(text))
const digit = (n: number): DataRecord.Value => Option.getOrThrow(DataRecord.digit(n))
const chars = DataRecord.chars

const record = (o: { readonly [k: string]: unknown }): DataRecord.DataRecord => Either.getOrThrow(DataRecord.fromJson(o))
const json = (r: DataRecord.DataRecord | ProcessorError): string => {
  if (r instanceof ProcessorError) throw new Error(r.message)
  return DataRecord.toJsonText(r)
}

const web = record({ host: "web-1", http: { status: 503, req: { method: "GET" } }, "k8s.pod": "p-1", k8s: { pod: "shadowed" } })

describe("FieldPath.parse", () => {
  it("splits a dotted path into keys and keeps a plain name whole", () => {
    expect(path("status")).toEqual({ text: "status", keys: ["status"] })
    expect(path("http.req.method")).toEqual({ text: "http.req.method", keys: ["http", "req", "method"] })
    expect(FieldPath.isTopLevel(path("status"))).toBe(true)
    expect(FieldPath.isTopLevel(path("a.b"))).toBe(false)
  })

  it("refuses an empty name and empty keys with a ConfigError at the place given", () => {
    for (const [text, detail] of [
      ["", "empty field name"],
      ["a..b", `field path "a..b" has an empty key`],
      [".a", `field path ".a" has an empty key`],
      ["a.", `field path "a." has an empty key`]
    ] as const) {
      const e = Either.getLeft(FieldPath.parse(text, "processors[0].params.fields[1]")).pipe(Option.getOrThrow)
      expect([e._tag, e.code, e.detail, e.path]).toEqual(["ConfigError", 300, detail, "processors[0].params.fields[1]"])
    }
    expect(Option.getOrThrow(Either.getLeft(FieldPath.parse(""))).path).toBeUndefined()
  })
})

describe("FieldPath.get", () => {
  it("reads a top-level field, the first of equal names", () => {
    const r = DataRecord.make([DataRecord.field("a", chars("1")), DataRecord.field("a", chars("2"))])
    expect(FieldPath.get(r, path("a"))).toEqual(chars("1"))
    expect(FieldPath.get(r, path("b"))).toBeUndefined()
  })

  it("follows a dotted path through objects", () => {
    expect(FieldPath.get(web, path("http.status"))).toEqual(digit(503))
    expect(FieldPath.get(web, path("http.req.method"))).toEqual(chars("GET"))
    expect(FieldPath.get(web, path("http.req"))).toEqual(DataRecord.obj({ method: chars("GET") }))
  })

  it("prefers a top-level field whose name is the whole dotted text", () => {
    expect(FieldPath.get(web, path("k8s.pod"))).toEqual(chars("p-1"))
  })

  it("is undefined for a missing key, or a key under something that is not an object", () => {
    expect(FieldPath.get(web, path("http.missing"))).toBeUndefined()
    expect(FieldPath.get(web, path("nope.x"))).toBeUndefined()
    expect(FieldPath.get(web, path("host.x"))).toBeUndefined()
    expect(FieldPath.get(web, path("http.status.code"))).toBeUndefined()
  })
})

describe("FieldPath.hasName", () => {
  it("tells whether a top-level field has the whole name, dots and all", () => {
    expect([FieldPath.hasName(web, "host"), FieldPath.hasName(web, "k8s.pod"), FieldPath.hasName(web, "http.status"), FieldPath.hasName(web, "x")]).toEqual([
      true,
      true,
      false,
      false
    ])
  })
})

describe("FieldPath.set", () => {
  it("replaces a top-level field in place, with the new value's kind as meta", () => {
    const r = DataRecord.make([DataRecord.field("a", chars("1"), "custom"), DataRecord.field("b", chars("2"))])
    const out = FieldPath.set(r, path("a"), digit(7))
    expect(out).toEqual({ fields: [DataRecord.field("a", digit(7)), DataRecord.field("b", chars("2"))] })
    expect(r.fields[0]!.value).toEqual(chars("1"))
  })

  it("adds a missing top-level field last", () => {
    expect(json(FieldPath.set(record({ a: 1 }), path("b"), chars("x")))).toBe(`{"a":1,"b":"x"}`)
  })

  it("sets a key inside an object, keeping the rest of it and the original record", () => {
    expect(json(FieldPath.set(web, path("http.status"), digit(200)))).toBe(
      `{"host":"web-1","http":{"status":200,"req":{"method":"GET"}},"k8s.pod":"p-1","k8s":{"pod":"shadowed"}}`
    )
    expect(json(FieldPath.set(web, path("http.req.path"), chars("/")))).toContain(`"req":{"method":"GET","path":"/"}`)
    expect(FieldPath.get(web, path("http.status"))).toEqual(digit(503))
  })

  it("creates the field and the objects a dotted path needs", () => {
    expect(json(FieldPath.set(record({ a: 1 }), path("x.y.z"), digit(1)))).toBe(`{"a":1,"x":{"y":{"z":1}}}`)
    expect(json(FieldPath.set(web, path("http.tls.version"), chars("1.3")))).toContain(`"tls":{"version":"1.3"}`)
  })

  it("sets the top-level field named by the whole dotted text when there is one", () => {
    expect(json(FieldPath.set(web, path("k8s.pod"), chars("p-2")))).toContain(`"k8s.pod":"p-2","k8s":{"pod":"shadowed"}`)
  })

  it("fails with a ProcessorError (540) where the path runs into something that is not an object", () => {
    const top = FieldPath.set(web, path("host.name"), chars("x"))
    expect(top).toBeInstanceOf(ProcessorError)
    expect((top as ProcessorError).code).toBe(540)
    expect((top as ProcessorError).detail).toBe(`cannot set "host.name": "host" is chars, not an object`)
    const deep = FieldPath.set(web, path("http.status.code"), digit(1))
    expect((deep as ProcessorError).detail).toBe(`cannot set "http.status.code": "http.status" is digit, not an object`)
  })
})

describe("FieldPath.remove", () => {
  it("removes every top-level field of the name", () => {
    const r = DataRecord.make([DataRecord.field("a", chars("1")), DataRecord.field("b", chars("2")), DataRecord.field("a", chars("3"))])
    expect(FieldPath.remove(r, path("a"))).toEqual({ fields: [DataRecord.field("b", chars("2"))] })
  })

  it("removes a key inside an object, leaving the object", () => {
    expect(json(FieldPath.remove(web, path("http.req.method")))).toContain(`"http":{"status":503,"req":{}}`)
    expect(json(FieldPath.remove(web, path("http.status")))).toContain(`"http":{"req":{"method":"GET"}}`)
  })

  it("removes the top-level field named by the whole dotted text first", () => {
    expect(json(FieldPath.remove(web, path("k8s.pod")))).toBe(
      `{"host":"web-1","http":{"status":503,"req":{"method":"GET"}},"k8s":{"pod":"shadowed"}}`
    )
  })

  it("gives back the same record when there is nothing to remove", () => {
    for (const text of ["nope", "nope.x", "host.x", "http.missing", "http.status.code", "http.req.x"]) {
      expect(FieldPath.remove(web, path(text))).toBe(web)
    }
  })
})
