/**
 * `wpc check [--work-root DIR] [--json]`: loads, resolves and validates a project; prints its sources
 * and sink groups, or every problem found (exit 1).
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Either } from "effect"
import { ConnectorRegistry } from "../registry/registry.js"
import { loadProject } from "../project/project.js"
import * as ExitCode from "./exit-code.js"
import * as Report from "./report.js"
import * as Secrets from "./secrets.js"

/** `--work-root DIR` (default: the current directory). */
export const workRoot = Options.directory("work-root").pipe(
  Options.withAlias("w"),
  Options.withDefault("."),
  Options.withDescription("the project directory (holding connectors/ and topology/)")
)

/** `--json`: print JSON instead of tables. */
export const json = Options.boolean("json").pipe(Options.withDescription("print JSON instead of tables"))

/** Checks the project in `dir` and prints the result; fails with exit code 1 when it has errors. */
export const check = (dir: string, asJson: boolean): Effect.Effect<void, ExitCode.Exit, ConnectorRegistry> =>
  Effect.gen(function*() {
    const loaded = yield* Effect.either(loadProject(dir))
    if (Either.isRight(loaded)) {
      const schemas = Secrets.schemasOf(yield* Effect.flatMap(ConnectorRegistry, (registry) => registry.kinds))
      if (!asJson && loaded.right.warnings.length > 0) yield* Console.error(Report.warningsText(loaded.right.warnings))
      yield* Console.log(
        asJson ? JSON.stringify(Report.projectJson(loaded.right, schemas), null, 2) : Report.projectText(loaded.right, schemas)
      )
      return
    }
    const errors = loaded.left.errors
    if (asJson) yield* Console.log(JSON.stringify(Report.errorsJson(dir, errors), null, 2))
    else yield* Console.error(Report.errorsText(dir, errors))
    return yield* new ExitCode.Exit({ code: ExitCode.configErrors })
  })

/** The `check` command. */
export const command = Command.make("check", { workRoot, json }, (o) => check(o.workRoot, o.json)).pipe(
  Command.withDescription(
    "Load, resolve and validate the project; print its sources and sink groups (secrets as ***). Exit 0 when clean, 1 listing every problem."
  )
)
