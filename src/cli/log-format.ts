/**
 * `LogFormat`: how `wpc` logs on stderr. `text` (the default) is Effect's logfmt logger; `json` is
 * Effect's JSON logger, one object per line (`wpc run --log-format json`), so that every stderr line
 * of a run parses. The level comes from `--log-level`, else `WPC_LOG_LEVEL`, else `info`. Both
 * loggers mask the credentials of URLs in their messages.
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"
import { Console, Effect, Either, Logger, LogLevel, Option } from "effect"
import * as ExitCode from "./exit-code.js"
import * as Secrets from "./secrets.js"

/** A log message (a value or an array of them) with the credentials of every URL in its texts masked. */
const maskMessage = (message: unknown): unknown =>
  typeof message === "string" ? Secrets.text(message) : Array.isArray(message) ? message.map(maskMessage) : message

/** The default logger of `wpc`: logfmt on stderr, URL credentials masked. */
export const text: Logger.Logger<unknown, void> = Logger.withConsoleError(Logger.mapInput(Logger.logfmtLogger, maskMessage))

/** The JSON logger: one JSON object per line on stderr, URL credentials masked. */
export const json: Logger.Logger<unknown, void> = Logger.withConsoleError(Logger.mapInput(Logger.jsonLogger, maskMessage))

/** A log format. */
export type Format = "text" | "json"

/** `--log-format text|json` (default `text`). */
export const logFormat = Options.choice("log-format", ["text", "json"]).pipe(
  Options.withDefault("text"),
  Options.withDescription("how log lines are written on stderr: text (logfmt) or json (one object per line)")
)

/** The log levels `--log-level` and `WPC_LOG_LEVEL` take, by their lower-case name. */
const levels: { readonly [name: string]: LogLevel.LogLevel } = {
  all: LogLevel.All,
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  none: LogLevel.None
}

const levelNames = ["all", "trace", "debug", "info", "warning", "error", "fatal", "none"] as const

/** `--log-level LEVEL` (default: `WPC_LOG_LEVEL`, else `info`). */
export const logLevel = Options.choice("log-level", levelNames).pipe(
  Options.optional,
  Options.withDescription("the least severe level logged (default: $WPC_LOG_LEVEL, else info)")
)

/**
 * The level to log at: the flag's, else `env.WPC_LOG_LEVEL`'s (case-insensitive), else `Info`; an unknown
 * name in the environment is an error naming the variable, its value and the names it takes.
 */
export const resolveLevel = (flag: Option.Option<string>, env: NodeJS.ProcessEnv): Either.Either<LogLevel.LogLevel, string> => {
  if (Option.isSome(flag)) return Either.right(levels[flag.value] ?? LogLevel.Info)
  const raw = env["WPC_LOG_LEVEL"]
  if (raw === undefined || raw.trim() === "") return Either.right(LogLevel.Info)
  const level = levels[raw.trim().toLowerCase()]
  return level === undefined
    ? Either.left(`WPC_LOG_LEVEL=${JSON.stringify(raw)} is not a log level: expected one of ${levelNames.join(", ")}`)
    : Either.right(level)
}

/**
 * Runs `self` logging in `format` at the level `level` (else `WPC_LOG_LEVEL`); a bad `WPC_LOG_LEVEL`
 * is a usage error (exit 2) printed before anything runs.
 */
export const withLogging = (format: Format, level: Option.Option<string>) =>
<A, R>(self: Effect.Effect<A, ExitCode.Exit, R>): Effect.Effect<A, ExitCode.Exit, R> =>
  Either.match(resolveLevel(level, process.env), {
    onLeft: (why) => Effect.zipRight(Console.error(`wpc: ${why}`), new ExitCode.Exit({ code: ExitCode.usage })),
    onRight: (minimum) => {
      const leveled = Logger.withMinimumLogLevel(self, minimum)
      return format === "json" ? Effect.provide(leveled, Logger.replace(text, json)) : leveled
    }
  })

/** Writes an informational line on stderr: as it is in the text format, as a log record in the JSON one. */
export const say = (format: Format) => (line: string): Effect.Effect<void> =>
  format === "json" ? Effect.logInfo(line) : Console.error(line)

/** Writes an error report on stderr: as it is in the text format, as an error record in the JSON one. */
export const complain = (format: Format) => (report: string): Effect.Effect<void> =>
  format === "json" ? Effect.logError(report) : Console.error(report)
