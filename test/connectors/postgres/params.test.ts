import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Secrets from "../../../src/cli/secrets.js"
import * as Postgres from "../../../src/connectors/postgres/index.js"
import { ConnectorDef, ParamMap } from "../../../src/index.js"

describe("postgres params", () => {
  it.effect("maps postgres://host:port/db?table=t&schema=s (and postgresql://) to params; the port defaults to 5432", () =>
    Effect.gen(function*() {
      expect(yield* Postgres.adapter.urlToParams("postgres://10.0.0.5:5433/logs?table=nginx&schema=raw&batch=200")).toEqual({
        endpoint: "10.0.0.5:5433",
        database: "logs",
        table: "nginx",
        schema: "raw",
        batch: 200
      })
      expect(yield* Postgres.adapter.urlToParams("postgresql://db/logs")).toEqual({ endpoint: "db:5432", database: "logs" })
      expect((yield* Effect.flip(Postgres.adapter.urlToParams("postgres://u:p@db/logs"))).path).toBe("url.userinfo")
      expect((yield* Effect.flip(Postgres.adapter.urlToParams("postgres://db/logs?follow=true"))).path).toBe("url.query.follow")
    }))

  it.effect("ships the postgres_sink definition; the Schema names a bad param; wpc masks the password", () =>
    Effect.gen(function*() {
      const [sink] = Postgres.sinkDefs.sinkDefs()
      expect(sink!.id).toBe("postgres_sink")
      expect(sink!.defaultParams).toEqual({ endpoint: "127.0.0.1:5432", username: "postgres", schema: "public", batch: 1000 })
      expect(yield* ConnectorDef.validate(sink!)).toBe(sink)
      const bad = yield* Effect.flip(ParamMap.decodeParams(Postgres.SinkParams, { database: "d", columns: ["a"], batch: 0 }, "params"))
      expect(bad.path).toBe("params.batch")
      expect(Secrets.params({ password: "s3cret", table: "t" }, Option.some(Postgres.SinkParams))).toEqual({ password: "***", table: "t" })
    }))
})
