/**
 * `wpc test [--work-root DIR]`: runs the pipeline tests of a project (`tests/*.toml`, see `PipelineTest`)
 * without starting any connector: each test's events go through its source's processors and the sink
 * filters. Prints `PASS`/`FAIL` per test and, for each failure, what differs (expected and actual); exit
 * 0 when every test passed, 1 when one failed or the project or a test file has problems (all listed).
 *
 * @since 0.2.0
 */
import { Command } from "@effect/cli"
import { Console, Effect, Either } from "effect"
import * as path from "node:path"
import type { ConfigError } from "../errors/config.js"
import * as PipelineTest from "../project/pipeline-test.js"
import * as PipelineTestRun from "../project/pipeline-test-run.js"
import { loadProject } from "../project/project.js"
import type { ConnectorRegistry } from "../registry/registry.js"
import { workRoot } from "./check.js"
import * as ExitCode from "./exit-code.js"
import * as Report from "./report.js"

/** 1: a test failed (its differences were printed). */
export const testsFailed = 1

/** `file:line` of `file` relative to the work root. */
const where = (root: string, file: string, line: number | undefined): string => {
  const rel = path.relative(root, file)
  return line === undefined ? rel : `${rel}:${line}`
}

/** The lines of one test's result: `PASS`/`FAIL`, and under a failure each event's differences. */
export const resultText = (root: string, result: PipelineTestRun.TestResult): ReadonlyArray<string> => {
  const { test } = result
  const ok = PipelineTestRun.passed(result)
  const head = `${ok ? "PASS" : "FAIL"} ${where(root, test.file, test.line)} ${JSON.stringify(test.name)} (source ${test.source.spec.name}, ${Report.plural(test.events.length, "event")})`
  if (ok) return [head]
  const lines = [head]
  for (const [i, e] of result.events.entries()) {
    if (e.differences.length === 0) continue
    lines.push(`  event ${i + 1} (${where(root, test.file, e.event.line)}, ${e.event.path}): ${JSON.stringify(e.event.payload)}`)
    for (const d of e.differences) {
      lines.push(`    ${d.at}`, `      expected: ${d.expected}`, `      actual:   ${d.actual}`)
      if (d.hint !== undefined) lines.push(`      hint: ${d.hint}`)
    }
  }
  return lines
}

/** Prints the problems of the project or of its test files and ends with exit 1. */
const problems = (dir: string, errors: ReadonlyArray<ConfigError>) =>
  Effect.zipRight(Console.error(Report.errorsText(dir, errors)), new ExitCode.Exit({ code: ExitCode.configErrors }))

/** Runs the tests of the project in `dir` and prints the results; fails with exit 1 when one failed. */
export const test = (dir: string): Effect.Effect<void, ExitCode.Exit, ConnectorRegistry> =>
  Effect.gen(function*() {
    const project = yield* Effect.either(loadProject(dir))
    if (Either.isLeft(project)) return yield* problems(dir, project.left.errors)
    const tests = yield* Effect.either(PipelineTest.load(project.right))
    if (Either.isLeft(tests)) return yield* problems(dir, tests.left.errors)
    const routes = PipelineTestRun.routes(project.right)
    if (Either.isLeft(routes)) return yield* problems(dir, [routes.left])
    const results = yield* Effect.forEach(tests.right, (t) => PipelineTestRun.run(t, routes.right))
    const root = project.right.workRoot
    for (const result of results) yield* Console.log(resultText(root, result).join("\n"))
    const failed = results.filter((r) => !PipelineTestRun.passed(r)).length
    const events = results.reduce((n, r) => n + r.events.length, 0)
    yield* Console.log(
      failed === 0
        ? `ok: ${Report.plural(results.length, "test")} passed (${Report.plural(events, "event")})`
        : `failed: ${failed} of ${Report.plural(results.length, "test")} (${Report.plural(events, "event")})`
    )
    if (failed > 0) return yield* new ExitCode.Exit({ code: testsFailed })
  })

/** The `test` command. */
export const command = Command.make("test", { workRoot }, (o) => test(o.workRoot)).pipe(
  Command.withDescription(
    "Run the pipeline tests of tests/*.toml: each event through its source's processors and the sink filters, no connector started. Exit 0 when all pass, 1 when one fails or the project has problems."
  )
)
