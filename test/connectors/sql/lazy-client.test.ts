/**
 * The SQL connectors load their client library only when a kind is built: importing them (as
 * `import "wp-connector-api"` does once they are built in) loads neither `mysql2` nor `pg`.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { transpiled } from "../../js-build.js"

const src = path.join(import.meta.dirname, "..", "..", "..", "src")

/** The packages of `names` that importing `modules` (transpiled) loads, in a fresh Node process. */
const loadedBy = (modules: ReadonlyArray<string>, names: ReadonlyArray<string>): ReadonlyArray<string> => {
  const script = `
    import { createRequire } from "node:module"
    ${modules.map((m, i) => `import * as m${i} from ${JSON.stringify(m)}`).join("\n")}
    const cache = Object.keys(createRequire(import.meta.url).cache)
    console.log(JSON.stringify(${JSON.stringify(names)}.filter((n) => cache.some((file) => file.includes("/node_modules/" + n + "/")))))
  `
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim()) as ReadonlyArray<string>
}

describe("SQL client libraries are loaded lazily", () => {
  it("importing the mysql and postgres connectors and the package loads neither mysql2 nor pg (the check sees one that is loaded)", () => {
    const connectors = ["mysql", "postgres"].map((kind) => transpiled(path.join(src, "connectors", kind, "index.ts")))
    expect(loadedBy([...connectors, transpiled(path.join(src, "index.ts"))], ["mysql2", "pg"])).toEqual([])
    // the check can fail: a module that loads the client is seen
    expect(loadedBy([transpiled(path.join(src, "connectors", "mysql", "client.ts")), "mysql2/promise"], ["mysql2", "pg"])).toEqual(["mysql2"])
  })
})
