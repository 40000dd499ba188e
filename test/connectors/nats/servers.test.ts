import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import { ParamMap } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { natsServerWith } from "./server.js"
import { ctx, sinkSpec, sourceSpec } from "./specs.js"

/** The secrets the tests write into server URLs: none may ever be printed. */
const secrets = ["hunter2", "hun/ter2", "t0ken-abc", "wr0ng-pass"]

const printsNoSecret = (text: string) => {
  for (const secret of secrets) expect(text).not.toContain(secret)
  // userinfo shows as *** only
  expect(text).not.toMatch(/\/\/(?!\*\*\*@)[^/\s",]*@/)
}

describe("nats servers: credentials in a server URL are refused", () => {
  it.effect("one ConfigError at the first entry with user:password@ or token@, naming each such entry redacted, never the secret", () =>
    Effect.gen(function*() {
      const servers = "nats://127.0.0.1:4222, nats://bob:hunter2@127.0.0.1:4223,nats://t0ken-abc@127.0.0.1:4224"
      for (const validate of [Nats.NatsSource.factory.validateSpec(sourceSpec({ servers })), Nats.NatsSink.factory.validateSpec(sinkSpec({ servers }))]) {
        const error = yield* Effect.flip(validate)
        expect(error.code).toBe(300)
        expect(ParamMap.problemsOf(error)).toHaveLength(1)
        expect(error.path).toBe("params.servers[1]")
        expect(error.detail).toBe("server URLs [1] \"nats://***@127.0.0.1:4223\" and [2] \"nats://***@127.0.0.1:4224\" carry credentials")
        expect(error.expected).toContain("set params.username and params.password, or params.token")
        printsNoSecret(error.message)
      }
      const one = yield* Effect.flip(Nats.NatsSource.factory.validateSpec(sourceSpec({ servers: "nats://t0ken-abc@127.0.0.1:4224" })))
      expect([one.path, one.detail]).toEqual(["params.servers[0]", "server URL [0] \"nats://***@127.0.0.1:4224\" carries credentials"])
    }))

  it.effect("a URL without a scheme, and a malformed list, are refused without printing their credentials", () =>
    Effect.gen(function*() {
      const bare = yield* Effect.flip(Nats.NatsSource.factory.validateSpec(sourceSpec({ servers: "bob:hunter2@127.0.0.1:4222" })))
      expect(bare.path).toBe("params.servers[0]")
      printsNoSecret(bare.message)
      const malformed = yield* Effect.flip(Nats.NatsSource.factory.validateSpec(sourceSpec({ servers: "nats://h:1 nats://bob:hunter2@h:2" })))
      printsNoSecret(malformed.message)
      // a password holding / is no path: the URL is still refused, and redacted whole
      const slash = yield* Effect.flip(Nats.NatsSource.factory.validateSpec(sourceSpec({ servers: "nats://bob:hun/ter2@h:2" })))
      expect(slash.detail).toBe("server URL [0] \"nats://***@h:2\" carries credentials")
    }))

  it.effect("the URL form refuses credentials without printing them", () =>
    Effect.gen(function*() {
      for (const url of ["nats://bob:hunter2@127.0.0.1:4222/S?durable=d", "nats://t0ken-abc@127.0.0.1:4222/S", "natss://bob:hunter2@h/S", "nats://bob:hun/ter2@h/S"]) {
        const error = yield* Effect.flip(Nats.adapter.urlToParams(url))
        expect(error.code).toBe(300)
        printsNoSecret(error.message)
      }
    }))

  it.live("with a real server: a build whose second server URL carries credentials fails with 300 before connecting, printing none", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServerWith({ user: "wpc", pass: "s3cret-pass" })
      const servers = `${server.url}, nats://wpc:wr0ng-pass@127.0.0.1:${server.port}`
      const source = yield* Effect.flip(Effect.scoped(Nats.NatsSource.factory.build(sourceSpec({ servers }), { workRoot: "/x" })))
      expect(source.code).toBe(300)
      expect(source.retryable).toBe(false)
      expect(source.message).toContain("servers[1]")
      printsNoSecret(source.message)
      const sink = yield* Effect.flip(Effect.scoped(Nats.NatsSink.factory.build(sinkSpec({ servers }), ctx)))
      expect(sink.code).toBe(300)
      printsNoSecret(sink.message)
    })))

  it.live("with a real server: connection errors name every server by host and port only", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServerWith({ user: "wpc", pass: "s3cret-pass" })
      const servers = `${server.url},nats://127.0.0.1:${server.port}`
      const refused = yield* Effect.flip(Effect.scoped(
        Nats.NatsSource.factory.build(sourceSpec({ servers, username: "wpc", password: "wr0ng-pass" }), { workRoot: "/x" })
      ))
      expect(refused.message).toContain(`nats://127.0.0.1:${server.port}`)
      printsNoSecret(refused.message)
      yield* server.stop
      const down = yield* Effect.flip(Effect.scoped(
        Nats.NatsSink.factory.build(sinkSpec({ servers, username: "wpc", password: "wr0ng-pass" }), ctx)
      ))
      expect(down.code).toBe(202)
      expect(down.message).toContain(`cannot connect to nats://127.0.0.1:${server.port}`)
      printsNoSecret(down.message)
    })))
})
