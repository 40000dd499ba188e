/**
 * What `wpc check` prints: a resolved project as tables or JSON, and configuration errors as a
 * list or JSON. Secret parameter values are masked in both forms.
 *
 * @since 0.1.0
 */
import { Option, type Schema } from "effect"
import * as path from "node:path"
import type { Json, ParamMap } from "../config/param.js"
import type { ConfigError } from "../errors/config.js"
import type { ResolvedProject } from "../project/project.js"
import * as SinkExpect from "../project/sink-expect.js"
import * as Secrets from "./secrets.js"
import * as Table from "./table.js"

const cell = (value: Json): string =>
  typeof value === "string" && value.length > 0 && !/[\s"=]/.test(value) ? value : JSON.stringify(value)

/** `key=value` pairs of `params` (secrets masked, by `schema` when known), space-separated; `-` when empty. */
export const paramsText = (params: ParamMap, schema: Option.Option<Schema.Schema.Any> = Option.none()): string => {
  const masked = Secrets.params(params, schema)
  const keys = Object.keys(masked).sort()
  return keys.length === 0 ? "-" : keys.map((k) => `${k}=${cell(masked[k]!)}`).join(" ")
}

const listText = (items: ReadonlyArray<string>): string => (items.length === 0 ? "-" : items.join(","))

const where = (workRoot: string, file: string, line: number | undefined): string => {
  const rel = path.relative(workRoot, path.resolve(file))
  return line === undefined ? rel : `${rel}:${line}`
}

/** `"1 source"`, `"2 sources"`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/** The project as text: a table of sources, a table of sinks by group, and a summary line (secrets masked by `schemas`). */
export const projectText = (project: ResolvedProject, schemas: Secrets.ParamSchemas = Secrets.noSchemas): string => {
  const sources = Table.render(
    ["SOURCE", "ENABLED", "CONNECTOR", "KIND", "TAGS", "PARAMS", "FILE"],
    project.sources.map((s) => [
      s.spec.name,
      s.enabled ? "yes" : "no",
      s.spec.connectorId,
      s.spec.kind,
      listText(s.spec.tags),
      paramsText(s.spec.params, schemas("source", s.spec.kind)),
      where(project.workRoot, s.file, s.line)
    ])
  )
  const sinks = Table.render(
    ["GROUP", "SINK", "CONNECTOR", "KIND", "FILTER", "TAGS", "PARAMS", "FILE"],
    project.sinkGroups.flatMap((g) =>
      g.sinks.map((s) => [
        g.name,
        s.spec.name,
        s.spec.connectorId,
        s.spec.kind,
        [g.filter, s.spec.filter].flatMap((f) => Option.toArray(f)).map((f) => `(${f})`).join(" and ") || "-",
        listText(s.tags),
        paramsText(s.spec.params, schemas("sink", s.spec.kind)),
        where(project.workRoot, g.file, s.line)
      ])
    )
  )
  const enabled = project.sources.filter((s) => s.enabled).length
  const sinkCount = project.sinkGroups.reduce((n, g) => n + g.sinks.length, 0)
  return [
    `Sources (${enabled} of ${project.sources.length} enabled)`,
    sources,
    "",
    `Sink groups (${project.sinkGroups.length})`,
    sinks,
    "",
    `ok: ${plural(project.sources.length, "source")}, ${plural(project.sinkGroups.length, "sink group")}, ${plural(sinkCount, "sink")}`
  ].join("\n")
}

/** The project as JSON data (secrets masked by `schemas`). */
export const projectJson = (project: ResolvedProject, schemas: Secrets.ParamSchemas = Secrets.noSchemas) => ({
  ok: true as const,
  workRoot: project.workRoot,
  warnings: warningsJson(project.warnings),
  sources: project.sources.map((s) => ({
    key: s.spec.name,
    enabled: s.enabled,
    connector: s.spec.connectorId,
    kind: s.spec.kind,
    tags: s.spec.tags,
    params: Secrets.params(s.spec.params, schemas("source", s.spec.kind)),
    file: s.file,
    line: s.line ?? null
  })),
  sinkGroups: project.sinkGroups.map((g) => ({
    name: g.name,
    role: g.role ?? null,
    tags: g.tags,
    filter: Option.getOrNull(g.filter),
    parallel: g.parallel,
    file: g.file,
    sinks: g.sinks.map((s) => ({
      name: s.spec.name,
      connector: s.spec.connectorId,
      kind: s.spec.kind,
      tags: s.tags,
      filter: Option.getOrNull(s.spec.filter),
      params: Secrets.params(s.spec.params, schemas("sink", s.spec.kind)),
      expect: Option.getOrNull(Option.map(s.expect, SinkExpect.text)),
      line: s.line ?? null
    }))
  }))
})

/** `text` with URL credentials masked, or `null` when there is none. */
const maskedOrNull = (text: string | undefined): string | null => (text === undefined ? null : Secrets.text(text))

/**
 * Each error as `error: file:line: path: detail`, then its `expected` and `hint` lines, then a count.
 * URL credentials in the text (a URL a connector refused, say) are masked.
 */
export const errorsText = (workRoot: string, errors: ReadonlyArray<ConfigError>): string =>
  Secrets.text([
    ...errors.flatMap((e) => {
      const head = [e.location, e.path].filter((s): s is string => s !== undefined).join(": ")
      return [
        `error: ${head.length > 0 ? `${head}: ` : ""}${e.detail}`,
        ...(e.expected === undefined ? [] : [`  expected: ${e.expected}`]),
        ...(e.suggestion === undefined ? [] : [`  hint: ${e.suggestion}`])
      ]
    }),
    `${plural(errors.length, "problem")} in project ${workRoot}`
  ].join("\n"))

/** Each warning as `warning: file:line: path: detail`, then its `why:` line (URL credentials masked). */
export const warningsText = (warnings: ReadonlyArray<ConfigError>): string =>
  Secrets.text(warnings.flatMap((w) => {
    const head = [w.location, w.path].filter((s): s is string => s !== undefined).join(": ")
    return [`warning: ${head.length > 0 ? `${head}: ` : ""}${w.detail}`, ...(w.expected === undefined ? [] : [`  why: ${w.expected}`])]
  }).join("\n"))

/** The warnings as JSON data. */
export const warningsJson = (warnings: ReadonlyArray<ConfigError>) =>
  warnings.map((w) => ({ file: w.file ?? null, line: w.line ?? null, path: w.path ?? null, detail: w.detail, why: w.expected ?? null }))

/** The errors as JSON data (URL credentials masked). */
export const errorsJson = (workRoot: string, errors: ReadonlyArray<ConfigError>) => ({
  ok: false as const,
  workRoot,
  errors: errors.map((e) => ({
    code: e.code,
    file: e.file ?? null,
    line: e.line ?? null,
    column: e.column ?? null,
    path: e.path ?? null,
    detail: Secrets.text(e.detail),
    expected: maskedOrNull(e.expected),
    suggestion: maskedOrNull(e.suggestion),
    message: Secrets.text(e.message)
  }))
})
