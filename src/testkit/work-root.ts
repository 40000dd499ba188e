/**
 * `withTempWorkRoot`: a fresh temporary directory for a connector's work root, removed (with
 * everything in it) when the Scope closes.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import { describeCause } from "../errors/describe.js"
import * as ConformanceFailure from "./conformance-failure.js"

/**
 * Creates a directory under the OS temp dir (`wp-testkit-XXXXXX`) and removes it recursively when
 * the Scope closes. Fails with a `ConformanceFailure` of check `"withTempWorkRoot"` when it cannot.
 */
export const withTempWorkRoot: Effect.Effect<string, ConformanceFailure.ConformanceFailure, Scope.Scope> = Effect
  .acquireRelease(
    Effect.tryPromise({
      try: () => fs.mkdtemp(path.join(os.tmpdir(), "wp-testkit-")),
      catch: (cause) => ConformanceFailure.make("withTempWorkRoot", `cannot create a temp dir: ${describeCause(cause)}`)
    }),
    (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true, maxRetries: 3 }))
  )
