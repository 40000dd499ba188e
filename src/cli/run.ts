/**
 * `wpc run [--work-root DIR] [--metrics-port N] [--progress SECONDS] [--json]`: checks the project,
 * builds it and runs it until its sources end or a Stop (SIGINT/SIGTERM; a second one forces the
 * exit), printing progress and a summary. Exit 0 when the run completed or was stopped, 1 for
 * configuration errors, 3 when the run failed.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Console, Duration, Effect, Either, Option } from "effect"
import { toPipelineSpec, loadProject } from "../project/project.js"
import type { ConnectorRegistry } from "../registry/registry.js"
import * as RunReport from "../runtime/report.js"
import * as Runner from "../runtime/runner.js"
import { json, workRoot } from "./check.js"
import * as ExitCode from "./exit-code.js"
import * as Report from "./report.js"

/** 3: the run failed (a source failed for good, a rescue could not be written, a build failed). */
export const runFailed = 3

/** `--metrics-port N`: serve Prometheus metrics on 127.0.0.1:N (0 picks a free port). */
export const metricsPort = Options.integer("metrics-port").pipe(
  Options.optional,
  Options.withDescription("serve Prometheus metrics on 127.0.0.1 at this port (0: a free port the OS picks)")
)

/** `--progress SECONDS`: seconds between progress lines (0: none). */
export const progress = Options.integer("progress").pipe(
  Options.withDefault(5),
  Options.withDescription("seconds between progress lines (0: none)")
)

/** Runs the project in `dir`; fails with the exit code when it is not 0. */
export const run = (
  dir: string,
  options: { readonly metricsPort: Option.Option<number>; readonly progress: number; readonly json: boolean }
): Effect.Effect<void, ExitCode.Exit, ConnectorRegistry> =>
  Effect.gen(function*() {
    const loaded = yield* Effect.either(loadProject(dir))
    if (Either.isLeft(loaded)) {
      yield* Console.error(Report.errorsText(dir, loaded.left.errors))
      return yield* new ExitCode.Exit({ code: ExitCode.configErrors })
    }
    const project = loaded.right
    // relative paths in params are under the work root (the engine resolves them): no change of directory
    const report = yield* Runner.run(toPipelineSpec(project), {
      progressEvery: Duration.seconds(Math.max(0, options.progress)),
      metricsPort: Option.getOrUndefined(options.metricsPort),
      print: (line) => Console.error(line)
    }).pipe(
      Effect.catchAll((e) =>
        Effect.zipRight(
          Console.error(`wpc run: ${e.message}`),
          new ExitCode.Exit({ code: e._tag === "ConfigError" ? ExitCode.configErrors : runFailed })
        )
      )
    )
    if (options.json) yield* Console.log(JSON.stringify(report, null, 2))
    else {
      yield* Console.log(`[wpc] ${RunReport.summary(report)}`)
      for (const s of report.sinks) {
        yield* Console.log(`[wpc]   sink ${s.group}/${s.name}: ${s.events} written, ${s.rescued} rescued, ${s.retries} retries, ${s.errors} errors`)
      }
      for (const e of report.errors) yield* Console.log(`[wpc]   error: ${e}`)
    }
    if (report.status === "failed") return yield* new ExitCode.Exit({ code: runFailed })
  })

/** The `run` command. */
export const command = Command.make("run", { workRoot, metricsPort, progress, json }, (o) =>
  run(o.workRoot, { metricsPort: o.metricsPort, progress: o.progress, json: o.json })).pipe(
    Command.withDescription(
      "Check, build and run the project until its sources end or SIGINT/SIGTERM (a second signal forces the exit). Exit 0 when completed or stopped, 1 for configuration errors, 3 when the run failed."
    )
  )
