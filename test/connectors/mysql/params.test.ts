import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Secrets from "../../../src/cli/secrets.js"
import * as Mysql from "../../../src/connectors/mysql/index.js"
import { ConnectorDef, ParamMap } from "../../../src/index.js"

describe("mysql params", () => {
  it.effect("maps mysql://host:port/db?table=t (and mariadb://) to params; the port defaults to 3306", () =>
    Effect.gen(function*() {
      expect(yield* Mysql.adapter.urlToParams("mysql://10.0.0.5:3307/wparse?table=nginx&batch=500")).toEqual({
        endpoint: "10.0.0.5:3307",
        database: "wparse",
        table: "nginx",
        batch: 500
      })
      expect(yield* Mysql.adapter.urlToParams("mariadb://db.local/logs?follow=true&key=id")).toEqual({ endpoint: "db.local:3306", database: "logs", follow: true, key: "id" })
      expect(yield* Mysql.adapter.urlToParams("mysql://[::1]:3306/d")).toEqual({ endpoint: "[::1]:3306", database: "d" })
      expect(Mysql.adapter.defaults()).toMatchObject({ endpoint: "127.0.0.1:3306", username: "root", batch: 1000 })
    }))

  it.effect("refuses URLs it cannot honour, naming the URL part; credentials never go in a URL", () =>
    Effect.gen(function*() {
      const refused = (url: string) => Effect.map(Effect.flip(Mysql.adapter.urlToParams(url)), (e) => [e.code, e.path])
      expect(yield* refused("postgres://h/d")).toEqual([300, "url.scheme"])
      const credentials = yield* Effect.flip(Mysql.adapter.urlToParams("mysql://root:dayu@localhost:3306/wparse"))
      expect([credentials.path, String(credentials)]).toEqual(["url.userinfo", expect.not.stringContaining("dayu")])
      expect(yield* refused("mysql://h/a/b")).toEqual([300, "url.path"])
      expect(yield* refused("mysql://h/d?colour=red")).toEqual([300, "url.query.colour"])
      expect(yield* refused("mysql://h/d?batch=many")).toEqual([300, "url.query.batch"])
      expect(yield* refused("mysql://h/d?follow=yes")).toEqual([300, "url.query.follow"])
      expect(yield* refused("mysql://h/d#x")).toEqual([300, "url.fragment"])
    }))

  it.effect("the Schemas name the bad param, and fill in WarpParse's defaults", () =>
    Effect.gen(function*() {
      const ok = yield* ParamMap.decodeParams(Mysql.SourceParams, { database: "d", table: "t" }, "params")
      expect(ok).toMatchObject({ endpoint: "127.0.0.1:3306", username: "root", batch: 1000, follow: false, poll_ms: 1000, checkpoint: true })
      const source = (pm: ParamMap.ParamMap) => Effect.map(Effect.flip(ParamMap.decodeParams(Mysql.SourceParams, pm, "params")), (e) => e.path)
      expect(yield* source({ database: "d" })).toBe("params.table")
      expect(yield* source({ database: "d", table: "t", columns: [] })).toContain("params.columns")
      expect(yield* source({ database: "d", table: " t" })).toBe("params.table")
      expect(yield* source({ database: "d", table: "t", endpoint: "h:0" })).toBe("params.endpoint")
      const sink = yield* ParamMap.decodeParams(Mysql.SinkParams, { database: "d", columns: { msg: "message", raw: "payload" } }, "params")
      expect(sink.columns).toEqual({ msg: "message", raw: "payload" })
    }))

  it.effect("ships mysql_src and mysql_sink definitions; wpc masks the password by the Schema, not the key named `key`", () =>
    Effect.gen(function*() {
      const [src] = Mysql.sourceDefs.sourceDefs()
      const [sink] = Mysql.sinkDefs.sinkDefs()
      expect(src!.id).toBe("mysql_src")
      expect(sink!.id).toBe("mysql_sink")
      expect(sink!.allowOverride).toEqual(["endpoint", "database", "username", "password", "tls", "table", "batch", "columns"])
      expect(sink!.defaultParams).toEqual({ endpoint: "127.0.0.1:3306", username: "root", batch: 1000 })
      expect(yield* ConnectorDef.validate(src!)).toBe(src)
      expect(yield* ConnectorDef.validate(sink!)).toBe(sink)
      expect(Secrets.params({ password: "dayu", key: "id", table: "t" }, Option.some(Mysql.SourceParams))).toEqual({ password: "***", key: "id", table: "t" })
    }))
})
