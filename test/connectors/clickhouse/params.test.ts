import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Secrets from "../../../src/cli/secrets.js"
import * as Clickhouse from "../../../src/connectors/clickhouse/index.js"
import { ConnectorDef, ParamMap } from "../../../src/index.js"

const decode = (pm: ParamMap.ParamMap) => ParamMap.decodeParams(Clickhouse.SinkParams, pm, "params")

describe("clickhouse params", () => {
  it.effect("defaults follow WarpParse's sink: endpoint, database, username, batch, skip_unknown, date_time_best_effort", () =>
    Effect.gen(function*() {
      expect(yield* decode({ table: "events" })).toEqual({
        endpoint: "http://127.0.0.1:8123",
        database: "default",
        table: "events",
        username: "default",
        batch: 10000,
        skip_unknown: true,
        date_time_best_effort: true,
        payload_column: "payload",
        timeout_ms: 30000
      })
    }))

  it.effect("a bad param is a ConfigError (300) naming it, and saying why", () =>
    Effect.gen(function*() {
      const refused = (pm: ParamMap.ParamMap) => Effect.flip(decode(pm))
      expect(yield* refused({})).toMatchObject({ code: 300, path: "params.table" })
      const credentials = yield* refused({ table: "t", endpoint: "http://writer:hunter2@127.0.0.1:8123" })
      expect(credentials.path).toBe("params.endpoint")
      expect(credentials.message).toContain("the URL carries credentials: set params.username and params.password instead")
      expect(credentials.message).not.toContain("hunter2")
      expect((yield* refused({ table: "t", endpoint: "ftp://127.0.0.1" })).message).toContain("scheme \"ftp\" is not http or https")
      expect((yield* refused({ table: "t", endpoint: "http://127.0.0.1:8123/?query=x" })).message).toContain("the URL has a query")
      expect((yield* refused({ table: "t", endpoint: "127.0.0.1:8123" })).path).toBe("params.endpoint")
      expect((yield* refused({ table: "a\nb" })).path).toBe("params.table")
      expect((yield* refused({ table: "t", batch: 0 })).path).toBe("params.batch")
      expect((yield* refused({ table: "t", columns: [] })).path).toBe("params.columns[0]")
      const twice = yield* refused({ table: "t", columns: ["a", "b", "a=c"] })
      expect(twice.path).toBe("params.columns[2]")
      expect(twice.message).toContain("column \"a\" is listed twice")
      expect((yield* refused({ table: "t", skip_unknown: "yes" })).path).toBe("params.skip_unknown")
      expect((yield* refused({ table: "t", passwd: "x" })).path).toBe("params.passwd")
    }))

  it.effect("maps clickhouse://host:port/database?table=t to params (port 8123 by default)", () =>
    Effect.gen(function*() {
      expect(yield* Clickhouse.adapter.urlToParams("clickhouse://10.0.0.5/logs?table=events&batch=500&skip_unknown=false&timeout_ms=100")).toEqual({
        endpoint: "http://10.0.0.5:8123",
        database: "logs",
        table: "events",
        batch: 500,
        skip_unknown: false,
        timeout_ms: 100
      })
      expect(yield* Clickhouse.adapter.urlToParams("clickhouse://[::1]:9123/my%20db")).toEqual({ endpoint: "http://[::1]:9123", database: "my db" })
      expect(Clickhouse.adapter.defaults()).toEqual({})
      const decoded = yield* decode({ ...(yield* Clickhouse.adapter.urlToParams("clickhouse://h:1/d?table=t")) })
      expect(decoded).toMatchObject({ endpoint: "http://h:1", database: "d", table: "t" })
    }))

  it.effect("refuses URLs it cannot honour, naming the URL part and never repeating credentials", () =>
    Effect.gen(function*() {
      const refused = (url: string) => Effect.flip(Clickhouse.adapter.urlToParams(url))
      const credentials = yield* refused("clickhouse://writer:hunter2@h/d")
      expect(credentials).toMatchObject({ code: 300, path: "url.userinfo" })
      expect(credentials.message).not.toContain("hunter2")
      expect((yield* refused("http://h/d")).path).toBe("url.scheme")
      expect((yield* refused("clickhouse://h/a/b")).path).toBe("url.path")
      expect((yield* refused("clickhouse://h/%zz")).path).toBe("url.path")
      expect((yield* refused("clickhouse://h/d?columns=a")).path).toBe("url.query.columns")
      expect((yield* refused("clickhouse://h/d?batch=many")).path).toBe("url.query.batch")
      expect((yield* refused("clickhouse://h/d?skip_unknown=yes")).path).toBe("url.query.skip_unknown")
      expect((yield* refused("clickhouse://h/d#x")).path).toBe("url.fragment")
    }))

  it.effect("ships the clickhouse_sink definition: every param overridable, the password masked by its Schema", () =>
    Effect.gen(function*() {
      const [def] = Clickhouse.sinkDefs.sinkDefs()
      expect(def).toMatchObject({ id: "clickhouse_sink", kind: "clickhouse", scope: "sink" })
      expect(def!.allowOverride).toEqual([
        "endpoint",
        "database",
        "table",
        "username",
        "password",
        "batch",
        "skip_unknown",
        "date_time_best_effort",
        "columns",
        "payload_column",
        "timeout_ms",
        "tls"
      ])
      expect(yield* ConnectorDef.validate(def!)).toBe(def)
      expect(Secrets.params({ table: "t", password: "hunter2", username: "w" }, Option.some(Clickhouse.SinkParams))).toEqual({
        table: "t",
        password: Secrets.mask,
        username: "w"
      })
    }))
})
