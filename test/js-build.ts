/**
 * The run's JavaScript copy of the repository (made by test/global-setup.ts): what tests spawn, so a
 * child process does not load every module through tsx.
 */
import * as path from "node:path"
import { inject } from "vitest"

const repo = path.join(import.meta.dirname, "..")

/** The directory of this run's transpiled `src/` and `test/`. */
export const jsBuild: string = inject("jsBuild")

/** The transpiled JavaScript of `file`, a TypeScript file of this repository. */
export const transpiled = (file: string): string => path.join(jsBuild, path.relative(repo, file).replace(/\.ts$/, ".js"))

/** `wpc`'s entry point, transpiled: `node <wpcMain> run ...` is `wpc run ...`. */
export const wpcMain: string = transpiled(path.join(repo, "src", "cli", "main.ts"))
