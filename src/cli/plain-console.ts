/**
 * `PlainConsole`: `wpc`'s console without ANSI colour codes where they would be noise — on a stream
 * that is not a terminal (a pipe, a file) or when `NO_COLOR` is set (https://no-color.org). @effect/cli
 * colours its help and messages unconditionally; this strips them on the way out.
 *
 * @since 0.1.0
 */
import { Console, Effect } from "effect"

/** An SGR escape sequence (colour, bold, reset). */
const sgr = /\u001b\[[0-9;]*m/g

/** `u` without ANSI colour codes when it is a string; every other value unchanged. */
export const strip = (u: unknown): unknown => (typeof u === "string" ? u.replace(sgr, "") : u)

/** `true` when output to `stream` must carry no colour: it is not a terminal, or `NO_COLOR` is set (and not empty). */
export const colourless = (stream: { readonly isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv): boolean =>
  stream.isTTY !== true || (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "")

/** `console` with `log`/`info` (stdout) and `error`/`warn` (stderr) stripped of colour where each stream is `colourless`. */
export const make = (
  console: Console.Console,
  stdout: { readonly isTTY?: boolean | undefined },
  stderr: { readonly isTTY?: boolean | undefined },
  env: NodeJS.ProcessEnv
): Console.Console => {
  const out = colourless(stdout, env)
  const err = colourless(stderr, env)
  return {
    ...console,
    log: (...args) => console.log(...(out ? args.map(strip) : args)),
    info: (...args) => console.info(...(out ? args.map(strip) : args)),
    error: (...args) => console.error(...(err ? args.map(strip) : args)),
    warn: (...args) => console.warn(...(err ? args.map(strip) : args))
  }
}

/** Runs `self` with the current console made plain for this process's stdout, stderr and environment. */
export const provide = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) => Effect.withConsole(self, make(console, process.stdout, process.stderr, process.env)))
