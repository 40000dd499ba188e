import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { VictoriaMetricsMetricName as MetricName, VictoriaMetricsSamples as Samples } from "../../../src/connectors/victoriametrics/index.js"
import { DataRecord } from "../../../src/index.js"

const { chars, field, float } = DataRecord
const digit = (n: number | bigint) => Option.getOrThrow(DataRecord.digit(n))
const time = (iso: string) => Option.getOrThrow(DataRecord.time(iso))
const record = (...fields: ReadonlyArray<DataRecord.DataField>) => DataRecord.make(fields)

const mapping = (options: Partial<Samples.MappingOptions> = {}) =>
  Samples.mapping({ metric: "{field}", labels: [], timestamp_unit: "ms", ...options })

const collect = (m: Samples.Mapping, r: DataRecord.DataRecord, now = 1_700_000_000_000) => {
  const out: Array<Samples.Sample> = []
  const skipped = Samples.collectSamples(m, r, now, out)
  return { out, skipped }
}

describe("victoriametrics samples", () => {
  it("every integer and float field is a sample by default; labels from fields; the time is now", () => {
    const r = record(field("host", chars("web-1")), field("bytes", digit(512)), field("rt", float(0.25)), field("path", chars("/x")), field("ok", DataRecord.bool(true)))
    const { out, skipped } = collect(mapping({ labels: ["host", "path"] }), r)
    expect(skipped).toBeUndefined()
    expect(out).toEqual([
      { name: "bytes", labels: [["host", "web-1"], ["path", "/x"]], value: "512", timestamp: 1_700_000_000_000 },
      { name: "rt", labels: [["host", "web-1"], ["path", "/x"]], value: "0.25", timestamp: 1_700_000_000_000 }
    ])
  })

  it("chosen fields: a bool is 1/0 and text holding a number is that number; others give nothing", () => {
    const m = mapping({ fields: ["up", "n", "word", "missing", "big"] })
    const r = record(field("up", DataRecord.bool(false)), field("n", chars(" 12.5e1 ")), field("word", chars("twelve")), field("big", digit(2n ** 63n - 1n)))
    expect(collect(m, r).out.map((s) => [s.name, s.value])).toEqual([["up", "0"], ["n", "125"], ["big", "9223372036854775807"]])
  })

  it("the metric template reads the value field's name and record fields; names are made valid", () => {
    const m = mapping({ metric: "{app}_{field}_total", fields: ["req.count"] })
    const { out } = collect(m, record(field("app", chars("shop-api")), field("req.count", digit(3))))
    expect(out[0]!.name).toBe("shop_api_req_count_total")
    expect(MetricName.metricName("9lives")).toBe("_9lives")
    expect(MetricName.metricName("ns:cpu_seconds")).toBe("ns:cpu_seconds")
    expect(MetricName.labelName("http.status-code")).toBe("http_status_code")
    expect(MetricName.labelName("a:b")).toBe("a_b")
    // a template field is not a value, nor are label and timestamp fields
    const auto = mapping({ metric: "{name}", labels: ["code"], timestamp_field: "ts" })
    const r = record(field("name", chars("latency")), field("code", digit(200)), field("ts", digit(1_600_000_000_000)), field("v", float(1.5)))
    expect(collect(auto, r).out).toEqual([{ name: "latency", labels: [["code", "200"]], value: "1.5", timestamp: 1_600_000_000_000 }])
  })

  it("records without a sample say why: no value, no metric name, no valid timestamp; NaN is no value", () => {
    expect(collect(mapping(), record(field("msg", chars("hello")))).skipped).toBe("no_value")
    expect(collect(mapping(), record(field("x", float(NaN)))).skipped).toBe("no_value")
    expect(collect(mapping({ metric: "{name}" }), record(field("v", digit(1)))).skipped).toBe("no_metric_name")
    expect(collect(mapping({ metric: "{name}" }), record(field("name", DataRecord.nil), field("v", digit(1)))).skipped).toBe("no_metric_name")
    expect(collect(mapping({ timestamp_field: "ts" }), record(field("v", digit(1)))).skipped).toBe("bad_timestamp")
    expect(collect(mapping({ timestamp_field: "ts" }), record(field("ts", chars("yesterday")), field("v", digit(1)))).skipped).toBe("bad_timestamp")
    expect(collect(mapping({ timestamp_field: "ts" }), record(field("ts", digit(-5)), field("v", digit(1)))).skipped).toBe("bad_timestamp")
  })

  it("infinities are +Inf / -Inf; a repeated field name counts once", () => {
    const { out } = collect(mapping(), record(field("a", float(Infinity)), field("b", float(-Infinity)), field("a", float(2))))
    expect(out.map((s) => [s.name, s.value])).toEqual([["a", "+Inf"], ["b", "-Inf"]])
  })

  it("timestamps: a Time, time text, or an epoch number in timestamp_unit, to the ms", () => {
    const at = (value: DataRecord.Value, unit: Samples.Mapping["timestampUnit"] = "ms") => Samples.timestampOf(value, unit)
    expect(at(time("2024-05-01T12:00:00.123Z"))).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 123))
    expect(at(chars("2024-05-01T12:00:00+02:00"))).toBe(Date.UTC(2024, 4, 1, 10))
    expect(at(digit(1_714_564_800), "s")).toBe(1_714_564_800_000)
    expect(at(float(1_714_564_800.5), "s")).toBe(1_714_564_800_500)
    expect(at(chars("1714564800123"))).toBe(1_714_564_800_123)
    expect(at(digit(1_714_564_800_123_456n), "us")).toBe(1_714_564_800_123)
    expect(at(digit(1_714_564_800_123_456_789n), "ns")).toBe(1_714_564_800_123)
    expect(at(DataRecord.bool(true))).toBeUndefined()
  })

  it("label values: text as it is, numbers as written, objects as JSON, null and empty text leave the label out", () => {
    const m = mapping({ labels: ["a", "b", "c", "d", "e"], fields: ["v"] })
    const r = record(
      field("a", chars("x \"y\"\nz")),
      field("b", float(0.5)),
      field("c", DataRecord.obj({ k: digit(1) })),
      field("d", DataRecord.nil),
      field("e", chars("")),
      field("v", digit(1))
    )
    expect(collect(m, r).out[0]!.labels).toEqual([["a", "x \"y\"\nz"], ["b", "0.5"], ["c", "{\"k\":1}"]])
  })
})
