import { describe, expect, it } from "@effect/vitest"
import { Option, Schema } from "effect"
import * as Report from "../../src/cli/report.js"
import * as Secrets from "../../src/cli/secrets.js"
import * as Table from "../../src/cli/table.js"
import * as SecretParam from "../../src/config/secret-param.js"
import * as HttpParams from "../../src/connectors/http/params.js"
import * as NatsParams from "../../src/connectors/nats/params.js"
import * as RedisParams from "../../src/connectors/redis/params.js"

describe("Secrets.params", () => {
  it("masks values of secret-looking keys at any depth, and URL passwords; keeps the rest", () => {
    expect(Secrets.params({
      password: "p",
      db_passwd: "p",
      api_token: 123,
      client_secret: "s",
      tls: { key: "k", cert: "c" },
      apiKey: ["a"],
      empty_token: "",
      unset_secret: null,
      url: "redis://user:pw@host:6379/0",
      plain_url: "http://host/path",
      host: "h"
    })).toEqual({
      password: "***",
      db_passwd: "***",
      api_token: "***",
      client_secret: "***",
      tls: { key: "***", cert: "c" },
      apiKey: "***",
      empty_token: "",
      unset_secret: null,
      url: "redis://user:***@host:6379/0",
      plain_url: "http://host/path",
      host: "h"
    })
  })

  it("without a Schema, masks keys named like a secret, not every key containing \"key\"", () => {
    expect(Secrets.params({
      routing_key: "orders.eu",
      sort_key: "ts",
      keyspace: "k1",
      secret_key: "s",
      access_key: "a",
      private_key: "p",
      auth_token: "t",
      token: "t",
      password: "p"
    })).toEqual({
      routing_key: "orders.eu",
      sort_key: "ts",
      keyspace: "k1",
      secret_key: "***",
      access_key: "***",
      private_key: "***",
      auth_token: "***",
      token: "***",
      password: "***"
    })
  })

  it("with a Schema, masks what it marks SecretParam (at any depth) and shows what it declares unmarked", () => {
    const Params = Schema.Struct({
      routing_key: Schema.String,
      password: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
      api_token: Schema.String,
      tls: Schema.optional(Schema.Struct({ cert: Schema.String, pass: SecretParam.secret(Schema.String) })),
      port: Schema.optionalWith(Schema.Int, { default: () => 1 })
    })
    expect(Secrets.params({
      routing_key: "orders.eu",
      password: "hunter2",
      api_token: "shown",
      tls: { cert: "c", pass: "p" },
      port: 2,
      // not declared: masked by its name
      client_secret: "s"
    }, Option.some(Params))).toEqual({
      routing_key: "orders.eu",
      password: "***",
      api_token: "shown",
      tls: { cert: "c", pass: "***" },
      port: 2,
      client_secret: "***"
    })
  })

  it("the built-in kinds mark their passwords and tokens: nats, redis, http", () => {
    const masked = { password: "***", token: "***", routing_key: "r" }
    const table = { password: "hunter2", token: "t0ken", routing_key: "r" }
    expect(Secrets.params(table, Option.some(NatsParams.SourceParams))).toEqual(masked)
    expect(Secrets.params(table, Option.some(NatsParams.SinkParams))).toEqual(masked)
    expect(Secrets.params({ password: "hunter2" }, Option.some(RedisParams.SinkParams))).toEqual({ password: "***" })
    expect(Secrets.params({ token: "t0ken", path: "/in" }, Option.some(HttpParams.SourceParams))).toEqual({ token: "***", path: "/in" })
  })
})

describe("Report", () => {
  it("writes params as sorted key=value pairs, quoting what needs it", () => {
    expect(Report.paramsText({ z: 1, a: "x y", token: "t", b: true, c: ["p"], d: "" })).toBe(
      "a=\"x y\" b=true c=[\"p\"] d=\"\" token=*** z=1"
    )
    expect(Report.paramsText({})).toBe("-")
  })
})

describe("Table.render", () => {
  it("pads columns to their widest cell, not the last one", () => {
    expect(Table.render(["A", "LONG", "C"], [["xyz", "1", "end"], ["", "22222", ""]])).toBe(
      "A    LONG   C\nxyz  1      end\n     22222"
    )
  })
})
