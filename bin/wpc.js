#!/usr/bin/env node
// The `wpc` launcher.
// - Installed from the package (no src/ inside): runs dist/bin/wpc.mjs, the compiled, bundled CLI
//   (made by `npm run build`, which `npm pack` runs as `prepack`).
// - In a git checkout (src/cli/main.ts present): runs the TypeScript sources through tsx, so `npx wpc`
//   and `npm run wpc` need no build while developing; `node dist/bin/wpc.mjs` runs the build there.
import { existsSync } from "node:fs"

const source = new URL("../src/cli/main.ts", import.meta.url)
const compiled = new URL("../dist/bin/wpc.mjs", import.meta.url)

if (existsSync(source)) {
  const tsx = await import("tsx/esm/api")
  tsx.register()
  await import(source.href)
} else if (existsSync(compiled)) {
  await import(compiled.href)
} else {
  process.stderr.write("wpc: dist/bin/wpc.mjs is missing: this package was packed without its build (npm run build)\n")
  process.exitCode = 1
}
