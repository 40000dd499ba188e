/**
 * The built-in processor kinds, by name: the parsers (`json`, `kv`, `csv`, `regex`, `timestamp`,
 * `syslog`), `cast`, and the field operations (`set`, `rename`, `remove`, `keep`, `tag`, `drop`).
 *
 * @since 0.2.0
 */
import * as Cast from "./cast.js"
import * as Csv from "./csv.js"
import * as Drop from "./drop.js"
import * as Json from "./json.js"
import * as Keep from "./keep.js"
import * as Kv from "./kv.js"
import type { ProcessorKind } from "./processor-kind.js"
import * as Regex from "./regex.js"
import * as Remove from "./remove.js"
import * as Rename from "./rename.js"
import * as SetFields from "./set.js"
import * as Syslog from "./syslog.js"
import * as Tag from "./tag.js"
import * as Timestamp from "./timestamp.js"

/** Every built-in kind, in the order `wpc` lists them: parsers, then field operations. */
export const all: ReadonlyArray<ProcessorKind> = [
  Json.kind,
  Kv.kind,
  Csv.kind,
  Regex.kind,
  Timestamp.kind,
  Syslog.kind,
  Cast.kind,
  SetFields.kind,
  Rename.kind,
  Remove.kind,
  Keep.kind,
  Tag.kind,
  Drop.kind
]

/** The built-in kinds by name. */
export const byName: ReadonlyMap<string, ProcessorKind> = new Map(all.map((k) => [k.kind, k]))
