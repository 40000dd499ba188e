/**
 * `MetricsAddress`: where the metrics server of `wpc run` listens, and where `wpc top` reads it —
 * `--metrics-addr HOST:PORT` (`[v6]:PORT` for an IPv6 address) or `--metrics-port N` (on 127.0.0.1).
 *
 * @since 0.1.0
 */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Either, Option } from "effect"

/** A host and a TCP port. */
export interface Address {
  readonly host: string
  readonly port: number
}

/** The host the metrics server listens on unless told otherwise: loopback only. */
export const defaultHost = "127.0.0.1"

/** `HOST:PORT` or `[v6]:PORT` parsed, or why it is not one (naming `flag`). */
export const parse = (text: string, flag = "--metrics-addr"): Either.Either<Address, string> => {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]+)$/.exec(text.trim())
  const host = m?.[1] ?? m?.[2]
  if (m === null || host === undefined) {
    return Either.left(`${flag} ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:9464, or [::1]:9464 for IPv6)`)
  }
  const port = Number(m[3])
  if (!Number.isInteger(port) || port > 65535) {
    return Either.left(`${flag} ${JSON.stringify(text)}: port ${m[3]} is not a TCP port (0 to 65535, 0 picks a free one)`)
  }
  return Either.right({ host, port })
}

/** `HOST:PORT` for a URL: IPv6 addresses in brackets. */
export const format = (address: Address): string =>
  `${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`

/** `--metrics-addr HOST:PORT` described as `description`, checked as it is parsed (a usage error names the flag and the value). */
export const addrOption = (description: string) =>
  Options.text("metrics-addr").pipe(
    Options.mapEffect((text) =>
      Either.match(parse(text), {
        onLeft: (why) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(why))),
        onRight: Effect.succeed
      })
    ),
    Options.optional,
    Options.withDescription(description)
  )

/** `wpc run --metrics-addr HOST:PORT`: where to serve. */
export const metricsAddr = addrOption("serve metrics, /health and /ready at HOST:PORT (default host 127.0.0.1; PORT 0 picks a free one)")

/** `--metrics-port N`: the same on 127.0.0.1. */
export const metricsPort = Options.integer("metrics-port").pipe(
  Options.optional,
  Options.withDescription("serve metrics, /health and /ready on 127.0.0.1 at this port (0: a free port the OS picks)")
)

/** The address from `--metrics-addr` or `--metrics-port` (none: no server); both at once is an error. */
export const resolve = (addr: Option.Option<Address>, port: Option.Option<number>): Either.Either<Option.Option<Address>, string> =>
  Option.isSome(addr) && Option.isSome(port)
    ? Either.left("give --metrics-addr HOST:PORT or --metrics-port N, not both")
    : Either.right(Option.orElse(addr, () => Option.map(port, (p) => ({ host: defaultHost, port: p }))))
