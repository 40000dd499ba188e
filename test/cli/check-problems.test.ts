import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { tempDir } from "../project/fixtures.js"
import { example, wpc } from "./fixtures.js"

const sources = "topology/sources/file.toml"

/** A copy of examples/file-to-file whose sources file holds `bytes`. */
const withSources = (bytes: string | Uint8Array) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "p")
    yield* Effect.promise(async () => {
      await fs.cp(example, dir, { recursive: true })
      await fs.writeFile(path.join(dir, sources), bytes)
    })
    return dir
  })

describe("wpc check on a broken copy of examples/file-to-file", () => {
  it.scopedLive("an unknown key and a bad param of one entry are both listed", () =>
    Effect.gen(function*() {
      const dir = yield* withSources(`[[sources]]
key = "sample_log"
connect = "file_src"
colour = "red"

[sources.params]
file = "sample.log"
encode = "bogus"
`)
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      expect(check.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([
        `error: ${path.join(dir, sources)}:4: sources[0].colour: unknown key "colour"`,
        `error: ${path.join(dir, sources)}:8: sources[0].params.encode: Expected "text", actual "bogus"`
      ])
      expect(check.err.split("\n").at(-1)).toBe(`2 problems in project ${dir}`)
    }))

  it.scopedLive("a typo'd param key in a definition and in an override are each an error with a did-you-mean", () =>
    Effect.gen(function*() {
      const dir = yield* withSources(`[[sources]]
key = "sample_log"
connect = "file_src"

[sources.params]
file = "sample.log"
encod = "text"
`)
      const sinkDefs = "connectors/sink.d/file.toml"
      yield* Effect.promise(async () => {
        const file = path.join(dir, sinkDefs)
        await fs.writeFile(file, (await fs.readFile(file, "utf8")).replace(`fmt = "raw"`, `fmtt = "raw"`))
      })
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      const errors = check.err.split("\n").filter((l) => l.startsWith("error: "))
      expect(errors).toEqual([
        `error: ${path.join(dir, sinkDefs)}:10: connectors[0].params.fmtt: unknown key "fmtt"`,
        `error: ${path.join(dir, sources)}:7: sources[0].params.encod: connector "file_src" does not allow overriding "encod"`
      ])
      expect(check.err).toContain(`did you mean "fmt"?`)
      expect(check.err).toContain(`did you mean "encode"?`)
      // the hint points at the allow_override line of the definition, not at its [[connectors]] line
      expect(check.err).toContain(`or add "encod" to its allow_override (${path.join(dir, "connectors/source.d/file.toml")}:6)`)
      expect(check.err).toContain("one of: base, file, fmt, fsync, rotate_bytes")
      const run = yield* wpc("run", "-w", dir, "--progress", "0")
      expect(run.code).toBe(1)
      expect(run.err).toContain(`${path.join(dir, sinkDefs)}:10: connectors[0].params.fmtt: unknown key "fmtt"`)
    }))

  it.scopedLive("a sink of a kind whose adapter defaults hold source-only keys (nats, redis, tcp) gets only the keys its side takes", () =>
    Effect.gen(function*() {
      const dir = yield* withSources(`[[sources]]\nkey = "sample_log"\nconnect = "file_src"\n`)
      yield* Effect.promise(async () => {
        const sinkDefs = path.join(dir, "connectors/sink.d")
        await fs.writeFile(path.join(sinkDefs, "brokers.toml"), [
          `[[connectors]]\nid = "nats_out"\ntype = "nats"\n\n[connectors.params]\nservers = "nats://127.0.0.1:4222"\nstream = "OUT"\n`,
          `[[connectors]]\nid = "redis_out"\ntype = "redis"\n\n[connectors.params]\nstream = "out"\n`,
          `[[connectors]]\nid = "tcp_out"\ntype = "tcp"\n\n[connectors.params]\naddr = "127.0.0.1"\nport = 9000\n`
        ].join("\n"))
        await fs.writeFile(
          path.join(dir, "topology/sinks/business.d/brokers.toml"),
          `[sink_group]\nname = "brokers"\n\n[[sink_group.sinks]]\nname = "n"\nconnect = "nats_out"\n\n[[sink_group.sinks]]\nname = "r"\nconnect = "redis_out"\n\n[[sink_group.sinks]]\nname = "t"\nconnect = "tcp_out"\n`
        )
      })
      const check = yield* wpc("check", "-w", dir)
      expect(check.err).toBe("")
      expect(check.code).toBe(0)
      expect(check.out).toContain("ok: 1 source, 2 sink groups, 4 sinks")
      expect(check.out).not.toContain("durable=")
    }))

  it.scopedLive("allow_override naming a key the connector does not take is an error at that line", () =>
    Effect.gen(function*() {
      const dir = yield* withSources(`[[sources]]\nkey = "sample_log"\nconnect = "file_src"\n`)
      const sourceDefs = "connectors/source.d/file.toml"
      yield* Effect.promise(async () => {
        const file = path.join(dir, sourceDefs)
        await fs.writeFile(file, (await fs.readFile(file, "utf8")).replace(`"encode"]`, `"encdoe"]`))
      })
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      expect(check.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([
        `error: ${path.join(dir, sourceDefs)}:6: connectors[0].allow_override: allow_override names an unknown key "encdoe"`
      ])
      expect(check.err).toContain(`did you mean "encode"?`)
    }))

  it.scopedLive("an unterminated string is called one, at its line and opening quote", () =>
    Effect.gen(function*() {
      const dir = yield* withSources(`[[sources]]
key = "sample_log"
connect = "file_src"

[sources.params]
file = "sample.log
encode = "text"
`)
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      expect(check.err.split("\n").slice(0, 2)).toEqual([
        `error: ${path.join(dir, sources)}:6:8: unterminated string: the line ends before its closing "`,
        `  expected: a closing quote on the same line (a string over several lines is written between """ or ''')`
      ])
      expect(check.err).not.toContain("control characters")
    }))

  it.scopedLive("invalid UTF-8 in a key is refused with its line and byte offset, not shown as U+FFFD", () =>
    Effect.gen(function*() {
      const text = `[[sources]]\nkey = "sample_log"\nconnect = "file_src"\n\n[sources.params]\n"fi`
      const dir = yield* withSources(Buffer.concat([Buffer.from(text), Buffer.from([0xff]), Buffer.from(`le" = "sample.log"\n`)]))
      const check = yield* wpc("check", "-w", dir)
      expect(check.code).toBe(1)
      expect(check.err.split("\n")[0]).toBe(
        `error: ${path.join(dir, sources)}:6: invalid UTF-8 at byte offset ${Buffer.byteLength(text)} (byte 0xff)`
      )
      expect(check.err + check.out).not.toContain("\uFFFD")
    }))
})
