import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each worker process runs many test files and loads the modules they share (effect, the library,
    // the clients) once, not once per file: collecting took 42 s of a 181 s run with one fresh process
    // per file (docs/performance.md, "Test suite time"). The tests keep no state between files: every
    // resource lives in a test's Scope, module-level state is per test (fresh names, scratch dirs
    // removed in afterAll), signal handlers are removed with their Scope, and nothing is mocked.
    pool: "forks",
    isolate: false,
    // transpiles src/ and test/ once, for the tests that spawn wpc or a helper process (see the file)
    globalSetup: ["test/global-setup.ts"]
  }
})
