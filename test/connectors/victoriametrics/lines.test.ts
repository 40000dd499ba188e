import { describe, expect, it } from "@effect/vitest"
import { VictoriaMetricsBodies as Bodies, VictoriaMetricsEncode as Encode, VictoriaMetricsRawLine as RawLine } from "../../../src/connectors/victoriametrics/index.js"
import { ByteBuilder } from "../../../src/index.js"

const sample = { name: "http_requests", labels: [["path", "/a \"b\"\\c\nd"], ["code", "200"]] as const, value: "+Inf", timestamp: 1_700_000_000_000 }

const collect = (format: "prometheus" | "json", payload: string, now = 42) => {
  const out: Array<string> = []
  const result = RawLine.collect(format, payload, now, out)
  return { out, result }
}

describe("victoriametrics lines", () => {
  it("a sample as a Prometheus line escapes \\, \" and newlines in label values; as a JSON line it is VictoriaMetrics' import object", () => {
    expect(Encode.prometheusLine(sample)).toBe("http_requests{path=\"/a \\\"b\\\"\\\\c\\nd\",code=\"200\"} +Inf 1700000000000")
    expect(Encode.prometheusLine({ ...sample, labels: [], value: "3" })).toBe("http_requests 3 1700000000000")
    expect(Encode.jsonLine({ ...sample, value: "1.5" })).toBe(
      "{\"metric\":{\"__name__\":\"http_requests\",\"path\":\"/a \\\"b\\\"\\\\c\\nd\",\"code\":\"200\"},\"values\":[1.5],\"timestamps\":[1700000000000]}"
    )
    // what the encoder writes, the raw-line check takes back unchanged
    const line = Encode.prometheusLine(sample)
    expect(collect("prometheus", line).out).toEqual([line])
    expect(collect("json", Encode.jsonLine({ ...sample, value: "7" })).out).toHaveLength(1)
  })

  it("raw Prometheus lines: comments and blank lines left out, a missing timestamp gets the push time, NaN counted and left out", () => {
    const payload = "# HELP up whether\n\nup 1\r\nup{job=\"a\",} 0 1700000000000\n  temp{ room = \"x\" }  -3.5e2  \nq NaN"
    const { out, result } = collect("prometheus", payload)
    expect(result).toEqual({ nan: 1 })
    expect(out).toEqual(["up 1 42", "up{job=\"a\",} 0 1700000000000", "  temp{ room = \"x\" }  -3.5e2 42"])
  })

  it("a bad raw line is refused with its line number and what is wrong, and nothing of its payload is kept", () => {
    const bad: ReadonlyArray<readonly [string, string]> = [
      ["alpha", "a space and a value expected"],
      ["9x 1", "a metric name"],
      ["m{a=\"1\" b=\"2\"} 1", "\",\" or \"}\" expected"],
      ["m{a=1} 1", "a quoted label value expected"],
      ["m{a=\"\\x\"} 1", "bad escape"],
      ["m{a=\"x} 1", "unterminated"],
      ["m 1 2 3", "an integer timestamp"],
      ["m 1 1.5", "an integer timestamp"],
      ["m one", "a number, NaN, +Inf or -Inf expected"],
      ["m 1 #5", "an integer timestamp"],
      [`m{a="${"x".repeat(RawLine.maxPrometheusLineBytes)}"} 1`, "line limit"]
    ]
    for (const [line, says] of bad) {
      const { out, result } = collect("prometheus", `ok 1\n${line}`)
      expect(RawLine.isBad(result), line).toBe(true)
      expect(result, line).toMatchObject({ line: 2 })
      expect((result as RawLine.BadLine).detail, line).toContain(says)
      expect(out).toEqual([])
    }
  })

  it("raw JSON lines must be VictoriaMetrics import objects", () => {
    const good = "{\"metric\":{\"__name__\":\"m\",\"k\":\"v\"},\"values\":[1,2],\"timestamps\":[1,2]}"
    expect(collect("json", `${good}\n\n${good}`).out).toEqual([good, good])
    const bad: ReadonlyArray<readonly [string, string]> = [
      ["{nope", "not JSON"],
      ["[1]", "not a JSON object"],
      ["{\"values\":[1],\"timestamps\":[1]}", "no \"metric\" object"],
      ["{\"metric\":{\"k\":\"v\"},\"values\":[1],\"timestamps\":[1]}", "__name__"],
      ["{\"metric\":{\"__name__\":\"m\",\"k\":1},\"values\":[1],\"timestamps\":[1]}", "metric.k is not a string"],
      ["{\"metric\":{\"__name__\":\"m\"},\"values\":[null],\"timestamps\":[1]}", "array of numbers"],
      ["{\"metric\":{\"__name__\":\"m\"},\"values\":[1],\"timestamps\":[1.5]}", "array of integers"],
      ["{\"metric\":{\"__name__\":\"m\"},\"values\":[1,2],\"timestamps\":[1]}", "2 values but 1 timestamps"],
      ["{\"metric\":{\"__name__\":\"m\"},\"values\":[1],\"timestamps\":[1],\"x\":0}", "unknown key"]
    ]
    for (const [line, says] of bad) {
      const { result } = collect("json", line)
      expect((result as RawLine.BadLine).detail, line).toContain(says)
    }
  })

  it("lines written straight into bytes are the UTF-8 of the text lines, in both formats; chunks of them make bodies counted by lines", () => {
    const labelSets: ReadonlyArray<ReadonlyArray<string>> = [[], ["path", "/a \"b\"\\c\nd", "code", "200"], ["host", "héllo 日本", "x", ""]]
    const times = [0, 7, 999, 1000, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, -5, 1.5]
    for (const format of ["prometheus", "json"] as const) {
      const text = Encode.lineWriter(format)
      const into = Encode.lineInto(format)
      const out = ByteBuilder.make(8)
      for (const labels of labelSets) {
        for (const timestamp of times) {
          const start = out.length
          into(out, "http_requests", labels, "+Inf", timestamp)
          expect(out.textOf(start)).toBe(text("http_requests", labels, "+Inf", timestamp))
        }
      }
    }
    const chunk = (text: string) => Buffer.from(text, "utf8")
    const bodies = Bodies.ofChunks([chunk("a 1 1\nb 2 2"), chunk(""), chunk("c 3 3"), chunk("d 4 4\ne 5 5\nf 6 6")], 15)
    expect(bodies.map((b) => [b.body.toString("utf8"), b.samples])).toEqual([
      ["a 1 1\nb 2 2\n", 2],
      ["c 3 3\n", 1],
      ["d 4 4\ne 5 5\nf 6 6\n", 3]
    ])
    expect(Bodies.ofChunks([])).toEqual([])
  })
})
