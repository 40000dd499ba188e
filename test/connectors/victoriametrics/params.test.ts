import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Vm from "../../../src/connectors/victoriametrics/index.js"
import { ConnectorDef, ParamMap, SecretParam } from "../../../src/index.js"

const decode = (pm: ParamMap.ParamMap) => ParamMap.decodeParams(Vm.SinkParams, pm, "params")
const refused = (pm: ParamMap.ParamMap) => Effect.flip(decode(pm))

describe("victoriametrics params", () => {
  it.effect("defaults follow WarpParse's definition: a local server's Prometheus endpoint, every key overridable", () =>
    Effect.gen(function*() {
      const params = yield* decode({})
      expect(params).toMatchObject({
        insert_url: "http://127.0.0.1:8428/api/v1/import/prometheus",
        flush_interval_secs: 30,
        metric: "{field}",
        labels: [],
        tags: [],
        timestamp_unit: "ms",
        request_timeout_ms: 30000
      })
      expect(Vm.formatOf(params)).toBe("prometheus")
      const [def] = Vm.sinkDefs.sinkDefs()
      expect(def!.id).toBe("victoriametrics_sink")
      expect(def!.allowOverride).toEqual(expect.arrayContaining(["insert_url", "flush_interval_secs", "metric", "fields", "labels", "password"]))
      expect(yield* ConnectorDef.validate(def!)).toBe(def)
    }))

  it.effect("the format follows insert_url's path unless given; a format that contradicts the path is refused", () =>
    Effect.gen(function*() {
      expect(Vm.formatOf(yield* decode({ insert_url: "http://vm:8428/api/v1/import" }))).toBe("json")
      expect(Vm.formatOf(yield* decode({ insert_url: "http://vmagent:8429/api/v1/import/prometheus" }))).toBe("prometheus")
      expect(Vm.formatOf(yield* decode({ insert_url: "http://proxy/push", format: "json" }))).toBe("json")
      const wrong = yield* refused({ insert_url: "http://vm:8428/api/v1/import", format: "prometheus" })
      expect(wrong).toMatchObject({ code: 300, path: "params.format" })
      expect(wrong.detail).toContain("JSON-lines endpoint")
      expect((yield* refused({ format: "json" })).path).toBe("params.format")
    }))

  it.effect("bad values name the param: URL, template, tags, labels, numbers, unknown keys", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [ParamMap.ParamMap, string, string]> = [
        [{ insert_url: "127.0.0.1 8428" }, "params.insert_url", "not a URL"],
        [{ insert_url: "vm:8428" }, "params.insert_url", "scheme \"vm:\" is not http: or https:"],
        [{ insert_url: "ftp://vm/x" }, "params.insert_url", "is not http: or https:"],
        [{ insert_url: "http://u:p@vm:8428/api/v1/import" }, "params.insert_url", "set params.username and params.password"],
        [{ metric: "{}" }, "params.metric", "empty placeholder"],
        [{ metric: "cpu_{field" }, "params.metric", "unbalanced"],
        [{ tags: ["env=prod"] }, "params.tags[0]", ""],
        [{ tags: ["__name__:x"] }, "params.tags[0]", "metric name"],
        [{ labels: ["host", "__name__"] }, "params.labels[1]", "metric name"],
        [{ labels: ["a-b", "a.b"] }, "params.labels[1]", "both become label a_b"],
        [{ fields: [] }, "params.fields[0]", "missing"],
        [{ flush_interval_secs: -1 }, "params.flush_interval_secs", ""],
        [{ timestamp_unit: "h" }, "params.timestamp_unit", ""],
        [{ password: "x" }, "params.password", "needs username"],
        [{ flush_interval: 1 }, "params.flush_interval", "unknown key"]
      ]
      for (const [pm, path, says] of cases) {
        const error = yield* refused(pm)
        expect(error.code, JSON.stringify(pm)).toBe(300)
        expect(error.path, JSON.stringify(pm)).toBe(path)
        expect(error.detail, JSON.stringify(pm)).toContain(says)
      }
    }))

  it("the password is marked secret (wpc prints ***)", () => {
    const struct = SecretParam.fieldsOf(Vm.SinkParams)
    expect(struct).toBeDefined()
    expect(SecretParam.field(struct!, "password")._tag).toBe("Secret")
    expect(SecretParam.field(struct!, "username")._tag).toBe("Plain")
  })

  it.effect("tags become extra_label query args of the push URL", () =>
    Effect.gen(function*() {
      const url = Vm.VictoriaMetricsSink.pushUrl(yield* decode({ insert_url: "http://vm:8428/api/v1/import/prometheus?x=1", tags: ["env:prod", "dc:eu:1"] }))
      expect(url.searchParams.getAll("extra_label")).toEqual(["env=prod", "dc=eu:1"])
      expect(url.searchParams.get("x")).toBe("1")
    }))
})
