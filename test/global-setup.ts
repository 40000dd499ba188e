/**
 * Vitest's global setup: transpiles `src/` and `test/` to JavaScript once per run, file by file as
 * `npm run build` lays out `dist/`, into a fresh directory under `.tmp/` (git-ignored), removed when the
 * run ends and rebuilt when watch mode reruns. Tests that spawn `wpc` or a helper process start that
 * JavaScript instead of loading every module through tsx's loader hooks: 1.2 s of CPU per start instead
 * of 2.7 s on a 2-core machine (docs/performance.md, "Test suite time"). `test/cli/bin.test.ts` still
 * runs the real launcher, `bin/wpc.js`.
 */
import { build } from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** The directory holding this run's transpiled `src/` and `test/` (see test/global-setup.ts). */
    readonly jsBuild: string
  }
}

const repo = path.join(import.meta.dirname, "..")

/** The TypeScript files under `dir` (relative to the repository), as absolute paths. */
const sources = (dir: string): Array<string> =>
  fs.readdirSync(path.join(repo, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(repo, dir, f))

/** Transpiles every source into `outdir` (emptied first); fails the run on a syntax error. */
const transpile = async (outdir: string): Promise<void> => {
  fs.rmSync(outdir, { recursive: true, force: true })
  await build({
    entryPoints: [...sources("src"), ...sources("test")],
    outdir,
    outbase: repo,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error"
  })
}

/** Builds the JavaScript copy and provides its directory as `jsBuild`; the teardown removes it. */
export default async function setup(project: TestProject): Promise<() => void> {
  fs.mkdirSync(path.join(repo, ".tmp"), { recursive: true })
  // under the repository, so the copy resolves node_modules like the sources do; one per run, so
  // concurrent runs never share one
  const outdir = fs.mkdtempSync(path.join(repo, ".tmp", "test-build-"))
  await transpile(outdir)
  project.provide("jsBuild", outdir)
  project.onTestsRerun(() => transpile(outdir))
  return () => fs.rmSync(outdir, { recursive: true, force: true })
}
