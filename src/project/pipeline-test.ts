/**
 * `PipelineTest`: the unit tests of a project's pipeline, in `tests/*.toml` of the work root (what
 * `wpc test` runs). A `[[tests]]` entry names a source and gives events (a payload, maybe tags); each
 * event says what should become of it: the outputs that reach each sink (`group/sink`, after the filters;
 * none when it lists none), the record, payload or tags of each, whether a processor dropped it, and the
 * processor error it should fail with (and where that sent it). Loading checks the files against the
 * project, so an unknown key, source or sink, or a bad value, is a `ConfigError` with file, line and key
 * path, like the rest of the project.
 *
 * @since 0.2.0
 */
import { Effect, Either, Option, Schema } from "effect"
import * as path from "node:path"
import { parse as parseToml } from "smol-toml"
import * as ParamMap from "../config/param.js"
import { didYouMean } from "../config/suggest.js"
import { ConfigError } from "../errors/config.js"
import { describeCause } from "../errors/describe.js"
import * as Tags from "../model/tags.js"
import type * as Processor from "../processing/processor.js"
import * as ExpectedValue from "./expected-value.js"
import * as Layout from "./layout.js"
import * as Problems from "./problems.js"
import { ProjectErrors } from "./project-errors.js"
import type { ResolvedProject, ResolvedSource } from "./project.js"
import * as TomlDocument from "./toml-document.js"
import type { Segment } from "./toml-lines.js"
import * as Topology from "./topology.js"

/** The directory of the test files, relative to the work root. */
export const dir = "tests"

const Name = Schema.NonEmptyTrimmedString
const OnError = Schema.Literal("rescue", "pass", "drop")
const Table = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/** A test file: its `[[tests]]` (and a `version`). */
export const TestsFile = Schema.Struct({
  version: Schema.optionalWith(Schema.String, { exact: true }),
  tests: Schema.Array(Schema.Unknown)
})

/** A `[[tests]]` entry: its name, the key of the source whose processors it runs, and its events. */
export const TestEntry = Schema.Struct({
  name: Name,
  source: Name,
  events: Schema.Array(Schema.Unknown)
})

/** A `[[tests.events]]` entry: the payload, tags added to the source's, and what should become of it. */
export const EventEntry = Schema.Struct({
  payload: Schema.String,
  tags: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [], exact: true }),
  outputs: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [], exact: true }),
  dropped: Schema.optionalWith(Schema.Boolean, { exact: true }),
  error: Schema.optionalWith(Schema.Unknown, { exact: true })
})

/** A `[[tests.events.outputs]]` entry: the sink (`group/sink`) and what reaches it. */
export const OutputEntry = Schema.Struct({
  sink: Name,
  record: Schema.optionalWith(Table, { exact: true }),
  fields: Schema.optionalWith(Table, { exact: true }),
  payload: Schema.optionalWith(Schema.String, { exact: true }),
  tags: Schema.optionalWith(Schema.Array(Schema.String), { exact: true })
})

/** The `error` of an event: what its processor error should say, and where its `on_error` sent it. */
export const ErrorEntry = Schema.Struct({
  processor: Schema.optionalWith(Name, { exact: true }),
  code: Schema.optionalWith(Schema.Int, { exact: true }),
  message: Schema.optionalWith(Schema.String, { exact: true }),
  on_error: Schema.optionalWith(OnError, { exact: true })
})

/** What the keys of the test files expect, for messages. */
const expectations: { readonly [key: string]: string } = {
  tests: "an array of [[tests]] tables",
  name: "a non-empty test name",
  source: "the key of a [[sources]] entry",
  events: "an array of [[tests.events]] tables",
  payload: "the event's payload text",
  tags: "an array of \"key:value\" strings",
  outputs: "an array of [[tests.events.outputs]] tables",
  dropped: "true or false",
  error: "a table: { code = 540, message = \"...\", on_error = \"rescue\" }",
  sink: "a sink as \"group/sink\"",
  record: "a table of the record's fields",
  fields: "a table of some of the record's fields",
  processor: "the name of a [[processors]] entry",
  code: "an integer error code (540 for a processor error)",
  message: "a part of the error message",
  on_error: "one of: \"rescue\", \"pass\", \"drop\"",
  version: "a string"
}

/** The record an output should carry: its fields, all of them (`record`) or some (`fields`). */
export interface ExpectedRecord {
  readonly exact: boolean
  readonly fields: ReadonlyArray<readonly [string, ExpectedValue.ExpectedValue]>
}

/** One event that should reach a sink: the sink (`group/sink`) and what is checked of it. */
export interface ExpectedOutput {
  readonly sink: string
  readonly record: ExpectedRecord | undefined
  readonly payload: string | undefined
  /** Tags it should have (others may be there too). */
  readonly tags: Tags.Tags | undefined
}

/** The processor error an event should fail with; what is not given is not checked. */
export interface ExpectedError {
  readonly processor: string | undefined
  readonly code: number | undefined
  /** A part of the error's message (`[540 Process] ...`). */
  readonly message: string | undefined
  readonly onError: Processor.OnError | undefined
}

/** One input event of a test, and what should become of it. */
export interface TestEvent {
  readonly payload: string
  /** The source's tags, then the event's own. */
  readonly tags: Tags.Tags
  /** Every output, in the order each sink gets them; no other event may reach a sink. */
  readonly outputs: ReadonlyArray<ExpectedOutput>
  /** Whether a processor dropped it (by rule, not on failure); not checked when not given. */
  readonly dropped: boolean | undefined
  /** The error it should fail with; none may happen when not given. */
  readonly error: ExpectedError | undefined
  /** Its key path (`tests[0].events[1]`) and line. */
  readonly path: string
  readonly line: number | undefined
}

/** A test: its name, where it is, the source whose processors it runs, and its events. */
export interface PipelineTest {
  readonly name: string
  readonly file: string
  readonly line: number | undefined
  readonly source: ResolvedSource
  readonly events: ReadonlyArray<TestEvent>
}

/** What loading one file needs: the project, its sinks as `group/sink`, the problems, and the test names taken. */
interface Context {
  readonly project: ResolvedProject
  readonly sinks: ReadonlyArray<string>
  readonly problems: Problems.Problems
  readonly names: Map<string, string>
}

/** One file being loaded: its document, and its values as typed TOML (integers as bigints). */
interface File {
  readonly doc: TomlDocument.TomlDocument
  readonly raw: unknown
}

/** What decoding an entry gave: the entry, or what could be salvaged of it, and the keys that had a problem. */
interface Decoded<A> {
  readonly value: Option.Option<A>
  readonly clean: boolean
  readonly bad: ReadonlySet<string>
}

/**
 * Decodes `u`, at `at`, with `schema`; each problem is recorded with its key's expectation, and the rest
 * of the entry is salvaged (`Topology.salvage`, with `fallback` for required keys) so its other keys are
 * still checked.
 */
const decodeAt = <A, I>(
  ctx: Context,
  file: File,
  at: ReadonlyArray<Segment>,
  schema: Schema.Schema<A, I> & { readonly fields: Schema.Struct.Fields },
  u: unknown,
  fallback?: { readonly [key: string]: unknown }
): Decoded<A> => {
  const decoded = Topology.decode(schema, u)
  if (Either.isRight(decoded)) return { value: Option.some(decoded.right), clean: true, bad: new Set() }
  ctx.problems.add(...decoded.left.map((p) => {
    const own = expectations[typeof p.segments[0] === "string" ? p.segments[0] : ""]
    const expected = p.detail.startsWith("unknown key") ? p.expected : own ?? p.expected
    return TomlDocument.problem(file.doc, [...at, ...p.segments], { ...p, expected })
  }))
  const bad = new Set(decoded.left.map((p) => String(p.segments[0] ?? "")))
  return { value: Topology.salvage(schema, u, decoded.left, { fallback }), clean: false, bad }
}

/** The typed TOML value at `segments`. */
const rawAt = (raw: unknown, segments: ReadonlyArray<Segment>): unknown => {
  let u = raw
  for (const s of segments) u = typeof u === "object" && u !== null ? (u as { readonly [key: string | number]: unknown })[s] : undefined
  return u
}

/** Tags from `key:value` strings at `at.tags`; a malformed one is a problem. */
const tagsAt = (ctx: Context, file: File, at: ReadonlyArray<Segment>, strings: ReadonlyArray<string>): Option.Option<Tags.Tags> =>
  Either.match(Tags.fromStrings(strings), {
    onLeft: (e) => {
      ctx.problems.add(TomlDocument.locate(file.doc, at, e))
      return Option.none()
    },
    onRight: Option.some
  })

/** The expected record of `key` (`record` or `fields`) at `at`, every value decoded by its TOML type. */
const recordAt = (ctx: Context, file: File, at: ReadonlyArray<Segment>, key: "record" | "fields"): Option.Option<ExpectedRecord> => {
  const table = rawAt(file.raw, [...at, key])
  if (typeof table !== "object" || table === null) return Option.none()
  const fields: Array<readonly [string, ExpectedValue.ExpectedValue]> = []
  let ok = true
  for (const [name, u] of Object.entries(table)) {
    const value = ExpectedValue.decode(u, [...at, key, name])
    if (Either.isLeft(value)) {
      ok = false
      ctx.problems.add(...value.left.map((p) => TomlDocument.problem(file.doc, p.segments, p)))
    } else fields.push([name, value.right])
  }
  return ok ? Option.some({ exact: key === "record", fields }) : Option.none()
}

/** An output of an event, checked against the project's sinks. */
const outputAt = (ctx: Context, file: File, at: ReadonlyArray<Segment>, u: unknown): Option.Option<ExpectedOutput> => {
  const decoded = decodeAt(ctx, file, at, OutputEntry, u, { sink: "-" })
  if (Option.isNone(decoded.value)) return Option.none()
  const entry = decoded.value.value
  let ok = decoded.clean
  if (!decoded.bad.has("sink") && !ctx.sinks.includes(entry.sink)) {
    ok = false
    ctx.problems.add(TomlDocument.problem(file.doc, [...at, "sink"], {
      detail: `unknown sink "${entry.sink}"`,
      expected: ctx.sinks.length === 0 ? "a sink as \"group/sink\"" : `one of: ${ctx.sinks.join(", ")}`,
      suggestion: didYouMean(entry.sink, ctx.sinks) ?? "name a sink by its group and its name: \"group/sink\""
    }))
  }
  if (entry.record !== undefined && entry.fields !== undefined) {
    ok = false
    ctx.problems.add(TomlDocument.problem(file.doc, [...at, "fields"], {
      detail: "both record and fields are set",
      expected: "record (every field of the record) or fields (some of them)",
      suggestion: "keep one of them"
    }))
  }
  const key = entry.record !== undefined ? "record" : entry.fields !== undefined ? "fields" : undefined
  const record = key === undefined ? Option.some(undefined) : recordAt(ctx, file, at, key)
  const tags = entry.tags === undefined ? Option.some(undefined) : tagsAt(ctx, file, at, entry.tags)
  if (!ok || Option.isNone(record) || Option.isNone(tags)) return Option.none()
  return Option.some({ sink: entry.sink, record: record.value, payload: entry.payload, tags: tags.value })
}

/** The error of an event, checked against the processors of its source. */
const errorAt = (ctx: Context, file: File, at: ReadonlyArray<Segment>, u: unknown, source: ResolvedSource | undefined): Option.Option<ExpectedError> => {
  const decoded = decodeAt(ctx, file, at, ErrorEntry, u)
  if (Option.isNone(decoded.value)) return Option.none()
  const entry = decoded.value.value
  const names = source?.processors.map((p) => p.name) ?? []
  if (source !== undefined && entry.processor !== undefined && !names.includes(entry.processor)) {
    ctx.problems.add(TomlDocument.problem(file.doc, [...at, "processor"], {
      detail: `source "${source.spec.name}" runs no processor "${entry.processor}"`,
      expected: names.length === 0 ? "the name of one of its processors (it has none)" : `one of: ${names.join(", ")}`,
      suggestion: didYouMean(entry.processor, names)
    }))
    return Option.none()
  }
  if (!decoded.clean) return Option.none()
  return Option.some({ processor: entry.processor, code: entry.code, message: entry.message, onError: entry.on_error })
}

/** An event of a test. */
const eventAt = (ctx: Context, file: File, at: ReadonlyArray<Segment>, u: unknown, source: ResolvedSource | undefined): Option.Option<TestEvent> => {
  const decoded = decodeAt(ctx, file, at, EventEntry, u, { payload: "" })
  if (Option.isNone(decoded.value)) return Option.none()
  const entry = decoded.value.value
  const tags = tagsAt(ctx, file, at, entry.tags)
  const outputs = entry.outputs.map((o, k) => outputAt(ctx, file, [...at, "outputs", k], o))
  const error = entry.error === undefined ? Option.some(undefined) : errorAt(ctx, file, [...at, "error"], entry.error, source)
  if (!decoded.clean || source === undefined || Option.isNone(tags) || Option.isNone(error) || !outputs.every(Option.isSome)) return Option.none()
  const sourceTags = Either.getOrElse(Tags.fromStrings(source.spec.tags), () => Tags.empty)
  return Option.some({
    payload: entry.payload,
    tags: Tags.merge(sourceTags, tags.value),
    outputs: outputs.map((o) => o.value),
    dropped: entry.dropped,
    error: error.value,
    path: ParamMap.formatPath(undefined, at) ?? "",
    line: TomlDocument.line(file.doc, at)
  })
}

/** A test of a file. */
const testAt = (ctx: Context, file: File, at: ReadonlyArray<Segment>, u: unknown): Option.Option<PipelineTest> => {
  const decoded = decodeAt(ctx, file, at, TestEntry, u, { name: "-", source: "-", events: [] })
  if (Option.isNone(decoded.value)) return Option.none()
  const entry = decoded.value.value
  let ok = decoded.clean
  const first = decoded.bad.has("name") ? undefined : ctx.names.get(entry.name)
  if (first !== undefined) {
    ok = false
    ctx.problems.add(TomlDocument.problem(file.doc, [...at, "name"], {
      detail: `duplicate test name "${entry.name}"`,
      expected: "a test name used once",
      suggestion: `the first "${entry.name}" is at ${first}; rename one of them`
    }))
  } else if (!decoded.bad.has("name")) ctx.names.set(entry.name, TomlDocument.location(file.doc, at))
  const source = ctx.project.sources.find((s) => s.spec.name === entry.source)
  if (source === undefined && !decoded.bad.has("source")) {
    const known = ctx.project.sources.map((s) => s.spec.name)
    ctx.problems.add(TomlDocument.problem(file.doc, [...at, "source"], {
      detail: `unknown source "${entry.source}"`,
      expected: `one of: ${known.join(", ")}`,
      suggestion: didYouMean(entry.source, known) ?? "name the key of a [[sources]] entry of topology/sources/"
    }))
  }
  if (entry.events.length === 0 && decoded.clean) {
    ok = false
    ctx.problems.add(TomlDocument.problem(file.doc, [...at, "events"], {
      detail: `test "${entry.name}" has no events`,
      expected: "at least one [[tests.events]] table",
      suggestion: "add [[tests.events]] with payload = \"...\" and what should become of it"
    }))
  }
  const events = entry.events.map((e, j) => eventAt(ctx, file, [...at, "events", j], e, source))
  if (!ok || source === undefined || !events.every(Option.isSome)) return Option.none()
  return Option.some({
    name: entry.name,
    file: file.doc.file,
    line: TomlDocument.line(file.doc, at),
    source,
    events: events.map((e) => e.value)
  })
}

/** Parses the text of `doc` again as typed TOML: integers as bigints, date-times as `TomlDate`s. */
const typed = (doc: TomlDocument.TomlDocument): Effect.Effect<unknown, ConfigError> =>
  Effect.try({
    try: () => parseToml(doc.text, { integersAsBigInt: true }),
    catch: (cause) => new ConfigError({ detail: `cannot parse TOML: ${describeCause(cause)}`, file: doc.file, cause })
  })

/** Loads the `[[tests]]` of one file into `out`. */
const loadFile = (ctx: Context, name: string, out: Array<PipelineTest>) =>
  Effect.gen(function*() {
    const read = yield* ctx.problems.attempt(Effect.flatMap(TomlDocument.read(name), (doc) => Effect.map(typed(doc), (raw) => ({ doc, raw }))))
    if (Option.isNone(read)) return
    const file = read.value
    const top = decodeAt(ctx, file, [], TestsFile, file.doc.table)
    if (Option.isNone(top.value)) return
    for (const [i, u] of top.value.value.tests.entries()) {
      const test = testAt(ctx, file, ["tests", i], u)
      if (Option.isSome(test)) out.push(test.value)
    }
  })

/**
 * Loads the tests of `project`, `<work root>/tests/*.toml` in name order. Every problem of every file
 * is collected (no test file at all is one); with one or more, it fails with `ProjectErrors`.
 */
export const load = (project: ResolvedProject): Effect.Effect<ReadonlyArray<PipelineTest>, ProjectErrors> =>
  Effect.gen(function*() {
    const problems = Problems.make()
    const testsDir = path.join(project.workRoot, dir)
    const files = Option.flatten(yield* problems.attempt(Layout.tomlFiles(testsDir, false)))
    if (Option.isNone(files) || files.value.length === 0) {
      problems.add(new ConfigError({
        detail: "no test file",
        file: testsDir,
        expected: "tests/*.toml files with [[tests]] entries",
        suggestion: "write tests/<name>.toml: see docs/processors.md, \"Testing a pipeline: wpc test\""
      }))
    }
    const ctx: Context = {
      project,
      sinks: project.sinkGroups.flatMap((g) => g.sinks.map((s) => `${g.name}/${s.spec.name}`)),
      problems,
      names: new Map()
    }
    const out: Array<PipelineTest> = []
    for (const name of Option.getOrElse(files, (): ReadonlyArray<string> => [])) yield* loadFile(ctx, name, out)
    const [first, ...rest] = problems.all()
    if (first !== undefined) return yield* new ProjectErrors({ workRoot: project.workRoot, errors: [first, ...rest] })
    return out
  })
