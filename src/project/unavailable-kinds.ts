/**
 * Connector kinds a WarpParse work root may use that this edition does not have. A definition of one of
 * them is one error at its `type`, naming the kind, saying it is not available here and what is.
 *
 * @since 0.3.0
 */
import { ConfigError } from "../errors/config.js"

/** The WarpParse kinds this edition lacks, with what to use instead where there is something. */
export const kinds: { readonly [kind: string]: string | undefined } = {
  kafka: "nats or redis (streams) carry events between processes here",
  victorialogs: "an http sink posting JSON lines to VictoriaLogs' /insert/jsonline",
  elasticsearch: "an http sink posting to the _bulk API",
  doris: "the mysql sink (Doris speaks the MySQL protocol)",
  starrocks: "the mysql sink (StarRocks speaks the MySQL protocol)",
  prometheus: "wpc run --metrics-port serves the engine's metrics",
  mongodb: undefined,
  arrow: undefined
}

/** The error for a definition of `kind`, when it is one of `kinds` (the kinds this edition has: `available`). */
export const problem = (kind: string, available: ReadonlyArray<string>): ConfigError | undefined => {
  if (!Object.hasOwn(kinds, kind)) return undefined
  const instead = kinds[kind]
  return new ConfigError({
    detail: `connector kind "${kind}" is not available in this edition`,
    path: "type",
    expected: `a kind this edition has: ${available.join(", ")}`,
    ...(instead === undefined ? {} : { suggestion: `instead: ${instead}` })
  })
}
