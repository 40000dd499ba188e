import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import * as Builtins from "../../src/connectors/builtins.js"
import { ConnectorRegistry, ParamMap } from "../../src/index.js"

// a built-in definition's params and allow_override, and its kind's defaults, are derived from the params
// Schema; these tests check the result against what the Schema itself fills in when decoding

/** Values for the keys a params Schema requires (no default), by definition id; the others require none. */
const required: Record<string, ParamMap.ParamMap> = {
  "nats-src": { stream: "IN", durable: "d" },
  "nats-sink": { stream: "OUT" },
  "redis-src": { stream: "in", group: "g" },
  "redis-sink": { stream: "out" },
  "clickhouse_sink": { table: "t" },
  "mysql_src": { database: "d", table: "t" },
  "mysql_sink": { database: "d", columns: ["c"] },
  "postgres_sink": { database: "d", columns: ["c"] }
}

/** The keys `schema` fills in by itself when decoding `given`: those it has a default for. */
const filledIn = (schema: Schema.Schema.Any, given: ParamMap.ParamMap): ReadonlyArray<string> =>
  Object.keys(Schema.decodeUnknownSync(schema as Schema.Schema<object, unknown>)(given)).filter((key) => !(key in given)).sort()

/** Asserts that `defaults` are exactly what `schema` fills in for `given` (same keys, same decoded values). */
const expectSchemaDefaults = (schema: Schema.Schema.Any, defaults: ParamMap.ParamMap, given: ParamMap.ParamMap, what: string) => {
  const decode = Schema.decodeUnknownSync(schema as Schema.Schema<object, unknown>)
  expect(ParamMap.keys(defaults), `${what}: the keys with a default`).toEqual(filledIn(schema, given))
  expect(decode({ ...defaults, ...given }), `${what}: the default values`).toEqual(decode(given))
}

/** Every kind the built-in registry holds. */
const kinds = Effect.flatMap(ConnectorRegistry.ConnectorRegistry, (registry) => registry.kinds)

/** The params Schema of `kind`'s factory of `scope`. */
const schemaOf = (info: ConnectorRegistry.KindInfo, scope: "source" | "sink"): Schema.Schema.Any => {
  const factory = scope === "source" ? Option.getOrThrow(info.source) : Option.getOrThrow(info.sink)
  return factory.params!
}

describe("built-in definitions derived from their params Schema", () => {
  it.effect("each one's params are its Schema's defaults, and its allow_override every key of the Schema", () =>
    Effect.gen(function*() {
      const checked: Array<string> = []
      for (const info of yield* kinds) {
        for (const def of info.defs) {
          const schema = schemaOf(info, def.scope)
          expectSchemaDefaults(schema, def.defaultParams, required[def.id] ?? {}, def.id)
          // no built-in Schema marks a field FixedParam: every key may be overridden
          expect([...def.allowOverride].sort(), `${def.id}: allow_override`).toEqual(Option.getOrThrow(ParamMap.knownKeys(schema)))
          checked.push(def.id)
        }
      }
      expect(checked).toEqual([
        "blackhole-sink",
        "clickhouse_sink",
        "file-src",
        "file-sink",
        "http-src",
        "http-sink",
        "memory-src",
        "memory-sink",
        "mysql_src",
        "mysql_sink",
        "nats-src",
        "nats-sink",
        "postgres_sink",
        "redis-src",
        "redis-sink",
        "syslog-src",
        "syslog-sink",
        "tcp-src",
        "tcp-sink",
        "victoriametrics_sink"
      ])
    }).pipe(Effect.provide(Builtins.layer)))

  it.effect("each kind's adapter defaults are its source Schema's defaults, or its sink Schema's for a sink-first kind (blackhole, clickhouse and file have none)", () =>
    Effect.gen(function*() {
      const without: Array<string> = []
      const noAdapter: Array<string> = []
      for (const info of yield* kinds) {
        if (Option.isNone(info.adapter)) {
          noAdapter.push(info.kind)
          continue
        }
        const adapter = info.adapter.value
        if (ParamMap.keys(adapter.defaults()).length === 0) {
          without.push(info.kind)
          continue
        }
        // a kind's adapter takes the defaults of its source side, or of its sink side when that is what its URLs name (mysql)
        const side = info.kind === "mysql" || Option.isNone(info.source) ? "sink" : "source"
        const given = required[`${info.kind}-src`] ?? required[`${info.kind}_${side === "source" ? "src" : "sink"}`] ?? {}
        expectSchemaDefaults(schemaOf(info, side), adapter.defaults(), given, `${info.kind} adapter`)
      }
      expect(without).toEqual(["blackhole", "clickhouse", "file"])
      // WarpParse gives victoriametrics no URL form: its insert_url is the one address
      expect(noAdapter).toEqual(["victoriametrics"])
    }).pipe(Effect.provide(Builtins.layer)))

  it.effect("the file definitions keep their paths as Schema defaults; memory-src now lists count and events too", () =>
    Effect.gen(function*() {
      const defs = new Map((yield* kinds).flatMap((info) => info.defs.map((d) => [d.id, d] as const)))
      expect(defs.get("file-src")!.defaultParams).toMatchObject({ base: "./data/in_dat", file: "gen.dat" })
      expect(defs.get("file-sink")!.defaultParams).toMatchObject({ base: "./data/out_dat", file: "default.dat" })
      expect(defs.get("memory-src")!.defaultParams).toEqual({ batch_size: 1024, count: 0, eof: true, events: [], payload_bytes: 200 })
    }).pipe(Effect.provide(Builtins.layer)))
})
