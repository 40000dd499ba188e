import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { tempDir } from "../project/fixtures.js"
import { nats, redis } from "./brokers.js"
import { startRun, writeProject } from "./cluster.js"

const events = 50_000
const ids = Array.from({ length: events }, (_, i) => `ev-${i}`)

for (const broker of [nats, redis]) {
  describe(`a wpc run pipeline ${broker.kind} -> ${broker.kind} while the server restarts`, () => {
    it.scopedLive("reconnects on both sides and loses nothing", () =>
      Effect.gen(function*() {
        const { server, fill, count, readAll, sourceParams, sinkParams } = yield* broker.start
        yield* fill("IN", ids)
        const dir = yield* tempDir
        writeProject(dir, {
          source: { kind: broker.kind, params: sourceParams("IN", "relay", 10_000) },
          sink: { kind: broker.kind, params: sinkParams("OUT") },
          rateLimitRps: 10_000
        })
        const run = yield* startRun(dir)

        // one deadline for the whole run: the 180 s test timeout must not cut it short on a busy machine
        const deadline = Date.now() + 120_000
        const timedOut = (what: string) => new Error(`timed out waiting until ${what}: ${run.stderr()}`)
        const relayed = (atLeast: number) =>
          Effect.gen(function*() {
            while ((yield* Effect.promise(() => count("OUT"))) < atLeast) {
              if (Date.now() > deadline) return yield* Effect.fail(timedOut(`OUT holds ${atLeast} events`))
              yield* Effect.sleep("100 millis")
            }
          })
        // the count includes the duplicates of batches retried across the outage, so reaching it does not
        // mean every id arrived: wait until OUT holds each one, then stop
        const relayedEvery = Effect.gen(function*() {
          yield* relayed(events)
          while (true) {
            const seen = new Set(yield* readAll("OUT"))
            const missing = ids.reduce((n, id) => (seen.has(id) ? n : n + 1), 0)
            if (missing === 0) return
            if (Date.now() > deadline) return yield* Effect.fail(timedOut(`OUT holds every id (${missing} of ${events} still missing)`))
            yield* Effect.sleep("250 millis")
          }
        })
        yield* relayed(10_000)
        // the server dies mid-run and comes back 1.5 s later on the same port and data
        yield* server.stop
        yield* Effect.sleep("1500 millis")
        yield* server.start
        yield* relayedEvery
        run.child.kill("SIGINT")
        const { code } = yield* Effect.promise(() => run.exited)
        expect(code, run.stderr()).toBe(0)
        const report = JSON.parse(run.stdout())
        expect(report).toMatchObject({ status: "stopped", unacked: 0 })
        expect(report.sinks[0].rescued).toBe(0)

        // OUT holds every event (a batch retried across the outage may be there twice: at-least-once)
        const out = yield* readAll("OUT")
        expect(out.filter((p) => !/^ev-\d+$/.test(p))).toEqual([])
        const seen = new Set(out)
        expect(ids.filter((id) => !seen.has(id))).toEqual([])
        console.log(`${broker.kind} restart: OUT holds ${out.length} events (${out.length - seen.size} duplicated); sink retries ${report.sinks[0].retries}, source restarts ${report.sources[0].restarts}`)
      }), 180_000)
  })
}
