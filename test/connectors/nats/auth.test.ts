import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import { leakChecked } from "../tcp/harness.js"
import { natsServerWith } from "./server.js"
import { ctx, sinkSpec, sourceSpec } from "./specs.js"

/** Writes `payloads` with a sink built from `params`, then reads them back with a source built from the same credentials. */
const roundTrip = (servers: string, credentials: Record<string, unknown>, payloads: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    yield* Effect.scoped(Effect.gen(function*() {
      const { sink } = yield* Nats.NatsSink.factory.build(sinkSpec({ servers, ...credentials }), ctx)
      yield* sink.sinkStrBatch(payloads)
    }))
    return yield* Effect.scoped(Effect.gen(function*() {
      const built = yield* Nats.NatsSource.factory.build(sourceSpec({ servers, ...credentials }), { workRoot: "/nonexistent" })
      const source = built.sources[0]!.source
      const out: Array<unknown> = []
      while (out.length < payloads.length) out.push(...(yield* source.receive).map((e) => e.payload))
      return out
    }).pipe(Effect.timeout(Duration.seconds(10))))
  })

describe("nats credentials", () => {
  it.live("a user and password, or a token, let a sink write and a source read", () =>
    leakChecked(Effect.gen(function*() {
      const withUser = yield* natsServerWith({ user: "wpc", pass: "s3cret-pass" })
      expect(yield* roundTrip(withUser.url, { username: "wpc", password: "s3cret-pass" }, ["a", "b"])).toEqual(["a", "b"])
      const withToken = yield* natsServerWith({ token: "t0ken-value" })
      expect(yield* roundTrip(withToken.url, { token: "t0ken-value" }, ["c"])).toEqual(["c"])
    })))

  it.live("wrong or missing credentials fail the build, not retryable, naming the params to check and never the secret", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServerWith({ user: "wpc", pass: "s3cret-pass" })
      const wrong = yield* Effect.flip(Effect.scoped(
        Nats.NatsSource.factory.build(sourceSpec({ servers: server.url, username: "wpc", password: "nope" }), { workRoot: "/x" })
      ))
      expect(wrong.code).toBe(500)
      expect(wrong.retryable).toBe(false)
      expect(wrong.message).toContain("check params.username and params.password, or params.token")
      expect(wrong.message).not.toContain("nope")
      const missing = yield* Effect.flip(Effect.scoped(Nats.NatsSource.factory.build(sourceSpec({ servers: server.url }), { workRoot: "/x" })))
      expect(missing.retryable).toBe(false)
      const sink = yield* Effect.flip(Effect.scoped(Nats.NatsSink.factory.build(sinkSpec({ servers: server.url, password: "nope", username: "wpc" }), ctx)))
      expect(sink.retryable).toBe(false)
      expect(sink.message).not.toContain("nope")
    })))
})
