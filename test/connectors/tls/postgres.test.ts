import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as Postgres from "../../../src/connectors/postgres/index.js"
import { DataRecord, SinkFactory } from "../../../src/index.js"
import { postgresServerWith, type SqlServer, withPg } from "../sql/servers.js"
import { leakChecked } from "../tcp/harness.js"
import { makeCerts } from "./certs.js"

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

const spec = (s: SqlServer, tls: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "postgres",
  connectorId: "postgres_sink",
  params: { endpoint: s.endpoint, database: s.database, username: s.username, password: s.password, table: "tls_rows", columns: ["who"], tls } as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

describe("postgres sink over TLS, against a real PostgreSQL with ssl = on", () => {
  it.live("with tls.ca rows are written over TLS (the server says so); with another CA the build fails with 301, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* postgresServerWith({ tls: certs.server })
      yield* withPg(server, (c) => c.query("CREATE TABLE tls_rows (id BIGSERIAL PRIMARY KEY, who TEXT)"))
      yield* Effect.scoped(Effect.gen(function*() {
        const { sink } = yield* Postgres.PostgresSink.factory.build(spec(server, { ca: certs.ca }), ctx)
        yield* sink.sinkRecords([DataRecord.make([DataRecord.field("who", DataRecord.chars("over tls"))])])
        // the server's own view of the sink's open session (application_name wpc): TLS
        const seen = yield* withPg(server, (c) =>
          c.query("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'wpc'"))
        expect(seen.rows).toEqual([{ ssl: true }])
      }))
      const rows = yield* withPg(server, (c) => c.query("SELECT who FROM tls_rows"))
      expect(rows.rows).toEqual([{ who: "over tls" }])
      const wrong = yield* Effect.flip(Effect.scoped(Postgres.PostgresSink.factory.build(spec(server, { ca: certs.otherCa }), ctx)))
      expect([wrong.code, wrong.retryable]).toEqual([301, false])
      expect(wrong.message).toContain("not signed by a trusted CA")
    })))
})
