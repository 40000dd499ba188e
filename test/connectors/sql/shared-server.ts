/**
 * One database server for a whole test file: started in `beforeAll`, killed (and its dir removed) in
 * `afterAll`. Each test works on tables of its own.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import type { SqlServer } from "./servers.js"

/** Registers the file's server; the returned Effect yields it (a defect when it is not running). */
export const sharedServer = (start: Effect.Effect<SqlServer, Error, Scope.Scope>): Effect.Effect<SqlServer> => {
  const scope = Effect.runSync(Scope.make())
  let running: SqlServer | undefined
  beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(start, scope), (s) => void (running = s))), 60_000)
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)), 20_000)
  return Effect.suspend(() => (running === undefined ? Effect.die(new Error("the database server is not running")) : Effect.succeed(running)))
}

let tables = 0
/** A table name no other test of this process uses. */
export const freshTable = (prefix: string): Effect.Effect<string> => Effect.sync(() => `${prefix}_${process.pid}_${++tables}`)
