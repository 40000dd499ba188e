/**
 * The built-in processor kinds, by name: the parsers (`json`, `kv`, `csv`, `regex`, `timestamp`,
 * `syslog`), `cast`, and the field operations (`set`, `rename`, `remove`, `keep`, `tag`, `drop`).
 *
 * @since 0.2.0
 */
import type { ProcessorKind } from "./processor-kind.js"

/** Every built-in kind, in the order `wpc` lists them. */
export const all: ReadonlyArray<ProcessorKind> = []

/** The built-in kinds by name. */
export const byName: ReadonlyMap<string, ProcessorKind> = new Map(all.map((k) => [k.kind, k]))
