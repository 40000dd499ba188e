/**
 * `wpc run [--work-root DIR] [--metrics-addr HOST:PORT | --metrics-port N] [--progress SECONDS] [--json]
 * [--log-format text|json] [--log-level LEVEL]`: checks the project, builds it and runs it until its
 * sources end or a Stop (SIGINT/SIGTERM, during start-up too; a second one forces the exit), printing
 * progress and a summary. SIGHUP reloads the project (see `ReloadSignal`;
 * one while it starts is held, see `StartupHangup`). Exit 0 when the run completed or was stopped, 1 for configuration errors, 2 for
 * usage errors, 3 when the run failed. With `--log-format json` every line on stderr is a JSON object.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Cause, Clock, Console, Deferred, Duration, Effect, Either, Exit, Fiber, Option } from "effect"
import { loadProject, type ResolvedProject, toPipelineSpec } from "../project/project.js"
import * as SinkExpect from "../project/sink-expect.js"
import { ConnectorRegistry } from "../registry/registry.js"
import type { PipelineSpec } from "../runtime/pipeline.js"
import * as RunReport from "../runtime/report.js"
import * as Runner from "../runtime/runner.js"
import { json, workRoot } from "./check.js"
import * as ExitCode from "./exit-code.js"
import * as Heap from "./heap.js"
import * as LogFormat from "./log-format.js"
import * as MetricsAddress from "./metrics-address.js"
import * as LogOutput from "./log-output.js"
import * as Report from "./report.js"
import * as Secrets from "./secrets.js"
import * as StartupHangup from "./startup-hangup.js"
import * as StartupStop from "./startup-stop.js"

/** 3: the run failed (a source failed for good, a rescue could not be written, a build failed). */
export const runFailed = 3

/** `--metrics-port N`: serve Prometheus metrics on 127.0.0.1:N (0 picks a free port). */
export const metricsPort = MetricsAddress.metricsPort

/** `--progress SECONDS`: seconds between progress lines (0: none). */
export const progress = Options.integer("progress").pipe(
  Options.withDefault(5),
  Options.withDescription("seconds between progress lines (0: none)")
)

/** `report` with URL credentials masked in its error texts. */
const masked = (report: RunReport.RunReport): RunReport.RunReport => ({
  ...report,
  sources: report.sources.map((s) => (s.error === undefined ? s : { ...s, error: Secrets.text(s.error) })),
  errors: report.errors.map(Secrets.text)
})

/**
 * Loads the project in `dir` again for a reload (as `wpc check` does): its spec, or `None` after printing
 * every problem it has, one coded line each, and how many.
 */
const reload = (dir: string, say: (line: string) => Effect.Effect<void>): Effect.Effect<Option.Option<PipelineSpec>, never, ConnectorRegistry> =>
  Effect.flatMap(Effect.either(loadProject(dir)), (loaded) =>
    Either.isRight(loaded)
      ? Effect.succeed(Option.some(toPipelineSpec(loaded.right)))
      : Effect.as(
        Effect.zipRight(
          Effect.forEach(loaded.left.errors, (e) => say(`[wpc] reload: ${Secrets.text(e.message)}`), { discard: true }),
          say(`[wpc] reload: ${Report.plural(loaded.left.errors.length, "problem")} in project ${dir}`)
        ),
        Option.none()
      ))

/** How `run` runs: where it serves metrics, how often it prints progress, what it prints and logs how. */
export interface RunOptions {
  readonly metrics: Option.Option<MetricsAddress.Address>
  readonly progress: number
  readonly json: boolean
  /** How stderr lines are written (default `text`). */
  readonly logFormat?: LogFormat.Format | undefined
}

/** The sinks of `project` that have an expectation. */
const expectedOf = (project: ResolvedProject): ReadonlyArray<SinkExpect.Expected> =>
  project.sinkGroups.flatMap((g) =>
    g.sinks.flatMap((s) => Option.toArray(Option.map(s.expect, (expectation) => ({ group: g.name, sink: s.spec.name, expectation }))))
  )

/** Loads, builds and runs the project in `dir`; `onLoaded` gets the project before anything is built. */
const start = (
  dir: string,
  options: RunOptions,
  onLoaded: (project: ResolvedProject) => void
): Effect.Effect<RunReport.RunReport, ExitCode.Exit, ConnectorRegistry> =>
  Effect.gen(function*() {
    const format = options.logFormat ?? "text"
    const say = LogFormat.say(format)
    const loaded = yield* Effect.either(loadProject(dir))
    if (Either.isLeft(loaded)) {
      yield* LogFormat.complain(format)(Report.errorsText(dir, loaded.left.errors))
      return yield* new ExitCode.Exit({ code: ExitCode.configErrors })
    }
    const project = loaded.right
    onLoaded(project)
    if (project.warnings.length > 0) yield* say(Report.warningsText(project.warnings))
    const expected = expectedOf(project)
    // relative paths in params are under the work root (the engine resolves them): no change of directory
    const enabled = project.sources.filter((s) => s.enabled).length
    yield* say(`[wpc] starting: ${Report.plural(enabled, "source")}, ${Report.plural(project.sinkGroups.length, "sink group")}`)
    return yield* Runner.run(toPipelineSpec(project), {
      progressEvery: Duration.seconds(Math.max(0, options.progress)),
      metricsPort: Option.getOrUndefined(Option.map(options.metrics, (a) => a.port)),
      metricsHost: Option.getOrUndefined(Option.map(options.metrics, (a) => a.host)),
      print: (line) => say(Secrets.text(line)),
      reload: Effect.provideService(reload(dir, say), ConnectorRegistry, yield* ConnectorRegistry),
      onStarted: Effect.sync(() => Heap.settle()),
      progressSuffix: expected.length === 0 ? undefined : (p) => SinkExpect.progressText(SinkExpect.checkAll(expected, p.sinks, p.eventsIn))
    }).pipe(
      LogOutput.withLogConf(project.log),
      Effect.catchAll((e) =>
        Effect.zipRight(
          LogFormat.complain(format)(`wpc run: ${Secrets.text(e.message)}`),
          new ExitCode.Exit({ code: e._tag === "ConfigError" ? ExitCode.configErrors : runFailed })
        )
      )
    )
  })

/**
 * Runs the project in `dir`; fails with the exit code when it is not 0. A SIGINT/SIGTERM while it starts
 * stops the start-up (see `StartupStop`) and the run ends "stopped".
 */
export const run = (dir: string, options: RunOptions): Effect.Effect<void, ExitCode.Exit, ConnectorRegistry> =>
  Effect.scoped(Effect.gen(function*() {
    const t0 = yield* Clock.currentTimeMillis
    let project: ResolvedProject | undefined
    const starting = yield* Deferred.make<Fiber.RuntimeFiber<RunReport.RunReport, ExitCode.Exit>>()
    // a signal before the fiber exists waits for it
    yield* StartupHangup.hold(LogFormat.say(options.logFormat ?? "text"))
    const guard = yield* StartupStop.guard(
      Effect.asVoid(Effect.flatMap(Deferred.await(starting), Fiber.interrupt)),
      LogFormat.say(options.logFormat ?? "text")
    )
    const fiber = yield* Effect.fork(start(dir, options, (p) => (project = p)))
    yield* Deferred.succeed(starting, fiber)
    const exit = yield* Fiber.await(fiber)
    const report = Exit.isSuccess(exit)
      ? masked(exit.value)
      : guard.signalled() !== undefined && Cause.isInterrupted(exit.cause)
      ? StartupStop.stoppedReport(project, (yield* Clock.currentTimeMillis) - t0)
      : yield* exit
    const checked = checkExpectations(report, project)
    for (const o of checked.outcomes) if (!o.ok && o.mode === "warn") yield* Console.error(`[wpc] warning: ${SinkExpect.missText(o)}`)
    const hasDefault = project?.sinkGroups.some((g) => g.role === "default") ?? false
    if (report.unrouted > 0 && !hasDefault) {
      yield* Console.error(
        `[wpc] warning: ${Report.plural(report.unrouted, "event")} matched no sink group and went nowhere (acked, counted as unrouted); a topology/sinks/infra.d/default.toml group would take them`
      )
    }
    const final = checked.report
    if (options.json) {
      yield* Console.log(JSON.stringify(checked.outcomes.length === 0 ? final : { ...final, expectations: checked.outcomes }, null, 2))
    } else {
      yield* Console.log(`[wpc] ${RunReport.summary(final)}`)
      for (const s of final.sinks) {
        yield* Console.log(`[wpc]   sink ${s.group}/${s.name}: ${s.events} written, ${s.rescued} rescued, ${s.retries} retries, ${s.errors} errors`)
      }
      for (const o of checked.outcomes) {
        yield* Console.log(`[wpc]   expect ${o.group}/${o.sink}: share ${o.ratio === null ? "-" : o.ratio} (${o.expected}): ${o.ok ? "ok" : `missed (${o.mode})`}`)
      }
      for (const e of final.errors) yield* Console.log(`[wpc]   error: ${e}`)
    }
    if (final.status === "failed") return yield* new ExitCode.Exit({ code: runFailed })
  }))

/**
 * The sink expectations of `project` checked against `report`: each outcome, and the report — failed,
 * with the miss among its errors, when an expectation of mode `error` was missed.
 */
const checkExpectations = (
  report: RunReport.RunReport,
  project: ResolvedProject | undefined
): { readonly report: RunReport.RunReport; readonly outcomes: ReadonlyArray<SinkExpect.Outcome> } => {
  const outcomes = project === undefined ? [] : SinkExpect.checkAll(expectedOf(project), report.sinks, report.eventsIn)
  const failed = outcomes.filter((o) => !o.ok && o.mode === "error")
  if (failed.length === 0) return { report, outcomes }
  return { report: { ...report, status: "failed", errors: [...report.errors, ...failed.map(SinkExpect.missText)] }, outcomes }
}

/** The `run` command. */
export const command = Command.make(
  "run",
  {
    workRoot,
    metricsAddr: MetricsAddress.metricsAddr,
    metricsPort,
    progress,
    json,
    logFormat: LogFormat.logFormat,
    logLevel: LogFormat.logLevel
  },
  (o) =>
    Either.match(MetricsAddress.resolve(o.metricsAddr, o.metricsPort), {
      onLeft: (why) => Effect.zipRight(Console.error(`wpc run: ${why}`), new ExitCode.Exit({ code: ExitCode.usage })),
      onRight: (metrics) => run(o.workRoot, { metrics, progress: o.progress, json: o.json, logFormat: o.logFormat })
    }).pipe(LogFormat.withLogging(o.logFormat, o.logLevel))
).pipe(
  Command.withDescription(
    "Check, build and run the project until its sources end or SIGINT/SIGTERM (a second signal forces the exit); SIGHUP reloads the project, restarting only what changed. Exit 0 when completed or stopped, 1 for configuration errors, 2 for usage errors, 3 when the run failed."
  )
)
