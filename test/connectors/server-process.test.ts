import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { serverProcess } from "./server-process.js"

describe("serverProcess (the integration tests' server helper)", () => {
  it.scopedLive("a missing binary fails at once, saying how to install it", () =>
    Effect.gen(function*() {
      const t0 = Date.now()
      const error = yield* Effect.flip(serverProcess("nats", "/nonexistent/nats-server", () => []))
      expect(error.message).toContain("cannot start /nonexistent/nats-server")
      expect(error.message).toContain("apt-get install -y nats-server")
      expect(Date.now() - t0).toBeLessThan(2000)
    }))

  it.scopedLive("a server that exits before it listens is reported with its exit code", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(serverProcess("redis", "/bin/false", () => []))
      expect(error.message).toMatch(/\/bin\/false exited before it listened \(code 1/)
    }))
})
