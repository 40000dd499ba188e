import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, type Scope } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import { SinkFactory, type SourceFactory } from "../../../src/index.js"
import { silentServer } from "./silent-server.js"

const sourceSpec = (servers: string): SourceFactory.ResolvedSourceSpec => ({
  name: "in",
  kind: "nats",
  connectorId: "nats-src",
  params: { servers, stream: "S", durable: "d" },
  tags: []
})

const sinkSpec = (servers: string): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "nats",
  connectorId: "nats-sink",
  params: { servers, stream: "S" },
  filter: Option.none()
})

describe("nats: a connect that the server does not answer", () => {
  it.scopedLive("can be interrupted at once (a Stop while wpc starts), not after the client's 20 s connect timeout", () =>
    Effect.gen(function*() {
      const builds: ReadonlyArray<(servers: string) => Effect.Effect<unknown, unknown, Scope.Scope>> = [
        (servers) => Nats.NatsSource.factory.build(sourceSpec(servers), { workRoot: "/x" }),
        (servers) => Nats.NatsSink.factory.build(sinkSpec(servers), SinkFactory.buildCtx({ workRoot: "/x" }))
      ]
      for (const build of builds) {
        const silent = yield* silentServer
        const fiber = yield* Effect.fork(Effect.scoped(build(`nats://127.0.0.1:${silent.port}`)))
        yield* Effect.promise(() => silent.connected)
        const started = Date.now()
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        // generous: the client gives up on its own only after 20 s
        expect(Date.now() - started).toBeLessThan(5000)
      }
    }), 60_000)
})
