import { describe, expect, it } from "@effect/vitest"
import * as Report from "../../src/cli/report.js"
import * as Secrets from "../../src/cli/secrets.js"
import * as Table from "../../src/cli/table.js"

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
