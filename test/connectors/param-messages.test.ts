import { describe, expect, it } from "@effect/vitest"
import { Effect, type Schema } from "effect"
import * as File from "../../src/connectors/file/params.js"
import * as Http from "../../src/connectors/http/params.js"
import * as Memory from "../../src/connectors/memory/params.js"
import * as Nats from "../../src/connectors/nats/params.js"
import * as Redis from "../../src/connectors/redis/params.js"
import * as Syslog from "../../src/connectors/syslog/params.js"
import * as Tcp from "../../src/connectors/tcp/params.js"
import { ParamMap } from "../../src/index.js"

// the shared refinements of ParamTypes are defined once, with one description: the same bad value is
// refused with the same words whichever connector it was written for

/** What a connector says of `params`: the detail and the expectation of its error (not the key path). */
const refusal = <A, I>(schema: Schema.Schema<A, I>, params: ParamMap.ParamMap) =>
  Effect.map(Effect.flip(ParamMap.decodeParams(schema, params)), (e) => ({ code: e.code, detail: e.detail, expected: e.expected }))

describe("a bad param value gets the same message in every connector", () => {
  it.effect("batch_events = 0 (Positive): tcp, syslog and http alike", () =>
    Effect.gen(function*() {
      const tcp = yield* refusal(Tcp.SourceParams, { batch_events: 0 })
      expect(tcp).toEqual({ code: 300, detail: "Expected an integer >= 1, actual 0", expected: "an integer >= 1" })
      expect(yield* refusal(Http.SourceParams, { batch_events: 0 })).toEqual(tcp)
      expect(yield* refusal(Syslog.SourceParams, { batch_events: 0 })).toEqual(tcp)
      // the other counts that may not be zero, too
      expect(yield* refusal(File.SourceParams, { batch_lines: 0 })).toEqual(tcp)
      expect(yield* refusal(Memory.SourceParams, { batch_size: 0 })).toEqual(tcp)
      expect(yield* refusal(Nats.SourceParams, { stream: "S", durable: "d", batch: 0 })).toEqual(tcp)
    }))

  it.effect("port = 70000: a listen port (0..65535) in tcp, syslog and http; a connect port (1..65535) in the tcp sink and redis", () =>
    Effect.gen(function*() {
      const listen = yield* refusal(Tcp.SourceParams, { port: 70000 })
      expect(listen.expected).toBe("an integer between 0 and 65535")
      expect(yield* refusal(Http.SourceParams, { port: 70000 })).toEqual(listen)
      expect(yield* refusal(Syslog.SourceParams, { port: 70000 })).toEqual(listen)
      const connect = yield* refusal(Tcp.SinkParams, { port: 70000 })
      expect(connect.expected).toBe("an integer between 1 and 65535")
      expect(yield* refusal(Redis.SinkParams, { stream: "s", port: 70000 })).toEqual(connect)
    }))

  it.effect("an empty address, a negative count, an idle timeout and a duration in ms", () =>
    Effect.gen(function*() {
      const addr = yield* refusal(Tcp.SourceParams, { addr: "" })
      expect(addr.expected).toBe("a host name or IP address, e.g. 127.0.0.1")
      expect(yield* refusal(Http.SourceParams, { addr: "" })).toEqual(addr)
      expect(yield* refusal(Redis.SinkParams, { stream: "s", host: "" })).toEqual(addr)

      const count = yield* refusal(File.SinkParams, { rotate_bytes: -1 })
      expect(count).toEqual({ code: 300, detail: "Expected an integer >= 0, actual -1", expected: "an integer >= 0" })
      expect(yield* refusal(Memory.SourceParams, { count: -1 })).toEqual(count)
      expect(yield* refusal(Redis.SinkParams, { stream: "s", maxlen: -1 })).toEqual(count)
      expect(yield* refusal(Http.SourceParams, { retry_after_s: -1 })).toEqual(count)

      const idle = yield* refusal(Tcp.SourceParams, { idle_timeout_s: -1 })
      expect(idle.expected).toBe("an integer >= 0 (seconds; 0 turns it off)")
      expect(yield* refusal(Syslog.SourceParams, { idle_timeout_s: -1 })).toEqual(idle)

      const millis = yield* refusal(File.SourceParams, { poll_ms: 0 })
      expect(millis.expected).toBe("an integer >= 1 (milliseconds)")
      expect(yield* refusal(Redis.SourceParams, { stream: "s", group: "g", block_ms: 0 })).toEqual(millis)
      expect(yield* refusal(Nats.SourceParams, { stream: "S", durable: "d", ack_wait_ms: 0 })).toEqual(millis)
      expect(yield* refusal(Tcp.SinkParams, { connect_timeout_ms: 0 })).toEqual(millis)
    }))
})
