/**
 * The testkit's sink conformance suite against a real PostgreSQL 15: each payload (or record, as its
 * JSON text) goes into a `payload` BYTEA column, read back in id order.
 */
import { Effect, Option } from "effect"
import * as Postgres from "../../../src/connectors/postgres/index.js"
import { sinkConformance } from "../../../src/testkit/vitest.js"
import { postgresServer, type SqlServer, withPg } from "../sql/servers.js"
import { freshTable, sharedServer } from "../sql/shared-server.js"

const server = sharedServer(postgresServer)

const sql = (s: SqlServer, text: string, values: Array<unknown> = []) =>
  withPg(s, async (c) => (await c.query(text, values)).rows as Array<Record<string, unknown>>)

sinkConformance("postgres", {
  factory: Postgres.PostgresSink.factory,
  spec: Effect.gen(function*() {
    const s = yield* server
    const table = yield* freshTable("out")
    yield* sql(s, `CREATE TABLE "${table}" (id BIGSERIAL PRIMARY KEY, payload BYTEA)`)
    return {
      spec: {
        group: "g",
        name: "out",
        kind: "postgres",
        connectorId: "postgres_sink",
        params: { endpoint: s.endpoint, database: s.database, username: s.username, password: s.password, table, columns: ["payload"] },
        filter: Option.none()
      },
      read: () => Effect.map(sql(s, `SELECT payload FROM "${table}" ORDER BY id`), (rows) => rows.map((r) => new Uint8Array(r["payload"] as Buffer))),
      breakTarget: [
        { name: "its table dropped", run: () => Effect.asVoid(sql(s, `DROP TABLE "${table}"`)) },
        // a crash of the server; it comes back when the case ends
        { name: "the server killed", run: () => Effect.zipRight(s.stop, Effect.addFinalizer(() => Effect.orDie(s.start))) }
      ]
    }
  }),
  // the invalid-spec case builds without the setup, yet asks for a reader: it reads nothing
  read: () => Effect.succeed([]),
  invalid: [
    { spec: { group: "g", name: "out", kind: "postgres", connectorId: "postgres_sink", params: { database: "wpc" }, filter: Option.none() }, code: 300, mentions: "params.columns" },
    { spec: { group: "g", name: "out", kind: "postgres", connectorId: "postgres_sink", params: { database: "wpc", columns: { "": "x" } }, filter: Option.none() }, code: 300, mentions: "params.columns" }
  ]
})
