#!/usr/bin/env node
// The `wpc` launcher. In a git checkout (tsx installed) it runs the TypeScript sources through tsx,
// so no build is needed; in an installed package without tsx it runs the compiled dist/cli/main.js.
import { existsSync } from "node:fs"

const source = new URL("../src/cli/main.ts", import.meta.url)
const compiled = new URL("../dist/cli/main.js", import.meta.url)

const tsx = await import("tsx/esm/api").catch(() => undefined)
if (tsx !== undefined && existsSync(source)) {
  tsx.register()
  await import(source.href)
} else if (existsSync(compiled)) {
  await import(compiled.href)
} else {
  process.stderr.write("wpc: neither tsx (to run src/cli/main.ts) nor dist/cli/main.js (npm run build) is available\n")
  process.exitCode = 1
}
