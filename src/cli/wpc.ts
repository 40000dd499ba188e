/**
 * The `wpc` command line: `run`, `check`, `test`, `connectors`, `init` and `top`, with the built-in connectors,
 * and the mapping of outcomes to exit codes (0 ok, 1 configuration errors, 2 usage errors).
 *
 * @since 0.1.0
 */
import { Command, ValidationError } from "@effect/cli"
import type { CliApp } from "@effect/cli"
import { Console, Effect } from "effect"
import * as Builtins from "../connectors/builtins.js"
import * as Check from "./check.js"
import * as Connectors from "./connectors.js"
import * as ExitCode from "./exit-code.js"
import * as Init from "./init.js"
import * as Run from "./run.js"
import * as Test from "./test.js"
import * as Top from "./top.js"
import * as Version from "./version.js"

/** The package version `wpc --version` prints (the `version` of the package's `package.json`). */
export const version = Version.version

/** The root command; without a subcommand it points at `--help` (usage error). */
export const command = Command.make("wpc", {}, () =>
  Effect.zipRight(
    Console.error("wpc: a command is required (run, check, test, connectors, init, top); see wpc --help"),
    new ExitCode.Exit({ code: ExitCode.usage })
  )).pipe(
    Command.withDescription("WarpParse connector projects: check and test them, list connectors, start one."),
    Command.withSubcommands([Check.command, Connectors.command, Init.command, Run.command, Test.command, Top.command])
  )

/**
 * Runs `wpc` on `argv` (as `process.argv`: node, script, then the arguments) with the built-in connectors,
 * and returns the exit code. Usage errors were already printed by @effect/cli.
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Command.run(command, { name: "wpc", version })(argv).pipe(
    Effect.provide(Builtins.layer),
    Effect.as(ExitCode.ok),
    Effect.catchAll((e) => {
      if (e._tag === "WpcExit") return Effect.succeed(e.code)
      if (ValidationError.isValidationError(e)) return Effect.succeed(ExitCode.usage)
      return Effect.as(Console.error(`wpc: ${e.message}`), ExitCode.configErrors)
    })
  )
