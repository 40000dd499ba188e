/**
 * `wpc`'s output without ANSI colour where it would be noise (a pipe, a file, `NO_COLOR`), and the
 * version it prints being the package's.
 */
import { describe, expect, it } from "@effect/vitest"
import { Console, Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import * as PlainConsole from "../../src/cli/plain-console.js"
import * as Version from "../../src/cli/version.js"
import { wpcMain } from "../js-build.js"
import { tempDir } from "../project/fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..")
const packageVersion = (JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { readonly version: string }).version

/** A console recording what `log` and `error` were given. */
const recording = () => {
  const lines: Array<[string, ReadonlyArray<unknown>]> = []
  const console: Console.Console = {
    ...Effect.runSync(Console.consoleWith(Effect.succeed)),
    log: (...args) => Effect.sync(() => void lines.push(["log", args])),
    error: (...args) => Effect.sync(() => void lines.push(["error", args]))
  }
  return { console, lines }
}

const coloured = "\u001b[0;1mUSAGE\u001b[0m"

describe("PlainConsole", () => {
  it("colour is dropped on a stream that is not a terminal, or on a terminal with NO_COLOR set (not empty)", () => {
    expect(PlainConsole.colourless({ isTTY: true }, {})).toBe(false)
    expect(PlainConsole.colourless({ isTTY: false }, {})).toBe(true)
    expect(PlainConsole.colourless({}, {})).toBe(true)
    expect(PlainConsole.colourless({ isTTY: true }, { NO_COLOR: "1" })).toBe(true)
    expect(PlainConsole.colourless({ isTTY: true }, { NO_COLOR: "" })).toBe(false)
  })

  it.effect("strips SGR codes per stream: stdout piped and stderr a terminal", () =>
    Effect.gen(function*() {
      const { console, lines } = recording()
      const plain = PlainConsole.make(console, { isTTY: false }, { isTTY: true }, {})
      yield* plain.log(coloured, 3)
      yield* plain.error(coloured)
      expect(lines).toEqual([["log", ["USAGE", 3]], ["error", [coloured]]])
    }))

  it.effect("NO_COLOR strips both streams of a terminal", () =>
    Effect.gen(function*() {
      const { console, lines } = recording()
      const plain = PlainConsole.make(console, { isTTY: true }, { isTTY: true }, { NO_COLOR: "1" })
      yield* plain.log(coloured)
      yield* plain.error(coloured)
      expect(lines).toEqual([["log", ["USAGE"]], ["error", ["USAGE"]]])
    }))

  it("wpc --help and a usage error into pipes carry no escape code (real process)", () => {
    const help = spawnSync(process.execPath, [wpcMain, "--help"], { cwd: repo, encoding: "utf8", timeout: 60_000 })
    expect(help.status).toBe(0)
    expect(help.stdout).toContain("USAGE")
    expect(help.stdout).not.toContain("\u001b[")
    const usage = spawnSync(process.execPath, [wpcMain, "check", "--no-such-flag"], { cwd: repo, encoding: "utf8", timeout: 60_000 })
    expect(usage.status).toBe(2)
    expect(usage.stdout + usage.stderr).not.toContain("\u001b[")
  })
})

describe("wpc --version", () => {
  it("prints the version of package.json (real process)", () => {
    const result = spawnSync(process.execPath, [wpcMain, "--version"], { cwd: repo, encoding: "utf8", timeout: 60_000 })
    expect(result.status).toBe(0)
    expect(result.stdout.trim()).toBe(packageVersion)
  })

  it.scoped("is read from the nearest package.json named wp-connector-api, skipping a consumer's", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const nested = path.join(dir, "node_modules", "wp-connector-api", "dist", "bin")
      fs.mkdirSync(nested, { recursive: true })
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app", version: "9.9.9" }))
      expect(Version.find(nested)).toBe("unknown")
      fs.writeFileSync(path.join(dir, "node_modules", "wp-connector-api", "package.json"), JSON.stringify({ name: "wp-connector-api", version: "1.2.3" }))
      expect(Version.find(nested)).toBe("1.2.3")
    }))
})
