import { describe, expect, it } from "@effect/vitest"
import { Either, Equal, Option } from "effect"
import { Tags } from "../../src/index.js"

describe("Tags", () => {
  it("keeps keys sorted whatever the insertion order", () => {
    const t = Tags.empty.pipe(Tags.set("zone", "eu"), Tags.set("app", "api"), Tags.set("env", "prod"))
    expect(t.keys).toEqual(["app", "env", "zone"])
    expect([...t]).toEqual([["app", "api"], ["env", "prod"], ["zone", "eu"]])
    expect(Tags.toStrings(t)).toEqual(["app:api", "env:prod", "zone:eu"])
  })

  it("set replaces an existing value and leaves the original untouched", () => {
    const a = Tags.make({ env: "dev" })
    const b = Tags.set(a, "env", "prod")
    expect(Option.getOrThrow(Tags.get(b, "env"))).toBe("prod")
    expect(Option.getOrThrow(Tags.get(a, "env"))).toBe("dev")
    expect(Tags.size(b)).toBe(1)
  })

  it("answers get/has/size/isEmpty", () => {
    const t = Tags.make([["b", "2"], ["a", "1"]])
    expect(Tags.get(t, "a")).toEqual(Option.some("1"))
    expect(Tags.get(t, "c")).toEqual(Option.none())
    expect(Tags.has(t, "b")).toBe(true)
    expect(Tags.has(t, "c")).toBe(false)
    expect(Tags.size(t)).toBe(2)
    expect(Tags.isEmpty(t)).toBe(false)
    expect(Tags.isEmpty(Tags.empty)).toBe(true)
    expect(Tags.isEmpty(Tags.remove(t, "a").pipe(Tags.remove("b")))).toBe(true)
  })

  it("iterates deterministically: equal sets built in any order are equal and iterate alike", () => {
    const pairs: Array<[string, string]> = [["k3", "c"], ["k1", "a"], ["k2", "b"], ["k0", "z"]]
    const forward = Tags.make(pairs)
    const backward = Tags.make([...pairs].reverse())
    expect([...forward]).toEqual([...backward])
    expect(Equal.equals(forward, backward)).toBe(true)
    expect(Equal.equals(forward, Tags.set(backward, "k0", "y"))).toBe(false)
  })

  it("merge lets the right side win", () => {
    const m = Tags.merge(Tags.make({ a: "1", b: "2" }), Tags.make({ b: "3", c: "4" }))
    expect(Tags.toRecord(m)).toEqual({ a: "1", b: "3", c: "4" })
  })

  it("parses key:value strings, the value may hold ':'", () => {
    const t = Either.getOrThrow(Tags.fromStrings(["env:prod", "url:http://x:80"]))
    expect(Tags.toRecord(t)).toEqual({ env: "prod", url: "http://x:80" })
  })

  it("rejects a tag string without a key with a ConfigError naming its index", () => {
    const bad = Tags.fromStrings(["env:prod", "oops"], "sources[0].tags")
    expect(Either.isLeft(bad)).toBe(true)
    if (Either.isLeft(bad)) {
      expect(bad.left._tag).toBe("ConfigError")
      expect(bad.left.code).toBe(300)
      expect(bad.left.path).toBe("sources[0].tags[1]")
      expect(bad.left.detail).toContain("\"oops\"")
    }
    const empty = Tags.fromStrings([":x"])
    expect(Either.isLeft(empty) && empty.left.path).toBe("tags[0]")
  })
})
