/**
 * Custom processors: a project's own TypeScript or JavaScript module that exports a processor. `wpc run`
 * imports it from the work root (TypeScript without a build step: when no TypeScript loader is active, tsx's
 * is registered once). The module's `default` (or `processor`) export is either a `Processor` (made with
 * `Processor.sync` / `Processor.effect`), whose name and `on_error` the project entry sets, or a
 * `ProcessorKind` (made with `ProcessorKind.sync` or by hand), whose params the entry's `params` are
 * decoded by.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type * as ParamMap from "../config/param.js"
import { ConfigError } from "../errors/config.js"
import { describeCause } from "../errors/describe.js"
import type * as Processor from "./processor.js"
import type * as ProcessorKind from "./processor-kind.js"

/** What the project entry of a custom processor gives. */
export interface CustomOptions {
  /** The module's path, relative to the work root (or absolute). */
  readonly module: string
  readonly name: string
  readonly onError: Processor.OnError
  readonly params: ParamMap.ParamMap
  /** The key path of the entry, for errors (`processors[0]`). */
  readonly where: string
}

const isRecord = (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null

const isProcessor = (u: unknown): u is Processor.Processor =>
  isRecord(u) && (u["_tag"] === "Sync" || u["_tag"] === "Effect") && typeof u["step"] === "function"

const isKind = (u: unknown): u is ProcessorKind.ProcessorKind => isRecord(u) && typeof u["build"] === "function" && u["params"] !== undefined

const typeScript = /\.(c|m)?tsx?$/

let tsLoader: Promise<void> | undefined

/** Registers tsx's loader once, for a TypeScript module imported where no TypeScript loader is active. */
const registerTs = (): Promise<void> =>
  (tsLoader ??= import("tsx/esm/api").then((tsx) => void tsx.register()))

/**
 * Imports `file`; a TypeScript file that Node cannot load by itself is loaded through tsx. Node
 * remembers a failed import of a URL (the same URL fails again once tsx is registered), so the retry
 * imports the file under a URL with a query: the installed, compiled `wpc` takes this path.
 */
const importModule = async (file: string): Promise<unknown> => {
  const url = pathToFileURL(file).href
  try {
    return await import(url)
  } catch (cause) {
    if (!typeScript.test(file) || (cause as { readonly code?: unknown }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw cause
    await registerTs()
    return await import(`${url}?tsx`)
  }
}

/** Imports the module of a custom processor and builds the processor it exports. */
export const load = (options: CustomOptions, ctx: ProcessorKind.ProcessorBuildCtx): Effect.Effect<Processor.Processor, ConfigError> =>
  Effect.gen(function*() {
    const file = path.resolve(ctx.workRoot, options.module)
    const at = `${options.where}.module`
    const module = yield* Effect.tryPromise({
      try: () => importModule(file),
      catch: (cause) =>
        new ConfigError({
          detail: `cannot load the processor module ${file}: ${describeCause(cause)}`,
          path: at,
          expected: "a TypeScript or JavaScript module under the work root that exports a processor",
          cause
        })
    })
    const exported = isRecord(module) ? module["default"] ?? module["processor"] : undefined
    if (isProcessor(exported)) {
      if (Object.keys(options.params).length > 0) {
        return yield* new ConfigError({
          detail: `the module ${options.module} exports a processor that takes no params`,
          path: `${options.where}.params`,
          suggestion: "remove params, or export a ProcessorKind (ProcessorKind.sync) with a params Schema"
        })
      }
      return { ...exported, name: options.name, onError: options.onError }
    }
    if (isKind(exported)) {
      return yield* exported.build({ name: options.name, onError: options.onError, params: options.params, where: options.where }, ctx)
    }
    return yield* new ConfigError({
      detail: `the module ${options.module} exports no processor`,
      path: at,
      expected: "a default (or `processor`) export made with Processor.sync, Processor.effect or ProcessorKind.sync",
      suggestion: "export default Processor.sync({ kind: \"nginx\" }, (event) => ...)"
    })
  })
