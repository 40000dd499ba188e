/**
 * The `mysql` source: the rows of one table in the order of a key column (its one-column primary key
 * by default), `batch` rows per `receive` (`SELECT ... WHERE key > last ORDER BY key LIMIT batch`: no
 * read-ahead). One event per row: the row as a record and as its JSON text, the key's text as ack token.
 * Acks advance a checkpoint (the last key acked in order) under the work root, where a rebuilt source
 * resumes. At the end of the table it ends (`SourceEof`), or with `follow` polls every `poll_ms`.
 *
 * @since 0.2.0
 */
import { Duration, Effect, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import * as Tls from "../net/tls.js"
import { describeCause } from "../../errors/describe.js"
import { SourceError } from "../../errors/source.js"
import * as DataRecord from "../../model/record.js"
import * as Tags from "../../model/tags.js"
import type { SeekPosition } from "../../source/control.js"
import * as DataSource from "../../source/data-source.js"
import type { AckToken } from "../../source/event.js"
import { SourceEvent } from "../../source/event.js"
import * as SourceFactory from "../../source/factory.js"
import * as Endpoint from "../sql/endpoint.js"
import * as Checkpoint from "./checkpoint.js"
import * as MysqlClient from "./client.js"
import * as KeyLedger from "./key-ledger.js"
import { kind, SourceParams } from "./params.js"
import * as Row from "./row.js"

/** Key types whose values are compared as exact integers (sent as bigints, never through a double). */
const integerKeys = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint"])

/** Where the next query starts: after a key (`>`), at a key (`>=`), or at the beginning. */
type Cursor = { readonly op: ">" | ">="; readonly key: string } | undefined

/** A column's name and data type. */
interface ColumnType {
  readonly name: string
  readonly type: string
}

/**
 * Opens the source `name` in the current Scope: connects (an unreachable server fails with
 * `SourceDisconnect`, 503; refused credentials, a missing table or key with `SourceSupplierError`, 500),
 * finds the key and the columns, and loads the checkpoint (`checkpointFile`, when given).
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty,
  checkpointFile?: string
): Effect.Effect<DataSource.DataSource, SourceError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const endpoint = Endpoint.parse(params.endpoint)
    const where = `${params.endpoint}/${params.database} table ${MysqlClient.quote(params.table)}`
    const prefix = `mysql source ${name}`
    const tls = yield* MysqlClient.tlsOptions(params.tls, prefix)
    const fail = (what: string) => (cause: unknown): SourceError => {
      const refusal = Tls.failure(cause)
      if (refusal !== undefined) return SourceError.supplierError(`${prefix}: ${what} (${where}): ${refusal}`, cause)
      const failure = MysqlClient.classify(cause)
      const detail = `${prefix}: ${what} (${where}): ${describeCause(cause)}`
      if (failure === "connection" || failure === "timeout" || failure === "busy") return SourceError.disconnect(detail, cause)
      return SourceError.supplierError(failure === "denied" ? `${detail}; ${MysqlClient.authHint}` : detail, cause)
    }
    const connect = Effect.tryPromise({
      try: () => MysqlClient.connect({ ...endpoint, database: params.database, username: params.username, password: params.password, tls }),
      catch: fail("cannot connect")
    })
    let client: MysqlClient.Client | undefined = yield* connect
    let closed = false
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closed = true
        const c = client
        client = undefined
        // politely (COM_QUIT), dropped when that fails or takes over 2 s
        return c === undefined ? Effect.void : Effect.tryPromise(() => c.connection.end()).pipe(
          Effect.timeout(Duration.seconds(2)),
          Effect.catchAll(() => Effect.sync(() => c.connection.destroy()))
        )
      })
    )

    /** Runs `sql` on the connection (connecting again when it broke); a lost connection fails with 503. */
    const query = (what: string, sql: string, values: Array<string | bigint>) =>
      Effect.gen(function*() {
        if (closed) return yield* Effect.fail(SourceError.supplierError(`${prefix}: the source is closed`))
        if (client === undefined || client.broken() !== undefined) {
          client?.connection.destroy()
          client = yield* connect
        }
        const c = client
        return yield* Effect.tryPromise({
          try: () => c.connection.query({ sql, values, timeout: MysqlClient.statementTimeoutMs }).then(([rows]) => rows as unknown as ReadonlyArray<Record<string, unknown>>),
          catch: (cause) => {
            if (MysqlClient.classify(cause) === "connection") c.connection.destroy()
            return fail(what)(cause)
          }
        })
      })

    const all = (yield* query(
      "reading the columns",
      "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
      [params.table]
    )).map((r): ColumnType => ({ name: String(r["name"]), type: String(r["type"]) }))
    if (all.length === 0) return yield* Effect.fail(SourceError.supplierError(`${prefix}: ${where} does not exist`))
    const typeOf = (column: string) => all.find((c) => c.name === column || c.name.toLowerCase() === column.toLowerCase())

    let key: ColumnType | undefined
    if (params.key !== undefined) {
      key = typeOf(params.key)
      if (key === undefined) return yield* Effect.fail(SourceError.supplierError(`${prefix}: ${where} has no column ${JSON.stringify(params.key)} (params.key); its columns: ${all.map((c) => c.name).join(", ")}`))
    } else {
      const primary = yield* query(
        "reading the primary key",
        "SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
        [params.table]
      )
      if (primary.length !== 1) {
        return yield* Effect.fail(SourceError.supplierError(
          `${prefix}: ${where} has ${primary.length === 0 ? "no primary key" : `a primary key of ${primary.length} columns`}; set params.key to a column with unique, ordered values`
        ))
      }
      key = typeOf(String(primary[0]!["name"]))!
    }
    const keyColumn = key.name
    const integerKey = integerKeys.has(key.type.toLowerCase())
    const selected: Array<ColumnType> = []
    for (const column of params.columns ?? all.map((c) => c.name)) {
      const found = typeOf(column)
      if (found === undefined) return yield* Effect.fail(SourceError.supplierError(`${prefix}: ${where} has no column ${JSON.stringify(column)} (params.columns); its columns: ${all.map((c) => c.name).join(", ")}`))
      selected.push(found)
    }
    const names = selected.map((c) => c.name)
    const decoders = selected.map((c) => Row.decoder(c.type))
    const keyAlias = "__wpc_key"
    const select = `SELECT ${[...names.map(MysqlClient.quote), `${MysqlClient.quote(keyColumn)} AS ${keyAlias}`].join(", ")} FROM ${MysqlClient.quote(params.table)}`
    const order = `ORDER BY ${MysqlClient.quote(keyColumn)} LIMIT ${params.batch}`
    /** A key's text as the query parameter: an integer key as a bigint (exact), every other as text. */
    const keyParam = (text: string): string | bigint => (integerKey && /^-?\d+$/.test(text) ? BigInt(text) : text)

    const table = `${params.database}.${params.table}`
    const store = checkpointFile === undefined ? undefined : yield* Checkpoint.open(checkpointFile)
    const resumed = store?.loaded !== undefined && store.loaded.table === table && store.loaded.key === keyColumn ? store.loaded.after : undefined
    let cursor: Cursor = resumed === undefined ? undefined : { op: ">", key: resumed }
    const ledger = KeyLedger.make()
    yield* Effect.addFinalizer(() => (store === undefined ? Effect.void : Effect.ignore(store.sync)))

    const eventTags = Tags.set(tags, "mysql_table", params.table)
    let nextEventId = 1
    const lock = yield* Effect.makeSemaphore(1)

    /** The next rows after the cursor (at most `batch`); the cursor moves past them when they are handed out. */
    const read = Effect.gen(function*() {
      const from = cursor
      const rows = yield* query(
        "reading rows",
        from === undefined ? `${select} ${order}` : `${select} WHERE ${MysqlClient.quote(keyColumn)} ${from.op} ? ${order}`,
        from === undefined ? [] : [keyParam(from.key)]
      )
      const events = new Array<SourceEvent>(rows.length)
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!
        const token = String(row[keyAlias])
        const record = Row.toRecord(row, names, decoders)
        events[i] = new SourceEvent({ eventId: nextEventId++, srcKey: name, payload: DataRecord.toJsonText(record), tags: eventTags, ackToken: token, record })
        KeyLedger.handOut(ledger, token)
      }
      if (rows.length > 0) cursor = { op: ">", key: String(rows[rows.length - 1]![keyAlias]) }
      return events
    })

    const receive = lock.withPermits(1)(read).pipe(
      Effect.flatMap((events) => {
        if (events.length > 0) return Effect.succeed(events)
        return params.follow ? Effect.as(Effect.sleep(Duration.millis(params.poll_ms)), events) : Effect.fail(SourceError.eof(`${prefix}: end of ${where}`))
      })
    )

    /** Saves the checkpoint at `after` (when the ledger moved). */
    const commit = (after: string | undefined): Effect.Effect<void, SourceError> =>
      after === undefined || store === undefined ? Effect.void : store.save({ table, key: keyColumn, after })

    const notKey = (token: AckToken) => SourceError.supplierError(`${prefix}: ack token ${String(token)} is not a key of ${where}`)
    const ack = (token: AckToken): Effect.Effect<void, SourceError> =>
      typeof token === "string" ? Effect.suspend(() => commit(KeyLedger.ack(ledger, token))) : Effect.fail(notKey(token))
    const ackUpTo = (token: AckToken): Effect.Effect<void, SourceError> =>
      typeof token === "string" ? Effect.suspend(() => commit(KeyLedger.ackUpTo(ledger, token))) : Effect.fail(notKey(token))

    /**
     * `Start`: the first row; `End`: after the largest key now; `Offset(n)` and `Token(key)`: the first row
     * whose key is at least that. Rows handed out before the seek no longer move the checkpoint.
     */
    const seek = (position: SeekPosition): Effect.Effect<void, SourceError> =>
      lock.withPermits(1)(Effect.gen(function*() {
        let next: Cursor
        switch (position._tag) {
          case "Start":
            next = undefined
            break
          case "End": {
            const max = yield* query("reading the largest key", `SELECT MAX(${MysqlClient.quote(keyColumn)}) AS k FROM ${MysqlClient.quote(params.table)}`, [])
            const k = max[0]?.["k"]
            next = k === null || k === undefined ? undefined : { op: ">", key: String(k) }
            break
          }
          case "Offset":
            next = { op: ">=", key: integerKey ? String(Math.floor(position.offset)) : String(position.offset) }
            break
          case "Token":
            next = { op: ">=", key: position.token }
            break
          case "Time":
            return yield* Effect.fail(SourceError.supplierError(`${prefix}: seek by time is not supported: the table is read by its key ${JSON.stringify(keyColumn)} (seek to an Offset or a Token)`))
        }
        cursor = next
        KeyLedger.reset(ledger)
      }))

    return DataSource.make({
      identifier: `mysql:${where}`,
      caps: { ack: true, seek: true, parallel: false },
      receive,
      ack,
      ackUpTo,
      seek
    })
  })

/** The `mysql` source factory: one source per spec; checkpoints in `<workRoot>/checkpoints/mysql-<name>.json` (with `checkpoint`). */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags, ctx) => make(name, params, tags, params.checkpoint ? Checkpoint.location(ctx.workRoot, name) : undefined)
})
