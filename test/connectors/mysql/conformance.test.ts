/**
 * The testkit's source and sink conformance suites against a real MariaDB: the sink writes each
 * payload (or record, as its JSON text) into a `payload` LONGBLOB column, read back in id order; the
 * source reads a table of `msg` rows in key order, following it for appended rows.
 */
import { Effect, Option } from "effect"
import * as Mysql from "../../../src/connectors/mysql/index.js"
import { sinkConformance, sourceConformance } from "../../../src/testkit/vitest.js"
import { mariadbServer, type SqlServer, withMysql } from "../sql/servers.js"
import { freshTable, sharedServer } from "../sql/shared-server.js"

const server = sharedServer(mariadbServer)

const sql = (s: SqlServer, text: string, values: Array<unknown> = []) =>
  withMysql(s, async (c) => (await c.query(text, values))[0] as Array<Record<string, unknown>>)

const connection = (s: SqlServer) => ({ endpoint: s.endpoint, database: s.database, username: s.username, password: s.password })

const messages = ["alpha", "beta 2", "γάμμα ünïcödé", "delta \"quoted\" \\ back", "epsilon 😀"]
/** The payload the source makes of a row whose `msg` is `m` (with `columns = ["msg"]`). */
const rowJson = (m: string) => JSON.stringify({ msg: m })

/** Appends rows with `msg` = each payload to the table of `spec`. */
const insert = (table: string, payloads: ReadonlyArray<unknown>) =>
  Effect.flatMap(server, (s) =>
    payloads.length === 0 ? Effect.void : Effect.asVoid(sql(s, `INSERT INTO \`${table}\` (msg) VALUES ${payloads.map(() => "(?)").join(", ")}`, payloads.map(String))))

sourceConformance("mysql", {
  factory: Mysql.MysqlSource.factory,
  spec: Effect.gen(function*() {
    const s = yield* server
    const table = yield* freshTable("src")
    yield* sql(s, `CREATE TABLE \`${table}\` (id BIGINT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100) NOT NULL)`)
    yield* insert(table, messages)
    return {
      spec: { name: "in", kind: "mysql", connectorId: "mysql_src", params: { ...connection(s), table, columns: ["msg"], batch: 2, follow: true, poll_ms: 20 }, tags: [] }
    }
  }),
  append: ({ payloads, spec }) => insert(String(spec.params["table"]), payloads.map((p) => JSON.parse(String(p)).msg)),
  appended: [rowJson("appended 1"), rowJson("appended 2")],
  expect: { payloads: messages.map(rowJson) },
  claims: { ack: true, seek: true, parallel: false },
  invalid: [
    { spec: { name: "in", kind: "mysql", connectorId: "mysql_src", params: { database: "wpc" }, tags: [] }, code: 300, mentions: "params.table" },
    { spec: { name: "in", kind: "mysql", connectorId: "mysql_src", params: { database: "wpc", table: "t", poll_ms: 0 }, tags: [] }, code: 300, mentions: "params.poll_ms" }
  ]
})

sinkConformance("mysql", {
  factory: Mysql.MysqlSink.factory,
  spec: Effect.gen(function*() {
    const s = yield* server
    const table = yield* freshTable("out")
    yield* sql(s, `CREATE TABLE \`${table}\` (id BIGINT AUTO_INCREMENT PRIMARY KEY, payload LONGBLOB)`)
    return {
      spec: { group: "g", name: "out", kind: "mysql", connectorId: "mysql_sink", params: { ...connection(s), table, columns: ["payload"] }, filter: Option.none() },
      read: () => Effect.map(sql(s, `SELECT payload FROM \`${table}\` ORDER BY id`), (rows) => rows.map((r) => new Uint8Array(r["payload"] as Buffer))),
      breakTarget: [
        { name: "its table dropped", run: () => Effect.asVoid(sql(s, `DROP TABLE \`${table}\``)) },
        // a crash of the server; it comes back when the case ends
        { name: "the server killed", run: () => Effect.zipRight(s.stop, Effect.addFinalizer(() => Effect.orDie(s.start))) }
      ]
    }
  }),
  // the invalid-spec case builds without the setup, yet asks for a reader: it reads nothing
  read: () => Effect.succeed([]),
  invalid: [
    { spec: { group: "g", name: "out", kind: "mysql", connectorId: "mysql_sink", params: { database: "wpc" }, filter: Option.none() }, code: 300, mentions: "params.columns" },
    { spec: { group: "g", name: "out", kind: "mysql", connectorId: "mysql_sink", params: { database: "wpc", columns: ["p"], batch: "lots" }, filter: Option.none() }, code: 300, mentions: "params.batch" }
  ]
})
