import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Entry from "../../../src/connectors/redis/entry.js"

const b = (s: string) => Buffer.from(s, "utf8")

describe("redis Entry", () => {
  it("parses an XREADGROUP reply into entries, in order, with a deleted entry's fields undefined", () => {
    const reply = [[b("S"), [[b("1-0"), [b("payload"), b("a")]], [b("1-1"), null], [b("2-0"), [b("k"), b("v"), b("payload"), b("c")]]]]]
    const entries = Either.getOrThrow(Entry.fromReadGroup(reply))
    expect(entries.map((e) => e.id)).toEqual(["1-0", "1-1", "2-0"])
    expect(entries[1]!.fields).toBeUndefined()
    expect(entries[2]!.fields!.map(([k, v]) => `${k.toString()}=${v.toString()}`)).toEqual(["k=v", "payload=c"])
    expect(Either.getOrThrow(Entry.fromReadGroup(null))).toEqual([])
  })

  it("names what is wrong with a malformed reply", () => {
    const bad = (entries: unknown) => Either.flip(Entry.fromReadGroup([[b("S"), entries]])).pipe(Either.getOrThrow)
    expect(bad("x")).toBe("the entry list is not an array")
    expect(bad([[b("1-0")]])).toBe("an entry is not an [id, fields] pair")
    expect(bad([[b("nope"), []]])).toBe("an entry id is not <ms>-<seq>: nope")
    expect(bad([[b("1-0"), [b("payload")]]])).toBe("entry 1-0 has no field/value list")
    expect(bad([[b("1-0"), [b("payload"), 7]]])).toBe("entry 1-0 has no field/value list")
    // the first bad entry is reported, after good ones
    expect(bad([[b("1-0"), [b("p"), b("v")]], [b("2-x"), []]])).toBe("an entry id is not <ms>-<seq>: 2-x")
    expect(Either.isLeft(Entry.fromReadGroup([[b("S")]]))).toBe(true)
  })

  it("takes the payload from its field: text when UTF-8, bytes otherwise, else the JSON of every field", () => {
    const payload = Entry.payloadOf("payload")
    expect(payload({ id: "1-0", fields: [[b("payloads"), b("no")], [b("payload"), b("héllo")]] })).toBe("héllo")
    const bytes = payload({ id: "1-1", fields: [[b("payload"), Buffer.from([0xff, 0x00])]] })
    expect(bytes).toEqual(new Uint8Array([0xff, 0x00]))
    expect(JSON.parse(String(payload({ id: "1-2", fields: [[b("other"), b("x")]] })))).toEqual({ other: "x" })
    expect(Entry.payloadOf("пейлоад")({ id: "1-3", fields: [[b("пейлоад"), b("ok")]] })).toBe("ok")
  })
})
