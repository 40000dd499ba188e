/**
 * `TableSink`: the sink the `mysql` and `postgres` connectors share — rows into one table through one
 * connection (`Database`), the columns checked against the table at build, and every write call one
 * transaction: a batch of at most `maxRows` rows is one `INSERT` (atomic by itself), a larger one is
 * `BEGIN`, an `INSERT` per `maxRows` rows, `COMMIT`. A connection lost before the commit writes none of
 * it; a commit whose answer was lost is reported as a failure although the rows are in (the engine then
 * writes them again: the one case of duplicates).
 *
 * @since 0.2.0
 */
import { Duration, Effect, type Schema, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import type * as DataRecord from "../../model/record.js"
import * as SinkFactory from "../../sink/factory.js"
import * as RecordEncoder from "../../sink/record-encoder.js"
import * as AsyncSink from "../../sink/sink.js"
import * as Columns from "./columns.js"
import * as Tls from "../net/tls.js"
import * as Database from "./database.js"
import type * as SqlParam from "./sql-param.js"

/** What `make` needs. */
export interface Options {
  readonly database: Database.Database
  /** The columns written and the fields they take. */
  readonly columns: ReadonlyArray<Columns.Column>
  readonly style: SqlParam.Style
}

/** Encodes the items of one statement (`from`: the index of the first in the write, for messages). */
type Encode<A> = (items: ReadonlyArray<A>, from: number) => Columns.Encoded

/** Sends the items of one statement on a session (`from`: the index of the first in the write). */
type Insert<A> = (s: Database.Session, items: ReadonlyArray<A>, from: number) => Promise<void>

/** A write's item that cannot be encoded, thrown out of the transaction (which is rolled back). */
class Unwritable {
  constructor(readonly detail: string) {}
}

/** How long a polite close may take before the connection is dropped. */
const closeWithin = Duration.seconds(2)

/** The table's name for `wanted`: the same name, else the one equal ignoring case; `undefined` when none. */
const resolve = (types: ReadonlyMap<string, string>, wanted: string): string | undefined => {
  if (types.has(wanted)) return wanted
  const lower = wanted.toLowerCase()
  for (const name of types.keys()) if (name.toLowerCase() === lower) return name
  return undefined
}

/**
 * Connects in the current Scope (closed when it closes, or at `stop`), checks that the table exists and
 * has every column of `options.columns` (a `NotFoundError`, 102, naming what is missing and what there
 * is), and returns the sink. An unreachable server fails the build with 202 naming the target; refused
 * credentials with 301 and the database's hint; a refused TLS certificate with 301 (`Tls.failure`).
 */
export const make = (options: Options): Effect.Effect<AsyncSink.AsyncSink, SinkError, Scope.Scope> =>
  Effect.gen(function*() {
    const { database } = options
    const prefix = `${database.kind} sink`
    const failure = (detail: string) => (cause: unknown): SinkError => {
      const refusal = Tls.failure(cause)
      if (refusal !== undefined) return SinkError.uvs(UnifiedReason.external(`${detail}: ${refusal}`), undefined, cause)
      const kind = database.classify(cause)
      return Database.sinkError(kind, kind === "denied" ? `${detail} (${database.authHint})` : detail, cause)
    }
    const connect = Effect.tryPromise({ try: () => database.connect(), catch: failure(`${prefix}: cannot connect to ${database.target}`) })

    let session: Database.Session | undefined = undefined
    let stopped = false
    /** Writes running now: `stop` drops the connection under them instead of waiting. */
    let inflight = 0

    const drop = (s: Database.Session): void => {
      s.destroy()
      if (session === s) session = undefined
    }
    /** Closes the session, politely when nothing runs on it (dropped after `closeWithin`). */
    const close = Effect.suspend(() => {
      const s = session
      session = undefined
      if (s === undefined) return Effect.void
      if (inflight > 0 || s.broken() !== undefined) return Effect.sync(() => s.destroy())
      return Effect.tryPromise(() => s.end()).pipe(
        Effect.timeout(closeWithin),
        Effect.catchAll(() => Effect.sync(() => s.destroy()))
      )
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => void (stopped = true)).pipe(Effect.zipRight(close)))

    session = yield* connect
    const types = yield* Effect.tryPromise({ try: () => session!.columns(), catch: failure(`${prefix}: reading the columns of ${database.target} failed`) })
    if (types === undefined) {
      return yield* Effect.fail(SinkError.uvs(UnifiedReason.notFound(`${prefix}: ${database.target} does not exist`)))
    }
    const missing = options.columns.filter((c) => resolve(types, c.column) === undefined).map((c) => c.column)
    if (missing.length > 0) {
      return yield* Effect.fail(SinkError.uvs(UnifiedReason.notFound(
        `${prefix}: ${database.target} has no column ${missing.map((m) => JSON.stringify(m)).join(", ")} (params.columns); its columns: ${[...types.keys()].join(", ")}`
      )))
    }
    const columns = options.columns.map((c) => ({ column: resolve(types, c.column)!, field: c.field }))
    const kinds = columns.map((c) => database.columnKind(types.get(c.column)!))
    const encoder = Columns.encoder(columns, kinds, options.style)
    const target: Database.Target = { columns: encoder.columns, kinds }
    const lock = yield* Effect.makeSemaphore(1)

    /** The open session, or a new one when there is none (or it broke); none once stopped. */
    const current = Effect.suspend((): Effect.Effect<Database.Session, SinkError> => {
      if (stopped) return Effect.fail(SinkError.stopped(`${database.kind}:${database.target}`))
      if (session !== undefined && session.broken() === undefined) return Effect.succeed(session)
      if (session !== undefined) drop(session)
      return Effect.tap(connect, (s) => Effect.sync(() => void (session = s)))
    })

    /**
     * All of `items` in one transaction (one statement when they fit one), each statement's rows encoded
     * just before it is sent: a write's rows do not all live at once (they would outlive young-generation
     * collections while the statements run, and be promoted).
     */
    const transact = async <A>(s: Database.Session, items: ReadonlyArray<A>, insert: Insert<A>): Promise<void> => {
      if (items.length <= database.maxRows) return insert(s, items, 0)
      await s.run("BEGIN")
      try {
        for (let i = 0; i < items.length; i += database.maxRows) await insert(s, items.slice(i, Math.min(items.length, i + database.maxRows)), i)
        await s.run("COMMIT")
      } catch (error) {
        // after a refused statement the transaction is still open on a live connection: end it
        await s.run("ROLLBACK").catch(() => s.destroy())
        throw error
      }
    }

    /** Sends items encoded into rows just before their statement (a write's rows do not all live at once). */
    const rowsInsert = <A>(encode: Encode<A>): Insert<A> => (s, items, from) => {
      const encoded = encode(items, from)
      if (encoded._tag === "Refused") throw new Unwritable(encoded.detail)
      return s.insert(target, encoded.rows)
    }

    /** Sends rows the engine encoded as text when it routed their records. */
    const textsInsert: Insert<string> = (s, texts) => s.insertTexts(target, texts)

    const refused = (detail: string): SinkError => SinkError.uvs(UnifiedReason.data(`${prefix}: ${database.target}: ${detail}`))

    /** Writes `items` in one transaction; a broken or timed-out connection is dropped (the next write connects again). */
    const write = <A>(items: ReadonlyArray<A>, insert: Insert<A>): Effect.Effect<void, SinkError> =>
      items.length === 0 ? Effect.void : lock.withPermits(1)(Effect.flatMap(current, (s) =>
        Effect.suspend(() => {
          inflight++
          return Effect.tryPromise({
            try: () => transact(s, items, insert),
            catch: (cause) => {
              if (cause instanceof Unwritable) return refused(cause.detail)
              const kind = database.classify(cause)
              if (kind === "connection" || kind === "timeout") drop(s)
              return Database.sinkError(kind, `${prefix}: writing ${items.length} rows to ${database.target} failed`, cause)
            }
          }).pipe(
            // an interrupted write may still be running on the connection: drop it, so that nothing of it commits later
            Effect.onInterrupt(() => Effect.sync(() => drop(s))),
            Effect.ensuring(Effect.sync(() => void inflight--))
          )
        })))

    const writeRecords = (records: ReadonlyArray<DataRecord.DataRecord>) => write(records, rowsInsert(encoder.records))
    const writePayloads = (payloads: ReadonlyArray<string | Uint8Array>) =>
      encoder.takesPayload ? write(payloads, rowsInsert(encoder.payloads)) : Effect.suspend(() => Effect.fail(refused(encoder.noPayload)))

    /**
     * A record's row as the database's text of it, made when the engine routes the record (so the queue holds
     * one string, not the record); a record with a value the column refuses, or bytes, is declined and goes
     * through `sinkRecords`, which says why.
     */
    const encodeRecord = (record: DataRecord.DataRecord): string | undefined => {
      const row = encoder.record(record)
      return Columns.isRow(row) ? database.rowText(row, kinds) : undefined
    }

    /** Checks the session (`SELECT 1`), or connects a new one when it is gone or the check fails. */
    const reconnect = lock.withPermits(1)(Effect.suspend(() => {
      const s = session
      const fresh = Effect.zipRight(Effect.sync(() => s !== undefined && drop(s)), Effect.asVoid(current))
      if (s === undefined || s.broken() !== undefined) return fresh
      return Effect.catchAll(Effect.tryPromise(() => s.run("SELECT 1")), () => fresh)
    }))

    return AsyncSink.make({
      identifier: `${database.kind}:${database.target}`,
      sinkStr: (data) => writePayloads([data]),
      sinkBytes: (data) => writePayloads([data]),
      sinkStrBatch: writePayloads,
      sinkBytesBatch: writePayloads,
      sinkRecord: (record) => writeRecords([record]),
      sinkRecords: writeRecords,
      recordEncoder: RecordEncoder.make(encodeRecord, (texts) => write(texts, textsInsert)),
      reconnect,
      stop: Effect.zipRight(Effect.sync(() => void (stopped = true)), close)
    })
  })

/** What a SQL kind's sink params hold for `factory`: the table (default: the sink's name) and the columns. */
export interface TableParams {
  readonly table?: string | undefined
  readonly columns: Columns.Columns
}

/**
 * The sink factory of a SQL kind: params checked by `params`; `build` connects a `make` sink writing into
 * `params.table` (default: the sink's name) through `database(params, table)`, with `params.columns`.
 */
export const factory = <P extends TableParams, I>(options: {
  readonly kind: string
  readonly params: Schema.Schema<P, I>
  readonly database: (params: P, table: string) => Effect.Effect<Database.Database, ConfigError>
  readonly style: SqlParam.Style
}): SinkFactory.SinkFactory =>
  SinkFactory.withParams({
    kind: options.kind,
    params: options.params,
    build: (params, spec) =>
      Effect.flatMap(options.database(params, params.table ?? spec.name), (database) =>
        Effect.map(make({ database, columns: Columns.mapping(params.columns), style: options.style }), SinkFactory.handle))
  })
