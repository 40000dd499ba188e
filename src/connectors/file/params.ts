/**
 * Parameters, definitions and URL adapter of the `file` connector.
 *
 * @since 0.1.0
 */
import * as path from "node:path"
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import { Millis, NonNegative, Positive } from "../../config/param-types.js"
import { ConfigError } from "../../errors/config.js"

/** The connector kind. */
export const kind = "file"

const Name = Schema.NonEmptyTrimmedString

/** The text encodings a `file` source decodes. */
export const Encoding = Schema.Literal("utf-8", "utf-16le", "utf-16be", "gbk", "gb18030", "latin1").annotations({
  description: "one of utf-8, utf-16le, utf-16be, gbk, gb18030, latin1"
})

/** A regular expression (JavaScript syntax), or `""` for none. */
export const Pattern = Schema.String.pipe(
  Schema.filter((text) => {
    try {
      new RegExp(text)
      return true
    } catch (error) {
      return `not a regular expression: ${error instanceof Error ? error.message : String(error)}`
    }
  })
).annotations({ description: "a regular expression (JavaScript syntax), or \"\" for none" })

/**
 * Source params: the file `base`/`file` (`./data/in_dat/gen.dat`); `encode` `"text"` (one event per line) or `"raw"` (one event per
 * chunk of `read_bytes`); `follow` appended data and rotation (polling every `poll_ms`); `batch_lines`
 * events per receive; lines over `max_line_bytes` are cut; `start` where to begin without a checkpoint;
 * `checkpoint` keeps the offset of the last acked event under the build context's work root.
 * A glob in `file` or `include` (`*.log`, `**` to recurse, minus `exclude`) reads a set of files, at most
 * `max_open_files` open at once, each known by a checksum of its first line (up to `fingerprint_bytes`);
 * `encoding` decodes the text; `multiline_*` joins lines into events (see docs/connectors/file.md).
 */
export const SourceParams = Schema.Struct({
  base: Schema.optionalWith(Name, { default: () => "./data/in_dat" }),
  file: Schema.optionalWith(Name, { default: () => "gen.dat" }),
  encode: Schema.optionalWith(Schema.Literal("text", "raw"), { default: () => "text" as const }),
  follow: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  batch_lines: Schema.optionalWith(Positive, { default: () => 1024 }),
  read_bytes: Schema.optionalWith(Positive, { default: () => 262144 }),
  max_line_bytes: Schema.optionalWith(Positive, { default: () => 1048576 }),
  start: Schema.optionalWith(Schema.Literal("beginning", "end"), { default: () => "beginning" as const }),
  checkpoint: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  poll_ms: Schema.optionalWith(Millis, { default: () => 100 }),
  include: Schema.optionalWith(Schema.Array(Name), { default: () => [] }),
  exclude: Schema.optionalWith(Schema.Array(Name), { default: () => [] }),
  max_open_files: Schema.optionalWith(Positive, { default: () => 256 }),
  fingerprint_bytes: Schema.optionalWith(Positive, { default: () => 256 }),
  encoding: Schema.optionalWith(Encoding, { default: () => "utf-8" as const }),
  multiline_start: Schema.optionalWith(Pattern, { default: () => "" }),
  multiline_continue: Schema.optionalWith(Pattern, { default: () => "" }),
  multiline_max_lines: Schema.optionalWith(Positive, { default: () => 500 }),
  multiline_max_bytes: Schema.optionalWith(Positive, { default: () => 1048576 }),
  multiline_timeout_ms: Schema.optionalWith(Millis, { default: () => 1000 })
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/**
 * Sink params: the file `base`/`file` (`./data/out_dat/default.dat`); `fmt` of records (`raw` payload lines, `json`, `kv`); `rotate_bytes`
 * renames the file to `<file>.<n>` before it would grow past that size (0 = never); `fsync` after each batch.
 */
export const SinkParams = Schema.Struct({
  base: Schema.optionalWith(Name, { default: () => "./data/out_dat" }),
  file: Schema.optionalWith(Name, { default: () => "default.dat" }),
  fmt: Schema.optionalWith(Schema.Literal("raw", "json", "kv"), { default: () => "raw" as const }),
  rotate_bytes: Schema.optionalWith(NonNegative, { default: () => 0 }),
  fsync: Schema.optionalWith(Schema.Boolean, { default: () => true })
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** `true` when `text` has a glob character (`*`, `?`, `[`, `{`). */
export const isGlob = (text: string): boolean => /[*?[{]/.test(text)

/**
 * `true` when the params need the multi-file source: a glob in `file`, an `include`, another encoding
 * than UTF-8, a multiline pattern, or a `.gz` file. Otherwise the single-file source reads `base/file`.
 */
export const wantsFileSet = (params: SourceParams): boolean =>
  isGlob(params.file) || params.include.length > 0 || params.encoding !== "utf-8" ||
  params.multiline_start !== "" || params.multiline_continue !== "" || params.file.endsWith(".gz")

/** The path a source or sink reads or writes: `base/file`. */
export const filePath = (params: { readonly base: string; readonly file: string }): string =>
  path.join(params.base, params.file)

/** The source definition `file-src`: the defaults of `SourceParams`, every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "file-src", kind, params: SourceParams })

/** The sink definition `file-sink`: the defaults of `SinkParams`, every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "file-sink", kind, params: SinkParams })

/** `file:///var/log/app.log` gives `{ base: "/var/log", file: "app.log" }`; a host or a directory path is refused. */
export const adapter = ConnectorKindAdapter.make({
  kind,
  urlToParams: (url) =>
    Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["file"]), (u) => {
      if (u.hostname !== "" && u.hostname !== "localhost") {
        return Effect.fail(
          new ConfigError({
            detail: `file URL with host ${JSON.stringify(u.hostname)} in ${JSON.stringify(url)}`,
            path: "url.host",
            expected: "no host: file:///absolute/path/to/file"
          })
        )
      }
      const full = decodeURIComponent(u.pathname)
      if (full.endsWith("/")) {
        return Effect.fail(
          new ConfigError({
            detail: `file URL names a directory, not a file: ${JSON.stringify(url)}`,
            path: "url.path",
            expected: "a path to a file, e.g. file:///var/log/app.log"
          })
        )
      }
      return Effect.succeed({ base: path.posix.dirname(full), file: path.posix.basename(full) })
    })
})
