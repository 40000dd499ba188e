/**
 * `wpc init DIR`: writes a small working project (a `file` source reading a sample log, a `file`
 * sink) that `wpc check` accepts; refuses a directory that is not empty.
 *
 * @since 0.1.0
 */
import { Args, Command } from "@effect/cli"
import { Console, Effect } from "effect"
import * as Scaffold from "../project/scaffold.js"
import * as ExitCode from "./exit-code.js"

/** Writes the scaffold into `dir` and says what to do next; a refusal is printed and exits 1. */
export const init = (dir: string): Effect.Effect<void, ExitCode.Exit> =>
  Scaffold.write(dir).pipe(
    Effect.flatMap((written) =>
      Console.log([...written.map((f) => `created ${f}`), "", `next: wpc check --work-root ${dir}`].join("\n"))
    ),
    Effect.catchTag("ConfigError", (e) =>
      Effect.zipRight(
        Console.error(`error: ${e.location ?? dir}: ${e.detail}${e.suggestion === undefined ? "" : `\n  hint: ${e.suggestion}`}`),
        new ExitCode.Exit({ code: ExitCode.configErrors })
      ))
  )

/** The `init` command. */
export const command = Command.make(
  "init",
  { dir: Args.text({ name: "DIR" }).pipe(Args.withDescription("the directory to create (must be new or empty)")) },
  (o) => init(o.dir)
).pipe(Command.withDescription("Write a small working project (file source -> file sink) into DIR."))
