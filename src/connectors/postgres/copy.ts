/**
 * `Copy`: `COPY ... FROM STDIN` on a `pg` client (which has no COPY of its own: this is the protocol's
 * copy-in sub-protocol as a query the client queues), and rows in COPY's text format. Measured against
 * multi-row `INSERT`s, COPY wrote rows 1.15-2x faster at the sink's default batch (docs/performance.md).
 *
 * @since 0.2.0
 */
import type * as Pg from "pg"
import type { ColumnKind, SqlParam } from "../sql/sql-param.js"

/** The part of the client's connection a copy-in uses. */
interface CopyConnection {
  readonly query: (text: string) => void
  readonly sendCopyFromChunk: (chunk: Buffer) => void
  readonly endCopyFrom: () => void
}

/**
 * Sends `data` (whole rows in text format) through `COPY <sql> FROM STDIN` on `client`, in its query
 * queue like every other query; resolves once the server took every row, rejects with the server's error (or
 * the connection's). `sql` is `"<table> (<columns>)"`.
 */
export const copyIn = (client: Pg.Client, sql: string, data: Buffer): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    let failed = false
    const submittable = {
      /** Settles the copy; the client wraps it (its `query_timeout` timer is cleared when it is called). */
      callback: (error: unknown): void => (error === null || error === undefined ? resolve() : reject(error)),
      submit: (connection: CopyConnection) => connection.query(`COPY ${sql} FROM STDIN`),
      handleCopyInResponse: (connection: CopyConnection) => {
        connection.sendCopyFromChunk(data)
        connection.endCopyFrom()
      },
      handleError: (error: unknown) => {
        if (failed) return
        failed = true
        submittable.callback(error)
      },
      handleReadyForQuery: () => {
        if (!failed) submittable.callback(null)
      },
      handleCommandComplete: () => undefined,
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handleEmptyQuery: () => undefined,
      handlePortalSuspended: () => undefined,
      handleCopyData: () => undefined
    }
    client.query(submittable as unknown as Pg.Submittable)
  })

const BACKSLASH = 0x5c
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d

/** Text with COPY's specials escaped: backslash, tab, newline, carriage return. */
const escapeText = (text: string): string =>
  /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"))
    : text

/** Bytes for a text column with COPY's specials escaped (the server checks they are valid UTF-8). */
const escapeBytes = (bytes: Buffer): Buffer => {
  let specials = 0
  for (const b of bytes) if (b === BACKSLASH || b === TAB || b === LF || b === CR) specials++
  if (specials === 0) return bytes
  const out = Buffer.allocUnsafe(bytes.length + specials)
  let k = 0
  for (const b of bytes) {
    if (b === BACKSLASH || b === TAB || b === LF || b === CR) {
      out[k++] = BACKSLASH
      out[k++] = b === BACKSLASH ? BACKSLASH : b === TAB ? 0x74 : b === LF ? 0x6e : 0x72
    } else out[k++] = b
  }
  return out
}

/** One value in text format, as text, or as bytes when it is bytes for a text column. */
const field = (value: SqlParam, kind: ColumnKind): string | Buffer => {
  if (value === null) return "\\N"
  switch (typeof value) {
    case "boolean":
      return value ? "t" : "f"
    case "number":
    case "bigint":
      return String(value)
    case "string":
      return escapeText(value)
    default:
      // a bytea column takes hex input (`\x...`, its backslash escaped for COPY)
      return kind === "binary" ? `\\\\x${value.toString("hex")}` : escapeBytes(value)
  }
}

/**
 * One row as a line of COPY's text format (with its `\n`), or `undefined` when a value is bytes that must
 * go as they are (not UTF-8 text: `encode` writes those).
 */
export const line = (row: ReadonlyArray<SqlParam>, kinds: ReadonlyArray<ColumnKind>): string | undefined => {
  let text = ""
  for (let c = 0; c < row.length; c++) {
    const value = field(row[c]!, kinds[c]!)
    if (typeof value !== "string") return undefined
    text += c === 0 ? value : `\t${value}`
  }
  return `${text}\n`
}

/** `rows` in COPY's text format (tab-separated, one line each), for columns of `kinds`. */
export const encode = (rows: ReadonlyArray<ReadonlyArray<SqlParam>>, kinds: ReadonlyArray<ColumnKind>): Buffer => {
  const parts: Array<Buffer> = []
  let text = ""
  for (const row of rows) {
    for (let c = 0; c < row.length; c++) {
      if (c > 0) text += "\t"
      const value = field(row[c]!, kinds[c]!)
      if (typeof value === "string") text += value
      else {
        parts.push(Buffer.from(text, "utf8"), value)
        text = ""
      }
    }
    text += "\n"
  }
  if (parts.length === 0) return Buffer.from(text, "utf8")
  parts.push(Buffer.from(text, "utf8"))
  return Buffer.concat(parts)
}
