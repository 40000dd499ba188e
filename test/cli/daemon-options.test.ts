import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, LogLevel, Option } from "effect"
import * as LogFormat from "../../src/cli/log-format.js"
import * as MetricsAddress from "../../src/cli/metrics-address.js"
import * as Scrape from "../../src/cli/scrape.js"
import * as Top from "../../src/cli/top.js"
import { example, wpc } from "./fixtures.js"

describe("--metrics-addr", () => {
  it("parses HOST:PORT and [v6]:PORT; anything else names the flag and the value", () => {
    expect(MetricsAddress.parse("127.0.0.1:9464")).toEqual(Either.right({ host: "127.0.0.1", port: 9464 }))
    expect(MetricsAddress.parse("[::1]:0")).toEqual(Either.right({ host: "::1", port: 0 }))
    expect(MetricsAddress.parse("0.0.0.0:65535")).toEqual(Either.right({ host: "0.0.0.0", port: 65535 }))
    expect(MetricsAddress.parse("9464")).toEqual(
      Either.left(`--metrics-addr "9464" is not HOST:PORT (e.g. 127.0.0.1:9464, or [::1]:9464 for IPv6)`)
    )
    expect(MetricsAddress.parse("::1:9464")).toEqual(Either.left(`--metrics-addr "::1:9464" is not HOST:PORT (e.g. 127.0.0.1:9464, or [::1]:9464 for IPv6)`))
    expect(MetricsAddress.parse("host:70000")).toEqual(
      Either.left(`--metrics-addr "host:70000": port 70000 is not a TCP port (0 to 65535, 0 picks a free one)`)
    )
    expect(MetricsAddress.format({ host: "::1", port: 1 })).toBe("[::1]:1")
  })

  it.effect("wpc run: a bad --metrics-addr, or both flags at once, is a usage error (exit 2) before anything runs", () =>
    Effect.gen(function*() {
      const bad = yield* wpc("run", "-w", example, "--metrics-addr", "nowhere")
      expect(bad.code).toBe(2)
      expect(bad.err).toContain(`--metrics-addr "nowhere" is not HOST:PORT`)
      const both = yield* wpc("run", "-w", example, "--metrics-addr", "127.0.0.1:0", "--metrics-port", "0")
      expect(both.code).toBe(2)
      expect(both.err).toBe("wpc run: give --metrics-addr HOST:PORT or --metrics-port N, not both")
      expect(both.out).toBe("")
    }))
})

describe("log level", () => {
  it("the flag wins, then WPC_LOG_LEVEL (case-insensitive), then info; a bad value names the variable", () => {
    expect(LogFormat.resolveLevel(Option.some("debug"), { WPC_LOG_LEVEL: "nonsense" })).toEqual(Either.right(LogLevel.Debug))
    expect(LogFormat.resolveLevel(Option.none(), { WPC_LOG_LEVEL: "Warning" })).toEqual(Either.right(LogLevel.Warning))
    expect(LogFormat.resolveLevel(Option.none(), {})).toEqual(Either.right(LogLevel.Info))
    expect(LogFormat.resolveLevel(Option.none(), { WPC_LOG_LEVEL: " " })).toEqual(Either.right(LogLevel.Info))
    expect(LogFormat.resolveLevel(Option.none(), { WPC_LOG_LEVEL: "verbose" })).toEqual(
      Either.left(`WPC_LOG_LEVEL="verbose" is not a log level: expected one of all, trace, debug, info, warning, error, fatal, none`)
    )
  })
})

describe("wpc top", () => {
  it("parses the text format: labels with escapes, special values, comments skipped", () => {
    expect(Scrape.parse([
      "# HELP x A help.",
      "# TYPE x counter",
      `x{a="1",b="q\\"uote\\\\",c="new\\nline"} 3`,
      "y 1.5e3 1700000000000",
      "z +Inf",
      "not a sample line{",
      ""
    ].join("\n"))).toEqual([
      { name: "x", labels: { a: "1", b: `q"uote\\`, c: "new\nline" }, value: 3 },
      { name: "y", labels: {}, value: 1500 },
      { name: "z", labels: {}, value: Infinity }
    ])
  })

  it("shows rates between two scrapes, the queue fill and the breaker state", () => {
    const scrape = (events: number, written: number, open: number) =>
      Scrape.parse([
        `wpc_source_events_total{source="in"} ${events}`,
        `wpc_acked_events_total{source="in"} ${written}`,
        `wpc_source_up{source="in"} 1`,
        `wpc_sink_events_total{group="g",sink="out"} ${written}`,
        `wpc_queue_depth_events{group="g",sink="out"} 25`,
        `wpc_queue_capacity_events{group="g",sink="out"} 100`,
        `wpc_retries_total{group="g",sink="out"} 2`,
        `wpc_rescued_events_total{group="g",sink="out"} 0`,
        `wpc_sink_breakers_open{group="g",sink="out"} ${open}`
      ].join("\n"))
    const before = Top.snapshot(scrape(100, 50, 0), 1000)
    const after = Top.snapshot(scrape(2100, 1050, 1), 3000)
    const lines = Top.view(after, before).split("\n")
    expect(lines[1]!.split(/\s+/)).toEqual(["in", "1,000", "2,100", "1,050", "up"])
    expect(lines[4]!.split(/\s+/)).toEqual(["g/out", "500", "25.0%", "1,050", "2", "0", "open", "(1)"])
    expect(Top.view(before, undefined).split("\n")[1]!.split(/\s+/)).toEqual(["in", "-", "100", "50", "up"])
  })

  it("reads --url, else --metrics-addr, else 127.0.0.1:9464; both is an error", () => {
    expect(Top.targetOf(Option.none(), Option.none())).toEqual(Either.right("http://127.0.0.1:9464/metrics"))
    expect(Top.targetOf(Option.none(), Option.some({ host: "::1", port: 1 }))).toEqual(Either.right("http://[::1]:1/metrics"))
    expect(Top.targetOf(Option.some("http://h:2/m"), Option.none())).toEqual(Either.right("http://h:2/m"))
    expect(Top.targetOf(Option.some("http://h:2/m"), Option.some({ host: "h", port: 1 }))).toEqual(
      Either.left("give --metrics-addr HOST:PORT or --url URL, not both")
    )
    expect(Top.targetOf(Option.some("localhost:9464"), Option.none())).toEqual(
      Either.left(`--url "localhost:9464" is not an http:// or https:// URL (e.g. http://127.0.0.1:9464/metrics)`)
    )
  })
})
