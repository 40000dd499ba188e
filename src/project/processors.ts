/**
 * The processors of a project: `processors/*.toml` in the work root declares `[[processors]]` entries
 * (name, a built-in `kind` or a custom `module`, `on_error`, `params`), which `[[sources]]` name in their
 * `processors` list, in the order they run. Each entry is built when the project loads, so a bad param, an
 * unknown kind or a module that exports no processor is reported with its file, line and key path.
 *
 * @since 0.2.0
 */
import { Effect, Option, Schema } from "effect"
import * as path from "node:path"
import * as ParamMap from "../config/param.js"
import { didYouMean } from "../config/suggest.js"
import * as Builtins from "../processing/builtins.js"
import * as Custom from "../processing/custom.js"
import type * as Processor from "../processing/processor.js"
import type * as Problems from "./problems.js"
import * as TomlDocument from "./toml-document.js"
import * as Topology from "./topology.js"

/** The directory of the processor files, relative to the work root. */
export const dir = "processors"

/** A `[[processors]]` entry: a built-in `kind`, or a custom `module`; `on_error` defaults to `rescue`. */
export const ProcessorEntry = Schema.Struct({
  name: Schema.NonEmptyTrimmedString,
  kind: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  module: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  on_error: Schema.optionalWith(Schema.Literal("rescue", "pass", "drop"), { default: () => "rescue" as const, exact: true }),
  params: Schema.optionalWith(ParamMap.schema, { default: () => ParamMap.empty, exact: true })
})

/** A decoded `[[processors]]` entry. */
export type ProcessorEntry = typeof ProcessorEntry.Type

/** A file of `processors/`: its `[[processors]]` (and a `version`). */
export const ProcessorsFile = Schema.Struct({
  version: Schema.optionalWith(Schema.String, { exact: true }),
  processors: Schema.Array(Schema.Unknown)
})

/** A built processor, and where it is declared (`file:line`). */
export interface Declared {
  readonly processor: Processor.Processor
  readonly location: string
}

/** Builds one entry: its built-in kind, or its module. */
const build = (entry: ProcessorEntry, where: string, workRoot: string) =>
  entry.module !== undefined
    ? Custom.load({ module: entry.module, name: entry.name, onError: entry.on_error, params: entry.params, where }, { workRoot })
    : Builtins.byName.get(entry.kind!)!.build({ name: entry.name, onError: entry.on_error, params: entry.params, where }, { workRoot })

/** What loading the processor files gave: the processors built, and the names of those declared but broken (already reported). */
export interface Loaded {
  readonly built: ReadonlyMap<string, Declared>
  readonly broken: ReadonlySet<string>
}

/** The `name` of an entry that did not decode, when it has a usable one. */
const nameOf = (u: unknown): string | undefined => {
  const name = typeof u === "object" && u !== null ? (u as { readonly name?: unknown }).name : undefined
  return typeof name === "string" && name.trim().length > 0 ? name : undefined
}

/** Loads the entries of one file into `out`; every problem goes to `problems`. */
const loadFile = (file: string, workRoot: string, problems: Problems.Problems, out: Map<string, Declared>, broken: Set<string>, seen: Map<string, string>) =>
  Effect.gen(function*() {
    const read = yield* problems.attempt(TomlDocument.read(file))
    if (Option.isNone(read)) return
    const doc = read.value
    const top = Topology.decode(ProcessorsFile, doc.table)
    if (top._tag === "Left") {
      problems.add(...top.left.map((p) => TomlDocument.problem(doc, p.segments, p)))
      return
    }
    const entries = top.right.processors
    for (let i = 0; i < entries.length; i++) {
      const at = ["processors", i]
      const raw = nameOf(entries[i])
      const first = raw === undefined ? undefined : seen.get(raw)
      if (first !== undefined) {
        problems.add(TomlDocument.problem(doc, [...at, "name"], {
          detail: `duplicate processor name "${raw}"`,
          expected: "a processor name used once",
          suggestion: `the first "${raw}" is at ${first}; rename one of them`
        }))
        continue
      }
      if (raw !== undefined) seen.set(raw, TomlDocument.location(doc, at))
      const decoded = Topology.decode(ProcessorEntry, entries[i])
      if (decoded._tag === "Left") {
        problems.add(...decoded.left.map((p) => TomlDocument.problem(doc, [...at, ...p.segments], p)))
        if (raw !== undefined) broken.add(raw)
        continue
      }
      const entry = decoded.right
      broken.add(entry.name)
      if ((entry.kind === undefined) === (entry.module === undefined)) {
        problems.add(TomlDocument.problem(doc, at, {
          detail: entry.kind === undefined ? "neither kind nor module is set" : "both kind and module are set",
          expected: "kind = a built-in processor, or module = the path of your own processor module",
          suggestion: `built-in kinds: ${[...Builtins.byName.keys()].join(", ")}`
        }))
        continue
      }
      if (entry.kind !== undefined && !Builtins.byName.has(entry.kind)) {
        const known = [...Builtins.byName.keys()]
        problems.add(TomlDocument.problem(doc, [...at, "kind"], {
          detail: `unknown processor kind "${entry.kind}"`,
          expected: `one of: ${known.join(", ")}`,
          suggestion: didYouMean(entry.kind, known) ?? "for a processor of your own, set module = \"processors/<file>.ts\" instead of kind"
        }))
        continue
      }
      const where = ParamMap.formatPath(undefined, at)!
      const built = yield* problems.attempt(build(entry, where, workRoot), (e) => TomlDocument.locate(doc, [], e))
      if (Option.isSome(built)) {
        // what it was built from: a reload restarts the sources using it when this changes
        const processor = { ...built.value, definition: JSON.stringify(entry) }
        out.set(entry.name, { processor, location: TomlDocument.location(doc, at) })
        broken.delete(entry.name)
      }
    }
  })

/**
 * Loads `<workRoot>/processors/*.toml` (optional: no directory, no processors), building every entry.
 * Returns the processors by name, and the names declared but broken; problems go to `problems`.
 */
export const load = (
  workRoot: string,
  files: ReadonlyArray<string>,
  problems: Problems.Problems
): Effect.Effect<Loaded> =>
  Effect.gen(function*() {
    const built = new Map<string, Declared>()
    const broken = new Set<string>()
    const seen = new Map<string, string>()
    for (const file of files) yield* loadFile(file, path.resolve(workRoot), problems, built, broken, seen)
    return { built, broken }
  })
