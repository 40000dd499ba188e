import { describe, expect, it } from "@effect/vitest"
import { Data, Effect, Either, Equal, Hash, Option, pipe } from "effect"
import * as DataRecord from "../../src/model/record.js"

const some = Option.getOrThrow

describe("Digit: 64-bit precision", () => {
  it("keeps the i64 extremes exactly through construction and JSON text", () => {
    const max = some(DataRecord.digit(9223372036854775807n))
    const min = some(DataRecord.digit(-9223372036854775808n))
    expect(max.value).toBe(9223372036854775807n)
    expect(min.value).toBe(-9223372036854775808n)
    expect(DataRecord.digitMax).toBe(9223372036854775807n)
    expect(DataRecord.digitMin).toBe(-9223372036854775808n)
    const record = DataRecord.make([DataRecord.field("max", max), DataRecord.field("min", min)])
    expect(DataRecord.toJsonText(record)).toBe(`{"max":9223372036854775807,"min":-9223372036854775808}`)
    expect(DataRecord.toKv(record)).toBe("max=9223372036854775807 min=-9223372036854775808")
  })

  it("rejects integers outside the i64 range and non-integers", () => {
    expect(DataRecord.digit(2n ** 63n)).toEqual(Option.none())
    expect(DataRecord.digit(-(2n ** 63n) - 1n)).toEqual(Option.none())
    expect(DataRecord.digit(1.5)).toEqual(Option.none())
    expect(DataRecord.digit(Number.NaN)).toEqual(Option.none())
    expect(DataRecord.digit(2 ** 63)).toEqual(Option.none())
  })

  it("is total for safe integers", () => {
    expect(some(DataRecord.digit(Number.MAX_SAFE_INTEGER)).value).toBe(9007199254740991n)
    expect(some(DataRecord.digit(-42)).value).toBe(-42n)
    expect(some(DataRecord.digit(2 ** 60)).value).toBe(1152921504606846976n)
  })

  it("parseDigit reads decimal text exactly", () => {
    expect(some(DataRecord.parseDigit("9223372036854775807")).value).toBe(9223372036854775807n)
    expect(some(DataRecord.parseDigit("-9223372036854775808")).value).toBe(-9223372036854775808n)
    expect(some(DataRecord.parseDigit("+7")).value).toBe(7n)
    for (const bad of ["9223372036854775808", "", " 1", "1.0", "0x10", "1e3", "-"]) {
      expect(DataRecord.parseDigit(bad)).toEqual(Option.none())
    }
  })
})

describe("values and fields", () => {
  it("fields take the value kind as default meta", () => {
    const fields = [
      DataRecord.field("n", DataRecord.nil),
      DataRecord.field("b", DataRecord.bool(true)),
      DataRecord.field("s", DataRecord.chars("x")),
      DataRecord.field("d", some(DataRecord.digit(1))),
      DataRecord.field("f", DataRecord.float(1.5)),
      DataRecord.field("t", some(DataRecord.time("2024-01-02T03:04:05Z"))),
      DataRecord.field("ip", some(DataRecord.ipAddr("10.0.0.1"))),
      DataRecord.field("o", DataRecord.obj({ a: DataRecord.nil })),
      DataRecord.field("a", DataRecord.array([]))
    ]
    expect(fields.map((f) => f.meta)).toEqual(["null", "bool", "chars", "digit", "float", "time", "ip", "obj", "array"])
    expect(DataRecord.field("x", DataRecord.chars("1"), "custom").meta).toBe("custom")
  })

  it("ipAddr and time validate their input", () => {
    expect(Option.isSome(DataRecord.ipAddr("::1"))).toBe(true)
    expect(DataRecord.ipAddr("300.1.1.1")).toEqual(Option.none())
    expect(DataRecord.ipAddr("host")).toEqual(Option.none())
    expect(some(DataRecord.time(new Date(0))).value).toBe("1970-01-01T00:00:00.000Z")
    expect(DataRecord.time(new Date(Number.NaN))).toEqual(Option.none())
  })

  it("match and is dispatch on the tag", () => {
    const describe = DataRecord.match({
      Null: () => "null",
      Bool: ({ value }) => `bool ${value}`,
      Chars: ({ value }) => `chars ${value}`,
      Digit: ({ value }) => `digit ${value}`,
      Float: ({ value }) => `float ${value}`,
      Time: ({ value }) => `time ${value}`,
      IpAddr: ({ value }) => `ip ${value}`,
      Obj: ({ value }) => `obj ${value.size}`,
      Array: ({ value }) => `array ${value.length}`
    })
    expect(describe(some(DataRecord.digit(5n)))).toBe("digit 5")
    expect(describe(DataRecord.obj([["a", DataRecord.nil]]))).toBe("obj 1")
    expect(DataRecord.is("Digit")(some(DataRecord.digit(1)))).toBe(true)
    expect(DataRecord.is("Digit")(DataRecord.float(1))).toBe(false)
  })

  it("constructors make the values Data.taggedEnum makes: same prototype, keys, Equal and Hash", () => {
    const V = Data.taggedEnum<DataRecord.Value>()
    const pairs: ReadonlyArray<readonly [DataRecord.Value, DataRecord.Value]> = [
      [DataRecord.bool(true), V.Bool({ value: true })],
      [DataRecord.chars("x"), V.Chars({ value: "x" })],
      [some(DataRecord.digit(-7)), V.Digit({ value: -7n })],
      [DataRecord.float(1.5), V.Float({ value: 1.5 })],
      [some(DataRecord.time("2024-11-28T12:00:00.000Z")), V.Time({ value: "2024-11-28T12:00:00.000Z" })],
      [some(DataRecord.ipAddr("10.0.0.1")), V.IpAddr({ value: "10.0.0.1" })]
    ]
    for (const [made, byData] of pairs) {
      expect(Object.getPrototypeOf(made)).toBe(Object.getPrototypeOf(byData))
      expect(Object.keys(made)).toEqual(Object.keys(byData))
      expect(Equal.equals(made, byData)).toBe(true)
      expect(Hash.hash(made)).toBe(Hash.hash(byData))
      expect(made).toStrictEqual(byData)
    }
    // arrays and maps compare by reference in Equal: the containers are only the same objects
    for (const [made, byData] of [
      [DataRecord.array([DataRecord.chars("a")]), V.Array({ value: [V.Chars({ value: "a" })] })],
      [DataRecord.obj({ a: DataRecord.nil }), V.Obj({ value: new Map([["a", DataRecord.nil]]) })]
    ] as const) {
      expect(Object.getPrototypeOf(made)).toBe(Object.getPrototypeOf(byData))
      expect(Object.keys(made)).toEqual(Object.keys(byData))
      expect(made).toStrictEqual(byData)
    }
    expect(Equal.equals(DataRecord.chars("x"), DataRecord.chars("y"))).toBe(false)
    expect(Equal.equals(DataRecord.chars("1"), DataRecord.float(1))).toBe(false)
  })
})

describe("DataRecord", () => {
  const record = DataRecord.make([
    DataRecord.field("a", some(DataRecord.digit(1))),
    DataRecord.field("b", DataRecord.chars("x y")),
    DataRecord.field("a", DataRecord.chars("second"))
  ])

  it("get returns the first field with that name, both forms", () => {
    expect(DataRecord.get(record, "a")).toEqual(Option.some(some(DataRecord.digit(1))))
    expect(pipe(record, DataRecord.get("b"))).toEqual(Option.some(DataRecord.chars("x y")))
    expect(DataRecord.get(record, "zz")).toEqual(Option.none())
    expect(DataRecord.empty.fields).toEqual([])
  })

  it("textOf gives the text of strings, times, addresses and numbers, and none for the other kinds", () => {
    expect(DataRecord.textOf(DataRecord.chars("a b"))).toBe("a b")
    expect(DataRecord.textOf(some(DataRecord.time("2026-11-30T00:00:00Z")))).toBe("2026-11-30T00:00:00Z")
    expect(DataRecord.textOf(some(DataRecord.ipAddr("::1")))).toBe("::1")
    expect(DataRecord.textOf(some(DataRecord.digit(-9223372036854775808n)))).toBe("-9223372036854775808")
    expect(DataRecord.textOf(DataRecord.float(2))).toBe("2")
    expect(DataRecord.textOf(DataRecord.float(0.5))).toBe("0.5")
    for (const other of [DataRecord.bool(true), DataRecord.nil, DataRecord.obj({}), DataRecord.array([])]) {
      expect(DataRecord.textOf(other)).toBeUndefined()
    }
  })

  it("toKv quotes only when needed", () => {
    expect(DataRecord.toKv(DataRecord.make([record.fields[0]!, record.fields[1]!]))).toBe(`a=1 b="x y"`)
    const other = DataRecord.make([
      DataRecord.field("empty", DataRecord.chars("")),
      DataRecord.field("eq", DataRecord.chars("k=v")),
      DataRecord.field("q", DataRecord.chars(`say "hi"`)),
      DataRecord.field("n", DataRecord.nil),
      DataRecord.field("t", DataRecord.bool(false)),
      DataRecord.field("f", DataRecord.float(2)),
      DataRecord.field("ip", some(DataRecord.ipAddr("::1"))),
      DataRecord.field("arr", DataRecord.array([some(DataRecord.digit(1)), DataRecord.chars("a")])),
      DataRecord.field("my key", DataRecord.chars("v"))
    ])
    expect(DataRecord.toKv(other)).toBe(
      `empty="" eq="k=v" q="say \\"hi\\"" n=null t=false f=2.0 ip=::1 arr="[1,\\"a\\"]" "my key"=v`
    )
  })

  it("toJsonText writes every kind and keeps field order", () => {
    const r = DataRecord.make([
      DataRecord.field("z", DataRecord.nil),
      DataRecord.field("f", DataRecord.float(3)),
      DataRecord.field("g", DataRecord.float(0.25)),
      DataRecord.field("h", DataRecord.float(Number.NaN)),
      DataRecord.field("s", DataRecord.chars("q\"\n")),
      DataRecord.field(
        "o",
        DataRecord.obj([["k", some(DataRecord.digit(-1n))], ["l", DataRecord.array([DataRecord.bool(true)])]])
      )
    ])
    expect(DataRecord.toJsonText(r)).toBe(`{"z":null,"f":3.0,"g":0.25,"h":null,"s":"q\\"\\n","o":{"k":-1,"l":[true]}}`)
    expect(() => JSON.parse(DataRecord.toJsonText(r))).not.toThrow()
  })

  it("toJsonText keeps order, repeats and exact values where a plain object could not", () => {
    const d = (n: bigint) => some(DataRecord.digit(n))
    const text = (...fields: ReadonlyArray<DataRecord.DataField>) => DataRecord.toJsonText(DataRecord.make(fields))
    // a repeated name is written twice, in place
    expect(text(DataRecord.field("a", d(1n)), DataRecord.field("b", d(2n)), DataRecord.field("a", d(3n)))).toBe(`{"a":1,"b":2,"a":3}`)
    // integer-like names stay where they are (an object would enumerate them first)
    expect(text(DataRecord.field("b", d(1n)), DataRecord.field("10", d(2n)), DataRecord.field("2", d(3n)))).toBe(`{"b":1,"10":2,"2":3}`)
    expect(text(DataRecord.field("o", DataRecord.obj([["z", d(1n)], ["1", d(2n)], ["z", d(3n)]])))).toBe(`{"o":{"z":3,"1":2}}`)
    // names an object has already
    expect(text(DataRecord.field("__proto__", DataRecord.chars("p")), DataRecord.field("constructor", DataRecord.nil))).toBe(
      `{"__proto__":"p","constructor":null}`
    )
    expect(text(DataRecord.field("o", DataRecord.obj([["__proto__", DataRecord.chars("p")]])))).toBe(`{"o":{"__proto__":"p"}}`)
    // digits beyond 2^53 exactly, at 2^53 - 1 as well; integral floats with .0, in arrays too
    expect(text(DataRecord.field("max", d(9007199254740991n)), DataRecord.field("over", d(9007199254740993n)))).toBe(
      `{"max":9007199254740991,"over":9007199254740993}`
    )
    expect(text(DataRecord.field("l", DataRecord.array([DataRecord.float(0.5), DataRecord.float(-0), DataRecord.float(1e21)])))).toBe(
      `{"l":[0.5,0.0,1e+21]}`
    )
    expect(text(DataRecord.field("l", DataRecord.array([d(-9223372036854775808n), DataRecord.float(Number.POSITIVE_INFINITY)])))).toBe(
      `{"l":[-9223372036854775808,null]}`
    )
    // texts escaped alike on both paths (a lone surrogate too)
    const odd = "tab\t é \ud800 \u0001 \"q\" \\"
    expect(text(DataRecord.field("s", DataRecord.chars(odd)))).toBe(`{"s":${JSON.stringify(odd)}}`)
    expect(text(DataRecord.field("s", DataRecord.chars(odd)), DataRecord.field("1", DataRecord.nil))).toBe(`{"s":${JSON.stringify(odd)},"1":null}`)
    expect(text()).toBe("{}")
  })
})

describe("DataRecord.fromJson", () => {
  it.effect("maps JSON values onto Value variants", () =>
    Effect.gen(function*() {
      const record = yield* DataRecord.fromJson({
        i: 42,
        f: 1.5,
        huge: 1e300,
        s: "x",
        b: false,
        n: null,
        big: 9223372036854775807n,
        at: new Date(0),
        o: { inner: [1, "a"] }
      })
      expect(record.fields.map((f) => [f.name, f.meta])).toEqual([
        ["i", "digit"],
        ["f", "float"],
        ["huge", "float"],
        ["s", "chars"],
        ["b", "bool"],
        ["n", "null"],
        ["big", "digit"],
        ["at", "time"],
        ["o", "obj"]
      ])
      expect(DataRecord.toJsonText(record)).toBe(
        `{"i":42,"f":1.5,"huge":1e+300,"s":"x","b":false,"n":null,"big":9223372036854775807,` +
          `"at":"1970-01-01T00:00:00.000Z","o":{"inner":[1,"a"]}}`
      )
    }))

  it.effect("keeps -2^63 exact when given as a bigint", () =>
    Effect.gen(function*() {
      const record = yield* DataRecord.fromJson({ v: -9223372036854775808n })
      expect(DataRecord.get(record, "v")).toEqual(Option.some(some(DataRecord.digit(-9223372036854775808n))))
      expect(DataRecord.toJsonText(record)).toBe(`{"v":-9223372036854775808}`)
    }))

  const bad: ReadonlyArray<[string, unknown, string | undefined, string]> = [
    ["an out-of-range bigint", { a: { b: [2n ** 63n] } }, "a.b[0]", "outside the 64-bit range"],
    ["NaN", { x: Number.NaN }, "x", "NaN"],
    ["undefined", { x: [1, undefined] }, "x[1]", "undefined"],
    ["a function", { "odd key": () => 1 }, `["odd key"]`, "function"],
    ["a Map", { m: new Map() }, "m", "class instance"],
    ["an invalid Date", { d: new Date(Number.NaN) }, "d", "invalid Date"],
    ["an array root", [1], undefined, "not a JSON object"],
    ["a string root", "x", undefined, "not a JSON object"]
  ]
  for (const [what, input, path, detail] of bad) {
    it(`rejects ${what} with a ConfigError naming the key`, () => {
      const result = DataRecord.fromJson(input)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left._tag).toBe("ConfigError")
        expect(result.left.code).toBe(300)
        expect(result.left.path).toBe(path)
        expect(result.left.detail).toContain(detail)
      }
    })
  }

  it("prefixes the path with where and rejects cycles", () => {
    const cyclic: { self?: unknown } = {}
    cyclic.self = [cyclic]
    const result = DataRecord.fromJson(cyclic, "event")
    expect(Either.isLeft(result) && result.left.path).toBe("event.self[0]")
    expect(Either.isLeft(result) && result.left.detail).toBe("circular reference")
  })
})
