import { describe, expect, it } from "@effect/vitest"
import * as TomlLines from "../../src/project/toml-lines.js"

const text = `# a comment [[not.a.header]]
version = "2"

[[connectors]]
id = "a"
note = """
[[connectors]]
id = "fake"
"""
list = [
  "x",
  { id = "inline" },
]

[connectors.params]
"quoted key" = 1
nested.deep = 2

[[connectors]]
id = 'b' # trailing [comment]

[sink_group]
name = "g"

[[sink_group.sinks]]
name = "s0"

[[sink_group.sinks]]
name = "s1"
params = { port = 1 }
`

describe("TomlLines", () => {
  const lines = TomlLines.scan(text)

  it("finds headers, arrays of tables (counted) and keys; ignores multi-line strings and arrays", () => {
    expect(TomlLines.lineOf(lines, ["version"])).toBe(2)
    expect(TomlLines.lineOf(lines, ["connectors", 0])).toBe(4)
    expect(TomlLines.lineOf(lines, ["connectors", 0, "id"])).toBe(5)
    expect(TomlLines.lineOf(lines, ["connectors", 0, "list"])).toBe(10)
    expect(TomlLines.lineOf(lines, ["connectors", 0, "params", "quoted key"])).toBe(16)
    expect(TomlLines.lineOf(lines, ["connectors", 0, "params", "nested", "deep"])).toBe(17)
    expect(TomlLines.lineOf(lines, ["connectors", 1])).toBe(19)
    expect(TomlLines.lineOf(lines, ["connectors", 1, "id"])).toBe(20)
    // there is no third entry: the nearest known path is the array itself (its first header)
    expect(TomlLines.lineOf(lines, ["connectors", 2])).toBe(4)
    expect(TomlLines.lineOf(lines, ["sink_group", "name"])).toBe(23)
    expect(TomlLines.lineOf(lines, ["sink_group", "sinks", 1, "name"])).toBe(29)
  })

  it("falls back to the nearest enclosing key (inside inline tables)", () => {
    expect(TomlLines.lineOf(lines, ["sink_group", "sinks", 1, "params", "port"])).toBe(30)
    expect(TomlLines.lineOf(lines, ["connectors", 1, "params", "x"])).toBe(19)
    expect(TomlLines.lineOf(lines, ["nothing"])).toBeUndefined()
  })

  it("parses rendered key paths back into segments", () => {
    expect(TomlLines.parsePath("sources[0].params.port")).toEqual(["sources", 0, "params", "port"])
    expect(TomlLines.parsePath("params[\"a b\"].c[12]")).toEqual(["params", "a b", "c", 12])
    expect(TomlLines.parsePath("url.scheme")).toEqual(["url", "scheme"])
  })
})
