import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { tempDir, writeFiles } from "../project/fixtures.js"
import { breakCopy, brokenFiles, example, wpc } from "./fixtures.js"

describe("wpc (in-process)", () => {
  it.scopedLive("init writes a project that check accepts (exit 0, tables of sources and sinks)", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "p")
      const init = yield* wpc("init", dir)
      expect(init.code).toBe(0)
      expect(init.out).toContain(`created ${path.join(dir, "topology/sources/file.toml")}`)
      const check = yield* wpc("check", "--work-root", dir)
      expect(check).toMatchObject({ code: 0, err: "" })
      const lines = check.out.split("\n")
      expect(lines[0]).toBe("Sources (1 of 1 enabled)")
      expect(lines[1]).toMatch(/^SOURCE\s+ENABLED\s+CONNECTOR\s+KIND\s+TAGS\s+PARAMS\s+FILE$/)
      expect(lines[2]).toMatch(/^sample_log\s+yes\s+file_src\s+file\s+app:sample,env:dev\s+base=data\/in encode=text file=sample\.log\s+topology\/sources\/file\.toml:2$/)
      expect(check.out).toMatch(/\nall\s+copy\s+file_sink\s+file\s+-\s+pipeline:file-to-file,route:all\s+base=data\/out file=sample\.out\.log fmt=raw\s+topology\/sinks\/business\.d\/all\.toml:6\n/)
      expect(lines.at(-1)).toBe("ok: 1 source, 1 sink group, 1 sink")

      const again = yield* wpc("init", dir)
      expect(again.code).toBe(1)
      expect(again.err).toContain(`error: ${dir}: directory is not empty`)
    }))

  it.scopedLive("check lists every problem with its file and exits 1; --json gives the same as data", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "broken")
      yield* breakCopy(dir)
      const text = yield* wpc("check", "--work-root", dir)
      expect(text.code).toBe(1)
      expect(text.out).toBe("")
      const errors = text.err.split("\n").filter((l) => l.startsWith("error: "))
      expect(errors).toHaveLength(3)
      expect(errors[0]).toMatch(new RegExp(`^error: ${path.join(dir, brokenFiles.malformed)}:1:\\d+: `))
      expect(errors[1]).toBe(`error: ${path.join(dir, brokenFiles.override)}:10: sources[0].params.follow: connector "file_src" does not allow overriding "follow"`)
      expect(errors[2]).toBe(`error: ${path.join(dir, brokenFiles.unknownId)}:8: sink_group.sinks[0].connect: unknown sink connector id "file_snk"`)
      expect(text.err).toContain("  hint: did you mean \"file_sink\"?")
      expect(text.err).toContain("  hint: allowed keys: base, file, encode;")
      expect(text.err.split("\n").at(-1)).toBe(`3 problems in project ${dir}`)

      const json = yield* wpc("check", "--work-root", dir, "--json")
      expect(json.code).toBe(1)
      const report = JSON.parse(json.out) as { ok: boolean; errors: Array<{ file: string; path: string | null; code: number }> }
      expect(report.ok).toBe(false)
      expect(report.errors.map((e) => [path.relative(dir, e.file), e.path, e.code])).toEqual([
        [brokenFiles.malformed, null, 300],
        [brokenFiles.override, "sources[0].params.follow", 300],
        [brokenFiles.unknownId, "sink_group.sinks[0].connect", 300]
      ])
    }))

  it.scopedLive("secret-looking params are shown as *** in the table and in JSON", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.cp(example, dir, { recursive: true }))
      yield* writeFiles(dir, {
        "topology/sources/http.toml": `[[sources]]
key = "ingest"
connect = "http-src"
params = { token = "s3cret-token", port = 18080 }
`
      })
      const text = yield* wpc("check", "-w", dir)
      expect(text.code).toBe(0)
      expect(text.out).toMatch(/ingest\s+yes\s+http-src\s+http\s+-\s+.*port=18080 .*token=\*\*\*/)
      const json = yield* wpc("check", "-w", dir, "--json")
      expect(json.code).toBe(0)
      const report = JSON.parse(json.out) as { sources: Array<{ key: string; params: Record<string, unknown> }> }
      expect(report.sources.find((s) => s.key === "ingest")!.params).toMatchObject({ token: "***", port: 18080 })
      expect(text.out + json.out).not.toContain("s3cret")
    }))

  it.effect("connectors lists every kind with scopes, defaults and shipped definitions", () =>
    Effect.gen(function*() {
      const json = yield* wpc("connectors", "--json")
      expect(json.code).toBe(0)
      const kinds = (JSON.parse(json.out) as { kinds: Array<{ kind: string; scopes: Array<string>; urlAdapter: boolean; definitions: Array<{ id: string; scope: string; allow_override: Array<string> }> }> }).kinds
      const file = kinds.find((k) => k.kind === "file")!
      expect(file.scopes).toEqual(["source", "sink"])
      expect(file.urlAdapter).toBe(true)
      expect(file.definitions.map((d) => [d.id, d.scope])).toEqual([["file-src", "source"], ["file-sink", "sink"]])
      expect(file.definitions[1]!.allow_override).toEqual(["base", "file", "fmt", "rotate_bytes", "fsync"])
      expect(kinds.map((k) => k.kind)).toEqual([...kinds.map((k) => k.kind)].sort())
      const text = yield* wpc("connectors")
      expect(text.out).toMatch(/^KIND\s+SCOPE\s+URL\s+DEFAULTS$/m)
      expect(text.out).toMatch(/^file-sink\s+file\s+sink\s+base,file,fmt,rotate_bytes,fsync\s+base=\.\/data\/out_dat /m)
    }))

  it.effect("usage errors exit 2; --help exits 0", () =>
    Effect.gen(function*() {
      expect((yield* wpc("check", "--bogus")).code).toBe(2)
      expect((yield* wpc("init")).code).toBe(2)
      expect((yield* wpc("frobnicate")).code).toBe(2)
      const bare = yield* wpc()
      expect(bare.code).toBe(2)
      expect(bare.err).toContain("a command is required")
      const help = yield* wpc("check", "--help")
      expect(help.code).toBe(0)
      expect(help.out).toContain("--work-root")
    }))
})
