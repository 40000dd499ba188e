import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as Secrets from "../../src/cli/secrets.js"
import { tempDir, writeFiles } from "../project/fixtures.js"
import { example, wpc } from "./fixtures.js"

/** The secrets the projects below write into URLs: no output may show them. */
const secrets = ["hunter2", "s3cret-pw", "t0ken-abc"]

const printsNoSecret = (text: string) => {
  for (const secret of secrets) expect(text).not.toContain(secret)
}

/** A copy of examples/file-to-file with `files` added. */
const project = (files: { readonly [rel: string]: string }) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    yield* Effect.promise(() => fs.cp(example, dir, { recursive: true }))
    yield* writeFiles(dir, files)
    return dir
  })

describe("Secrets: URL credentials", () => {
  it("masks the userinfo of every URL in a value, a list of URLs and a token as userinfo alike", () => {
    expect(Secrets.params({
      servers: "nats://127.0.0.1:4222, nats://bob:hunter2@127.0.0.1:4223,nats://t0ken-abc@127.0.0.1:4224",
      urls: ["redis://u:s3cret-pw@h:1/0", "redis://u:hunter2/x@h:1/0", "http://h/x"]
    })).toEqual({
      servers: "nats://127.0.0.1:4222, nats://bob:***@127.0.0.1:4223,nats://***@127.0.0.1:4224",
      // a password holding a / is masked whole
      urls: ["redis://u:***@h:1/0", "redis://u:***@h:1/0", "http://h/x"]
    })
  })

  it("masks URL credentials anywhere in a text, keeping the rest", () => {
    expect(Secrets.text(`credentials in "redis://bob:hunter2@127.0.0.1:6379/0" and nats://t0ken-abc@h:1, see a@b`)).toBe(
      `credentials in "redis://bob:***@127.0.0.1:6379/0" and nats://***@h:1, see a@b`
    )
  })
})

describe("wpc never prints URL credentials", () => {
  it.scopedLive("check refuses credentials in the second nats server URL, naming its index, and prints none", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "topology/sources/nats.toml": `[[sources]]
key = "queue"
connect = "nats-src"
params = { stream = "S", durable = "d", servers = "nats://127.0.0.1:4222, nats://bob:hunter2@127.0.0.1:4223, nats://t0ken-abc@127.0.0.1:4224" }
`
      })
      const text = yield* wpc("check", "-w", dir)
      expect(text.code).toBe(1)
      expect(text.err).toContain(
        "topology/sources/nats.toml:4: sources[0].params.servers[1]: server URLs [1] \"nats://***@127.0.0.1:4223\" and [2] \"nats://***@127.0.0.1:4224\" carry credentials"
      )
      const json = yield* wpc("check", "-w", dir, "--json")
      expect(json.code).toBe(1)
      const report = JSON.parse(json.out) as { errors: Array<{ path: string }> }
      expect(report.errors.map((e) => e.path)).toEqual(["sources[0].params.servers[1]"])
      const run = yield* wpc("run", "-w", dir, "--progress", "0")
      expect(run.code).toBe(1)
      expect(run.err).toContain("sources[0].params.servers[1]")
      printsNoSecret(text.out + text.err + json.out + json.err + run.out + run.err)
    }))

  it.scopedLive("a refused URL with credentials (of every kind) is printed masked", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "topology/sources/redis.toml": `[[sources]]
key = "r"
connect = "redis-src"
params = { url = "redis://bob:hunter2@127.0.0.1:6379/0?stream=x&group=g" }
`
      })
      const text = yield* wpc("check", "-w", dir)
      expect(text.code).toBe(1)
      expect(text.err).toContain("sources[0].params.url.userinfo: credentials in \"redis://bob:***@127.0.0.1:6379/0?stream=x&group=g\"")
      const json = yield* wpc("check", "-w", dir, "--json")
      printsNoSecret(text.out + text.err + json.out + json.err)
    }))

  it.scopedLive("check masks the params the kinds' Schemas mark secret (nats password and token) and shows the rest", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "topology/sources/nats.toml": `[[sources]]
key = "queue"
connect = "nats-src"
params = { stream = "S", durable = "d", username = "bob", password = "hunter2" }

[[sources]]
key = "queue2"
connect = "nats-src"
params = { stream = "S", durable = "d2", token = "t0ken-abc" }
`
      })
      const text = yield* wpc("check", "-w", dir)
      expect(text.code).toBe(0)
      expect(text.out).toMatch(/queue\s.*password=\*\*\*.*username=bob/)
      expect(text.out).toMatch(/queue2\s.*token=\*\*\*/)
      const json = yield* wpc("check", "-w", dir, "--json")
      const report = JSON.parse(json.out) as { sources: Array<{ key: string; params: { readonly [key: string]: unknown } }> }
      expect(report.sources.find((s) => s.key === "queue")!.params).toMatchObject({ username: "bob", password: "***" })
      expect(report.sources.find((s) => s.key === "queue2")!.params).toMatchObject({ token: "***" })
      printsNoSecret(text.out + text.err + json.out + json.err)
    }))
})
