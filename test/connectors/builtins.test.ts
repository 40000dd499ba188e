import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as Builtins from "../../src/connectors/builtins.js"
import { type ConfigError, ConnectorRegistry, ParamMap } from "../../src/index.js"

// every built-in factory is made by `SourceFactory.withParams` / `SinkFactory.withParams`: its params are
// decoded by its Schema one way (an unknown key refused, named the same), and a source's tags are
// checked before anything is built

/** One side of a built-in kind: its label, whether it has a params Schema, and its `validateSpec`. */
interface Side {
  readonly label: string
  readonly hasSchema: boolean
  readonly validate: (params: ParamMap.ParamMap, tags?: ReadonlyArray<string>) => Effect.Effect<void, ConfigError>
}

/** The source and sink of every built-in kind, in the registry's order. */
const sides = Effect.gen(function*() {
  const registry = yield* ConnectorRegistry.ConnectorRegistry
  const out: Array<Side & { readonly kind: string; readonly source: boolean }> = []
  for (const { kind, sink, source } of yield* registry.kinds) {
    if (Option.isSome(source)) {
      const factory = source.value
      out.push({
        kind,
        source: true,
        label: `${kind} source`,
        hasSchema: factory.params !== undefined,
        validate: (params, tags = []) => factory.validateSpec({ name: "in", kind, connectorId: `${kind}-src`, params, tags })
      })
    }
    if (Option.isSome(sink)) {
      const factory = sink.value
      out.push({
        kind,
        source: false,
        label: `${kind} sink`,
        hasSchema: factory.params !== undefined,
        validate: (params) => factory.validateSpec({ group: "g", name: "out", kind, connectorId: `${kind}-sink`, params, filter: Option.none() })
      })
    }
  }
  return out
})

/** The error of each key the check refused, as `path: detail`. */
const problems = (error: ConfigError) => ParamMap.problemsOf(error).map((e) => `${e.path}: ${e.detail}`)

describe("built-in factories", () => {
  it.effect("every source and sink factory has a params Schema and refuses an unknown key in validateSpec, naming it", () =>
    Effect.gen(function*() {
      const all = yield* sides
      expect(all.map((s) => s.label)).toEqual([
        "blackhole sink",
        "clickhouse sink",
        "file source",
        "file sink",
        "http source",
        "http sink",
        "memory source",
        "memory sink",
        "mysql source",
        "mysql sink",
        "nats source",
        "nats sink",
        "postgres sink",
        "redis source",
        "redis sink",
        "syslog source",
        "syslog sink",
        "tcp source",
        "tcp sink",
        "victoriametrics sink"
      ])
      for (const side of all) {
        expect(side.hasSchema, side.label).toBe(true)
        const error = yield* Effect.flip(side.validate({ bogus_key: 1 }))
        expect(error.code, side.label).toBe(300)
        expect(problems(error), side.label).toContain(`params.bogus_key: unknown key "bogus_key"`)
      }
    }).pipe(Effect.provide(Builtins.layer)))

  it.effect("every source factory checks the spec's tags in validateSpec, before anything is built", () =>
    Effect.gen(function*() {
      // params each kind accepts as they are; only the tag is wrong
      const valid: Record<string, ParamMap.ParamMap> = {
        file: { base: "/nonexistent", file: "in.log" },
        http: { port: 0 },
        memory: {},
        mysql: { database: "wpc", table: "t" },
        nats: { stream: "in", durable: "d" },
        redis: { stream: "in", group: "g" },
        syslog: { port: 0 },
        tcp: { port: 0 }
      }
      for (const side of (yield* sides).filter((s) => s.source)) {
        const params = valid[side.kind]
        expect(params, `params for the ${side.label}`).toBeDefined()
        yield* side.validate(params!)
        const checked = yield* Effect.either(side.validate(params!, ["nocolon"]))
        expect(Either.isLeft(checked), `the ${side.label} refuses the tag "nocolon"`).toBe(true)
        expect(Either.getLeft(checked).pipe(Option.map((e) => `${e.code} ${e.path}`)), side.label).toEqual(Option.some("300 tags[0]"))
      }
    }).pipe(Effect.provide(Builtins.layer)))
})
