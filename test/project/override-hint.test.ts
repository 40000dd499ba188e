import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { cleanFiles, errorsOf } from "./fixtures.js"

/** A topology whose source `in1` overrides `address`, which its connector `connect` does not allow. */
const overriding = (connect: string) => `[[sources]]\nkey = "in1"\nconnect = "${connect}"\nparams = { address = "evil" }\n`

describe("the hint of a refused override points where allow_override is written", () => {
  it.scopedLive("a project definition with allow_override: that file and the line of its allow_override key", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/x.toml": `# inputs\n\n[[connectors]]\nid = "x_in"\ntype = "net"\n\n# what a source may change\nallow_override = ["port"]\n\n[connectors.params]\nhost = "10.0.0.1"\n`,
        "topology/sources/a.toml": overriding("x_in")
      })
      expect(errors.map((e) => [path.relative(dir, e.file!), e.line, e.path])).toEqual([
        ["topology/sources/a.toml", 4, "sources[0].params.address"]
      ])
      const file = path.join(dir, "connectors/source.d/x.toml")
      expect(errors[0]!.suggestion).toBe(`allowed keys: port; or add "address" to its allow_override (${file}:8)`)
      expect(errors[0]!.message).toContain(`connectors/source.d/x.toml:8`)
    }))

  it.scopedLive("a project definition without allow_override: the line of its [[connectors]] entry, and what to add", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/x.toml": `# inputs\n[[connectors]]\nid = "x_in"\ntype = "net"\n\n[[connectors]]\nid = "y_in"\ntype = "net"\nparams = { host = "10.0.0.1" }\n`,
        "topology/sources/a.toml": overriding("y_in")
      })
      const file = path.join(dir, "connectors/source.d/x.toml")
      expect(errors.map((e) => e.path)).toEqual(["sources[0].params.address"])
      expect(errors[0]!.suggestion).toBe(
        `allowed keys: none (allow_override is empty); or add allow_override = ["address"] to its [[connectors]] entry (${file}:6)`
      )
    }))

  it.scopedLive("a definition its kind ships: it says it is built in, and how to get one that allows the key", () =>
    Effect.gen(function*() {
      const { errors } = yield* errorsOf({ ...cleanFiles, "topology/sources/a.toml": overriding("net-src") })
      expect(errors.map((e) => e.path)).toEqual(["sources[0].params.address"])
      expect(errors[0]!.suggestion).toBe(
        `allowed keys: port; "net-src" is built in: to override "address", define a connector of type "net" under [[connectors]] in connectors/source.d/ with allow_override = ["address"]`
      )
    }))
})
