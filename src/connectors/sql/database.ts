/**
 * `Database`: what a SQL connector supplies to the shared table sink — how to open a `Session` (one
 * connection of its client library), what the table's columns are, and how its errors are classified
 * (`Failure`). Classification is what decides retrying: a lost connection, a timeout or a busy server
 * are retryable; bad data, an unknown table or column, a refusal are not, and carry the server's message.
 *
 * @since 0.2.0
 */
import { describeCause } from "../../errors/describe.js"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import type { ColumnKind, SqlParam } from "./sql-param.js"

/** The columns a sink writes and their kinds, in the order of each row; the same object at every insert of one sink. */
export interface Target {
  readonly columns: ReadonlyArray<string>
  readonly kinds: ReadonlyArray<ColumnKind>
}

/** One open connection. Its methods reject with the client's error. */
export interface Session {
  /** Runs one statement without parameters (`BEGIN`, `COMMIT`, `ROLLBACK`, `SELECT 1`). */
  readonly run: (sql: string) => Promise<void>
  /** Inserts `rows` (one statement: at most `Database.maxRows` of them) into the `target` columns of the table, in the current transaction if one is open. */
  readonly insert: (target: Target, rows: ReadonlyArray<ReadonlyArray<SqlParam>>) => Promise<void>
  /** Inserts rows already written as text by `Database.rowText` (one statement: at most `Database.maxRows`). */
  readonly insertTexts: (target: Target, rows: ReadonlyArray<string>) => Promise<void>
  /** The table's columns: name to data type as the server names it; `undefined` when the table does not exist. */
  readonly columns: () => Promise<ReadonlyMap<string, string> | undefined>
  /** Closes the connection politely (waits for the server's goodbye). */
  readonly end: () => Promise<void>
  /** Drops the connection at once (the server rolls back an open transaction). */
  readonly destroy: () => void
  /** `undefined` while the connection is usable; why not once it broke. */
  readonly broken: () => string | undefined
}

/**
 * What went wrong, as far as retrying goes: `connection` (lost, refused, reset), `timeout`, `busy` (too
 * many connections, a deadlock, a lock wait: the server may take it later), `data` (a constraint or a
 * value the column refuses), `denied` (the credentials or a privilege), `refused` (anything else the
 * server refused: an unknown table or column, bad SQL).
 */
export type Failure = "connection" | "timeout" | "busy" | "data" | "denied" | "refused"

/** What a SQL connector supplies. */
export interface Database {
  /** The kind, for messages: `"mysql"`. */
  readonly kind: string
  /** Where it writes, for messages: `127.0.0.1:3306/db table "t"`. */
  readonly target: string
  /** Opens a session; rejects with the client's error. */
  readonly connect: () => Promise<Session>
  /** The `Failure` of an error the client or the server raised. */
  readonly classify: (cause: unknown) => Failure
  /** The kind of a column of the server's data type `type` (as `Session.columns` names it). */
  readonly columnKind: (type: string) => ColumnKind
  /**
   * A row as the text `Session.insertTexts` takes (a `VALUES` tuple, a COPY line), or `undefined` when it
   * cannot be written as text (it then goes through `insert`).
   */
  readonly rowText: (row: ReadonlyArray<SqlParam>, kinds: ReadonlyArray<ColumnKind>) => string | undefined
  /** Rows one `Session.insert` takes at most. */
  readonly maxRows: number
  /** What to check when the server refuses the credentials. */
  readonly authHint: string
}

/**
 * The sink error of a failure: `connection` is `NetworkError` (202), `timeout` `TimeoutError` (204) and
 * `busy` a transient `ResourceError` (203), all retryable; `data` is `DataError` (200), `denied` and
 * `refused` `ExternalError` (301), none retryable. The detail ends with the server's message.
 */
export const sinkError = (failure: Failure, detail: string, cause: unknown): SinkError => {
  const message = `${detail}: ${describeCause(cause)}`
  switch (failure) {
    case "connection":
      return SinkError.network(message, cause)
    case "timeout":
      return SinkError.uvs(UnifiedReason.timeout(message), undefined, cause)
    case "busy":
      return SinkError.uvs(UnifiedReason.transientResource(message), undefined, cause)
    case "data":
      return SinkError.uvs(UnifiedReason.data(message), undefined, cause)
    case "denied":
    case "refused":
      return SinkError.uvs(UnifiedReason.external(message), undefined, cause)
  }
}

/** `true` for the failures worth retrying. */
export const isRetryable = (failure: Failure): boolean => failure === "connection" || failure === "timeout" || failure === "busy"
