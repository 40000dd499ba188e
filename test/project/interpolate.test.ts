import { describe, expect, it } from "@effect/vitest"
import * as Interpolate from "../../src/project/interpolate.js"

describe("Interpolate.params", () => {
  const env = { HOST: "h", EMPTY: "" }

  it("expands ${VAR} and ${VAR:-default} in strings at any depth, leaving keys and other values alone", () => {
    const out = Interpolate.params(
      { "${HOST}": "${HOST}:${PORT:-80}", n: 1, b: true, z: null, list: ["${EMPTY:-d}", "${EMPTY}x"], t: { u: "a$b $ {c}" } },
      env
    )
    expect(out.unresolved).toEqual([])
    expect(out.params).toEqual({ "${HOST}": "h:80", n: 1, b: true, z: null, list: ["d", "x"], t: { u: "a$b $ {c}" } })
  })

  it("$${ is a literal ${", () => {
    expect(Interpolate.params({ a: "$${HOST} and $${NOPE:-x}" }, env).params).toEqual({ a: "${HOST} and ${NOPE:-x}" })
  })

  it("reports every unset variable, malformed and unclosed reference with its key path", () => {
    const out = Interpolate.params({ a: "${NOPE}", b: ["ok", "${1X}"], c: { d: "${HOST" } }, env)
    expect(out.unresolved.map((u) => [u.segments, u.detail])).toEqual([
      [["a"], "environment variable NOPE is not set"],
      [["b", 1], "malformed variable reference \"${1X}\""],
      [["c", "d"], "unclosed variable reference in \"${HOST\""]
    ])
  })
})
