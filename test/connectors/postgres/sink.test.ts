/**
 * The `postgres` sink against a real PostgreSQL 15: every value kind written exactly, a write of several
 * COPYs is one transaction, raw payloads go to the `payload` column, and errors are classified
 * (connection loss, lock waits and too many connections retryable; bad data, unknown tables and
 * refused credentials not, with the server's message).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule } from "effect"
import * as Postgres from "../../../src/connectors/postgres/index.js"
import { DataRecord, SinkFactory } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { eventually, pgConnection, postgresServer, type SqlServer, withPg } from "../sql/servers.js"
import { freshTable, sharedServer } from "../sql/shared-server.js"

const server = sharedServer(postgresServer)
const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

const spec = (s: SqlServer, params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "postgres",
  connectorId: "postgres_sink",
  params: { endpoint: s.endpoint, database: s.database, username: s.username, password: s.password, ...params } as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

/** Runs `sql` on the server (as the test user) and returns the rows. */
const sql = (s: SqlServer, text: string, values: Array<unknown> = []) =>
  withPg(s, async (c) => (await c.query(text, values)).rows as Array<Record<string, unknown>>)

/** Creates a fresh table with `columns` (after an auto-increment `id`); its name. */
const table = (s: SqlServer, columns: string) =>
  Effect.flatMap(freshTable("snk"), (name) => Effect.as(sql(s, `CREATE TABLE "${name}" (id BIGSERIAL PRIMARY KEY, ${columns})`), name))

const rec = (fields: Record<string, DataRecord.Value>) => DataRecord.make(Object.entries(fields).map(([k, v]) => DataRecord.field(k, v)))
const digit = (n: bigint) => Option.getOrThrow(DataRecord.digit(n))

describe("postgres sink", () => {
  it.live("writes every value kind exactly: i64 extremes, unicode, floats, booleans, times in UTC, objects and arrays as JSON, the record as payload", () =>
    leakChecked(Effect.gen(function*() {
      const s = yield* server
      const t = yield* table(s, [
        "seq BIGINT NOT NULL", "name VARCHAR(200)", "big BIGINT", "ratio DOUBLE PRECISION", "ok BOOLEAN", "at TIMESTAMP(6)", "ip INET",
        "attrs JSONB", "list TEXT", "absent VARCHAR(10)", "payload BYTEA", "wp_event_id BIGINT", "raw_text TIMESTAMPTZ"
      ].join(", "))
      const records = [
        rec({
          seq: digit(1n), name: DataRecord.chars("ünïcødé 'quoted' \\ back\"slash 😀"), big: digit(DataRecord.digitMax), ratio: DataRecord.float(0.1 + 0.2),
          ok: DataRecord.bool(true), at: Option.getOrThrow(DataRecord.time("2024-03-01T12:34:56.789123+02:00")), ip: Option.getOrThrow(DataRecord.ipAddr("2001:db8::1")),
          attrs: DataRecord.obj({ a: digit(-5n), b: DataRecord.chars("x\ny"), c: DataRecord.obj({ d: DataRecord.nil }) }),
          list: DataRecord.array([DataRecord.float(1), DataRecord.bool(false), DataRecord.chars("z")]), wp_event_id: digit(42n),
          raw_text: Option.getOrThrow(DataRecord.time("2024-03-01T12:34:56+02:00"))
        }),
        rec({ seq: digit(2n), big: digit(DataRecord.digitMin), ratio: DataRecord.float(-1e300), ok: DataRecord.bool(false), at: Option.getOrThrow(DataRecord.time("1999-12-31T23:59:59Z")) })
      ]
      const { sink } = yield* Postgres.PostgresSink.factory.build(spec(s, {
        table: t,
        columns: ["seq", "name", "big", "ratio", "ok", "at", "ip", "attrs", "list", "absent", "payload", "wp_event_id", "raw_text"]
      }), ctx)
      yield* sink.sinkRecords(records)
      // the engine's way: each record encoded as a COPY line when routed, the lines sent as one COPY
      const encoder = sink.recordEncoder!
      yield* encoder.write(records.map((r) => encoder.encode(r)!))
      const both = yield* sql(s, `SELECT seq::text, name, big::text, ratio, ok, at::text, host(ip) AS ip, attrs, list, absent, payload, wp_event_id::text, raw_text = '2024-03-01T10:34:56Z' AS raw_same FROM "${t}" ORDER BY id`)
      expect(both).toHaveLength(2 * records.length)
      expect(both.slice(records.length)).toEqual(both.slice(0, records.length))
      const rows = both.slice(0, records.length)
      expect(rows).toHaveLength(2)
      expect(rows[0]).toMatchObject({
        seq: "1", name: "ünïcødé 'quoted' \\ back\"slash 😀", big: "9223372036854775807", ratio: 0.30000000000000004, ok: true,
        at: "2024-03-01 10:34:56.789123", ip: "2001:db8::1", absent: null, wp_event_id: "42", raw_same: true
      })
      expect(rows[0]!["attrs"]).toEqual({ a: -5, b: "x\ny", c: { d: null } })
      expect(rows[0]!["list"]).toBe("[1.0,false,\"z\"]")
      expect((rows[0]!["payload"] as Buffer).toString("utf8")).toBe(DataRecord.toJsonText(records[0]!))
      expect(rows[1]).toMatchObject({ seq: "2", name: null, big: "-9223372036854775808", ratio: -1e300, ok: false, at: "1999-12-31 23:59:59", wp_event_id: null })
    })))

  it.live("a write of more rows than `batch` is one transaction: a row refused in its last statement leaves none of it (200, not retryable, the server's message)", () =>
    leakChecked(Effect.gen(function*() {
      const s = yield* server
      const t = yield* table(s, "seq BIGINT NOT NULL, msg VARCHAR(5) NOT NULL")
      const { sink } = yield* Postgres.PostgresSink.factory.build(spec(s, { table: t, batch: 2, columns: ["seq", "msg"] }), ctx)
      const ok = Array.from({ length: 4 }, (_, i) => rec({ seq: digit(BigInt(i)), msg: DataRecord.chars(`m${i}`) }))
      const error = yield* Effect.flip(sink.sinkRecords([...ok, rec({ seq: digit(4n) })]))
      expect(error.code).toBe(200)
      expect(error.retryable).toBe(false)
      expect(error.message).toContain(`table "public"."${t}"`)
      expect(error.message).toContain("null value in column \"msg\"")
      expect(yield* sql(s, `SELECT COUNT(*)::int AS n FROM "${t}"`)).toEqual([{ n: 0 }])
      // the connection is still usable, and a good write lands whole
      yield* sink.sinkRecords(ok)
      expect((yield* sql(s, `SELECT seq::text FROM "${t}" ORDER BY id`)).map((r) => r["seq"])).toEqual(["0", "1", "2", "3"])
    })))

  it.live("events without a record go to the `payload` column (bytes stay bytes), the other columns NULL; without a payload column they are refused (200)", () =>
    leakChecked(Effect.gen(function*() {
      const s = yield* server
      const t = yield* table(s, "body BYTEA, seq BIGINT")
      const { sink } = yield* Postgres.PostgresSink.factory.build(spec(s, { table: t, columns: { body: "payload", seq: "seq" } }), ctx)
      const bytes = Uint8Array.of(0xff, 0x00, 0xfe, 0x27, 0x5c)
      yield* sink.sinkStrBatch(["plain", "it's"])
      yield* sink.sinkBytes(bytes)
      const rows = yield* sql(s, `SELECT body, seq FROM "${t}" ORDER BY id`)
      expect(rows.map((r) => [...(r["body"] as Buffer)])).toEqual([[..."plain"].map((c) => c.charCodeAt(0)), [..."it's"].map((c) => c.charCodeAt(0)), [...bytes]])
      expect(rows.map((r) => r["seq"])).toEqual([null, null, null])
      const t2 = yield* table(s, "seq BIGINT")
      const { sink: noPayload } = yield* Postgres.PostgresSink.factory.build(spec(s, { table: t2, columns: ["seq"] }), ctx)
      const error = yield* Effect.flip(noPayload.sinkStr("lost?"))
      expect(error.code).toBe(200)
      expect(error.message).toContain("no column takes the field \"payload\"")
    })))

  it.live("a duplicate key or a bad value fails the write with 200 and the server's message; a table dropped under the sink with 301; neither retryable", () =>
    leakChecked(Effect.gen(function*() {
      const s = yield* server
      const t = yield* table(s, "seq BIGINT NOT NULL UNIQUE")
      const { sink } = yield* Postgres.PostgresSink.factory.build(spec(s, { table: t, columns: ["seq"] }), ctx)
      yield* sink.sinkRecords([rec({ seq: digit(7n) })])
      const dup = yield* Effect.flip(sink.sinkRecords([rec({ seq: digit(7n) })]))
      expect([dup.code, dup.retryable]).toEqual([200, false])
      expect(dup.message).toContain("duplicate key value violates unique constraint")
      const bad = yield* Effect.flip(sink.sinkRecords([rec({ seq: DataRecord.chars("abc") })]))
      expect([bad.code, bad.retryable]).toEqual([200, false])
      expect(bad.message).toContain("invalid input syntax for type bigint: \"abc\"")
      yield* sql(s, `DROP TABLE "${t}"`)
      const gone = yield* Effect.flip(sink.sinkRecords([rec({ seq: digit(8n) })]))
      expect([gone.code, gone.retryable]).toEqual([301, false])
      expect(gone.message).toContain("does not exist")
    })))

  it.live("the build checks the table and its columns (102 naming what is missing), the credentials (301 with a hint) and the server (202)", () =>
    leakChecked(Effect.gen(function*() {
      const s = yield* server
      const t = yield* table(s, "seq BIGINT")
      const build = (params: Record<string, unknown>) => Effect.flip(Effect.scoped(Postgres.PostgresSink.factory.build(spec(s, params), ctx)))
      const missing = yield* build({ table: "no_such_table", columns: ["seq"] })
      expect([missing.code, missing.retryable]).toEqual([102, false])
      expect(missing.message).toContain("\"public\".\"no_such_table\" does not exist")
      const column = yield* build({ table: t, columns: ["seq", "sqe"] })
      expect(column.code).toBe(102)
      expect(column.message).toContain("has no column \"sqe\" (params.columns); its columns: id, seq")
      const denied = yield* build({ table: t, columns: ["seq"], password: "wrong" })
      expect([denied.code, denied.retryable]).toEqual([301, false])
      expect(denied.message).toContain("password authentication failed")
      expect(denied.message).toContain("check params.username and params.password")
      expect(denied.message).not.toContain("wrong")
      const down = yield* build({ table: t, columns: ["seq"], endpoint: "127.0.0.1:1" })
      expect([down.code, down.retryable]).toEqual([202, true])
      expect(down.message).toContain("cannot connect to 127.0.0.1:1/wpc")
    })))

  it.live("a server that is busy is retryable: a lock not available (55P03) and too many connections for the role (53300) fail with 203", () =>
    leakChecked(Effect.gen(function*() {
      const s = yield* server
      const t = yield* table(s, "seq BIGINT NOT NULL UNIQUE")
      const admin = { ...s, username: "postgres", password: s.password }
      yield* sql(admin, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'single') THEN CREATE ROLE single LOGIN PASSWORD 'one' CONNECTION LIMIT 1; END IF; END $$")
      yield* sql(admin, "ALTER ROLE single SET lock_timeout = '1s'")
      yield* sql(s, `GRANT ALL ON "${t}" TO single; GRANT ALL ON SEQUENCE "${t}_id_seq" TO single`)
      const single = { username: "single", password: "one" }
      const { sink } = yield* Postgres.PostgresSink.factory.build(spec(s, { table: t, columns: ["seq"], ...single }), ctx)
      // another connection holds seq 1 in an open transaction
      const blocker = yield* pgConnection(s)
      yield* Effect.promise(() => blocker.query("BEGIN"))
      yield* Effect.promise(() => blocker.query(`INSERT INTO "${t}" (seq) VALUES (1)`))
      const waited = yield* Effect.flip(sink.sinkRecords([rec({ seq: digit(1n) })]))
      expect([waited.code, waited.retryable]).toEqual([203, true])
      expect(waited.message).toContain("lock timeout")
      const second = yield* Effect.flip(Effect.scoped(Postgres.PostgresSink.factory.build(spec(s, { table: t, columns: ["seq"], ...single }), ctx)))
      expect([second.code, second.retryable]).toEqual([203, true])
      expect(second.message).toContain("too many connections for role \"single\"")
    })), 20_000)

  it.live("killed mid-transaction (SIGKILL): the write fails with 202 and none of it is in; after a restart, reconnect and the write lands once", () =>
    leakChecked(Effect.gen(function*() {
      const s = yield* server
      const t = yield* table(s, "seq BIGINT NOT NULL UNIQUE")
      const { sink } = yield* Postgres.PostgresSink.factory.build(spec(s, { table: t, batch: 2, columns: ["seq"] }), ctx)
      const rows = [1n, 2n, 3n, 4n].map((n) => rec({ seq: digit(n) }))
      // another connection holds seq 3: the sink's transaction copies 1 and 2 (first COPY), then waits on 3
      const blocker = yield* pgConnection(s)
      yield* Effect.promise(() => blocker.query("BEGIN"))
      yield* Effect.promise(() => blocker.query(`INSERT INTO "${t}" (seq) VALUES (3)`))
      const writer = yield* Effect.fork(Effect.flip(sink.sinkRecords(rows)))
      yield* eventually("the sink's transaction waits for the lock", Effect.map(sql(s, "SELECT COUNT(*)::int AS n FROM pg_locks WHERE NOT granted"), (r) => Number(r[0]!["n"]) > 0))
      yield* s.stop
      const failed = yield* Fiber.join(writer)
      expect([failed._tag, failed.code, failed.retryable]).toEqual(["SinkUvs", 202, true])
      yield* s.start
      // the server recovers from the crash before it takes queries
      yield* Effect.retry(sink.reconnect, Schedule.spaced("100 millis").pipe(Schedule.upTo("15 seconds")))
      expect(yield* sql(s, `SELECT COUNT(*)::int AS n FROM "${t}"`)).toEqual([{ n: 0 }])
      yield* sink.sinkRecords(rows)
      expect((yield* sql(s, `SELECT seq::text FROM "${t}" ORDER BY seq`)).map((r) => r["seq"])).toEqual(["1", "2", "3", "4"])
    })), 40_000)

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      const base = { database: "d", columns: ["a"] }
      for (const [params, path] of [
        [{ columns: ["a"] }, "params.database"],
        [{ database: "d" }, "params.columns"],
        [{ ...base, columns: [] }, "params.columns"],
        [{ ...base, columns: ["a", "a"] }, "params.columns"],
        [{ ...base, endpoint: "localhost" }, "params.endpoint"],
        [{ ...base, endpoint: "h:70000" }, "params.endpoint"],
        [{ ...base, batch: 0 }, "params.batch"],
        [{ ...base, cloumns: ["a"] }, "params.cloumns"],
        [{ ...base, schema: "" }, "params.schema"]
      ] as const) {
        const error = yield* Effect.flip(Postgres.PostgresSink.factory.validateSpec({ group: "g", name: "o", kind: "postgres", connectorId: "postgres_sink", params, filter: Option.none() }))
        expect(error._tag).toBe("ConfigError")
        expect(error.code).toBe(300)
        expect(String(error)).toContain(path)
      }
    }))
})
