import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { serverProcess } from "./server-process.js"

describe("serverProcess (the integration tests' server helper)", () => {
  it.scopedLive("a missing binary fails at once, saying how to install it", () =>
    Effect.gen(function*() {
      // the spawn error wins the race against waiting for the port (20 s): had it waited, the error would
      // say "nothing listens"; no clock needed to tell them apart
      const error = yield* Effect.flip(serverProcess("nats", "/nonexistent/nats-server", () => []))
      expect(error.message).toBe("cannot start /nonexistent/nats-server: spawn /nonexistent/nats-server ENOENT (on Debian: apt-get install -y nats-server)")
    }))

  it.scopedLive("a server that exits before it listens is reported with its exit code", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(serverProcess("redis", "/bin/false", () => []))
      expect(error.message).toMatch(/\/bin\/false exited before it listened \(code 1/)
    }))
})
