/**
 * `npm run build` (and `prepack`): lays out `dist/` from scratch.
 * - `tsc -p tsconfig.build.json`: the library, module by module, with declarations (`import
 *   "wp-connector-api"` and the testkit entry points; `effect` stays a shared peer of the application).
 * - esbuild: `dist/bin/wpc.mjs`, the `wpc` executable as one tree-shaken ES module (effect, @effect/cli,
 *   @effect/platform-node and the library inside; parsing one file instead of ~1,000 modules is what
 *   makes `wpc --version` start in a fraction of the time). The connectors' client libraries and tsx
 *   stay imports of the installed packages, loaded only when a connector of that kind (or a TypeScript
 *   processor) is built.
 *
 * Three packages the bundle would carry but `wpc` never calls are left out (`unbundled`): their imports
 * resolve to a module that fails when called (docs/performance.md, "Footprint").
 *
 * `--bundle-only` makes the bundle alone (what `bench/cold-start.ts` and `bench/footprint.ts` run).
 * Plain JavaScript, so a clean clone builds with nothing but `npm ci`.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")

/** Packages the bundle imports at run time instead of containing: loaded on first use (see the connectors' `client.ts`). */
const external = ["nats", "ioredis", "mysql2", "mysql2/*", "pg", "tsx", "tsx/*"]

/**
 * Packages the bundle leaves out: `yaml` and `toml` parse @effect/cli's file arguments
 * (`Options.fileParse`, `Args.fileParse`), which `wpc` has none of; `fast-check` is effect's `FastCheck`
 * and `Arbitrary` (property tests). Together 0.35 MB of the bundle's 2.1 MB, parsed and evaluated at
 * every start for nothing (about 2 MB of an idle `wpc run`'s RSS).
 */
const unbundled = ["yaml", "toml", "fast-check"]

/** The module each `unbundled` import resolves to: any use fails, naming the package. */
const unbundledModule = (name) =>
  `const missing = () => { throw new Error(${JSON.stringify(`wpc: the "${name}" package is not part of the wpc bundle (scripts/build.mjs, unbundled)`)}) }\n` +
  "export const parse = missing\nexport default new Proxy({}, { get: missing })\n"

/** The esbuild plugin that resolves the `unbundled` packages to `unbundledModule`. */
const leaveOut = {
  name: "unbundled",
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${unbundled.join("|")})$`) }, (args) => ({ path: args.path, namespace: "unbundled" }))
    b.onLoad({ filter: /.*/, namespace: "unbundled" }, (args) => ({ contents: unbundledModule(args.path), loader: "js" }))
  }
}

/**
 * The bundle's first statements: `require` for the CommonJS code inside, and V8's optimizing compiler off
 * (unless node was given a flag for it) before the bundle's top level runs: set later (by `Heap.configure`
 * in main.ts), an idle `wpc run` holds 3 MB more, the compiler's machine code paged in while the bundle's
 * modules were evaluated (measured: 64 MB against 61). `Heap.warm` turns it back on once work starts.
 */
const banner = [
  "import { createRequire as __wpcRequire } from \"node:module\"; const require = __wpcRequire(import.meta.url);",
  "import * as __wpcV8 from \"node:v8\";",
  "if (!process.execArgv.some((a) => /^--(no[-_])?(turbofan|opt)(=|$)/.test(a))) __wpcV8.setFlagsFromString(\"--no-turbofan\");"
].join(" ")

if (!process.argv.includes("--bundle-only")) {
  fs.rmSync(path.join(root, "dist"), { recursive: true, force: true })
  execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" })
}
await build({
  entryPoints: [path.join(root, "src", "cli", "main.ts")],
  outfile: path.join(root, "dist", "bin", "wpc.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external,
  plugins: [leaveOut],
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "linked",
  banner: { js: banner },
  logLevel: "warning"
})
