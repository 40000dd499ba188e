/**
 * `wpc check [--work-root DIR] [--json] [--connect]`: loads, resolves and validates a project; prints
 * its sources and sink groups, or every problem found (exit 1). With `--connect` it then reaches every
 * source and sink (see `ConnectCheck`) and reports each one ok, failed (with its coded error) or
 * skipped; exit 1 when one failed.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Either } from "effect"
import { ConnectorRegistry } from "../registry/registry.js"
import { loadProject } from "../project/project.js"
import * as ConnectCheck from "./connect-check.js"
import * as ExitCode from "./exit-code.js"
import * as Report from "./report.js"
import * as Secrets from "./secrets.js"
import * as Table from "./table.js"

/** `--work-root DIR` (default: the current directory). */
export const workRoot = Options.directory("work-root").pipe(
  Options.withAlias("w"),
  Options.withDefault("."),
  Options.withDescription("the project directory (holding connectors/ and topology/)")
)

/** `--json`: print JSON instead of tables. */
export const json = Options.boolean("json").pipe(Options.withDescription("print JSON instead of tables"))

/** `--connect`: once the project validated, reach every source and sink (nothing read or written). */
export const connect = Options.boolean("connect").pipe(
  Options.withDescription("then connect to every source's and sink's server (or check its path) and close; exit 1 when one fails")
)

/** The connection checks as a table (masked: a detail may quote a URL). */
const connectText = (results: ReadonlyArray<ConnectCheck.Result>): string =>
  `connections:\n${
    Table.render(
      ["COMPONENT", "NAME", "KIND", "STATUS", "DETAIL"],
      results.map((r) => [r.component, r.name, r.kind, r.status, Secrets.text(r.detail)])
    )
  }`

/**
 * Checks the project in `dir` and prints the result; fails with exit code 1 when it has errors, or
 * (with `connect`) when a source or sink could not be reached.
 */
export const check = (dir: string, asJson: boolean, withConnect = false): Effect.Effect<void, ExitCode.Exit, ConnectorRegistry> =>
  Effect.gen(function*() {
    const loaded = yield* Effect.either(loadProject(dir))
    if (Either.isRight(loaded)) {
      const schemas = Secrets.schemasOf(yield* Effect.flatMap(ConnectorRegistry, (registry) => registry.kinds))
      if (!asJson && loaded.right.warnings.length > 0) yield* Console.error(Report.warningsText(loaded.right.warnings))
      const results = withConnect ? yield* ConnectCheck.check(loaded.right) : undefined
      const masked = results?.map((r) => ({ ...r, detail: Secrets.text(r.detail) }))
      yield* Console.log(
        asJson
          ? JSON.stringify({ ...Report.projectJson(loaded.right, schemas), ...(masked === undefined ? {} : { connect: masked }) }, null, 2)
          : Report.projectText(loaded.right, schemas) + (results === undefined ? "" : `\n\n${connectText(results)}`)
      )
      if (results !== undefined && ConnectCheck.anyFailed(results)) return yield* new ExitCode.Exit({ code: ExitCode.configErrors })
      return
    }
    const errors = loaded.left.errors
    if (asJson) yield* Console.log(JSON.stringify(Report.errorsJson(dir, errors), null, 2))
    else yield* Console.error(Report.errorsText(dir, errors))
    return yield* new ExitCode.Exit({ code: ExitCode.configErrors })
  })

/** The `check` command. */
export const command = Command.make("check", { workRoot, json, connect }, (o) => check(o.workRoot, o.json, o.connect)).pipe(
  Command.withDescription(
    "Load, resolve and validate the project; print its sources and sink groups (secrets as ***). Exit 0 when clean, 1 listing every problem. With --connect, then reach every source and sink and report each (exit 1 when one fails)."
  )
)
