/**
 * `LogOutput`: where `wpc run` logs, as the `[log_conf]` of a WarpParse `conf/wparse.toml` says — the
 * least severe level written, and `Console` (stderr, as without it), `File` (only the log file) or
 * `Both`. The file (`<[log_conf.file] path>/wparse.log`, its directory created) is opened for appending
 * for the run and closed after it; one logfmt line per log entry.
 *
 * @since 0.3.0
 */
import { Effect, FiberRef, HashSet, Logger } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { ConfigError } from "../errors/config.js"
import { describeCause } from "../errors/describe.js"
import type { LogConf } from "../project/wparse-conf.js"

/** Opens `file` for appending for the Scope (its directory created); a failure is a `ConfigError` naming it. */
const open = (file: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(path.dirname(file), { recursive: true })
        return fs.openSync(file, "a")
      },
      catch: (cause) =>
        new ConfigError({
          detail: `cannot open the log file: ${describeCause(cause)}`,
          file,
          path: "log_conf.file.path",
          expected: "a directory the log file can be written in",
          cause
        })
    }),
    (fd) => Effect.sync(() => fs.closeSync(fd))
  )

/** Runs `effect` logging as `conf` says (unchanged without one). */
export const withLogConf = (conf: LogConf | undefined) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | ConfigError, R> => {
  if (conf === undefined) return effect
  const leveled = Logger.withMinimumLogLevel(effect, conf.level)
  if (conf.file === undefined) return leveled
  return Effect.scoped(Effect.flatMap(open(conf.file), (fd) => {
    const toFile = Logger.map(Logger.logfmtLogger, (line) => void fs.writeSync(fd, `${line}\n`))
    return Effect.locallyWith(leveled, FiberRef.currentLoggers, (loggers) =>
      conf.output === "File" ? HashSet.make(toFile) : HashSet.add(loggers, toFile))
  }))
}
