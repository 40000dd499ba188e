/**
 * `FsReason`: the unified reason of a failed file-system call, from its errno code, with a detail
 * naming the operation and the path.
 *
 * @since 0.1.0
 */
import { SinkError } from "../../errors/sink.js"
import { SourceError } from "../../errors/source.js"
import { UnifiedReason } from "../../errors/unified.js"

/** The errno code of a node fs error (`"ENOENT"`, ...), if it has one. */
export const errnoCode = (cause: unknown): string | undefined => {
  if (typeof cause !== "object" || cause === null || !("code" in cause)) return undefined
  return typeof cause.code === "string" ? cause.code : undefined
}

/** Exhaustion that clears by itself (space freed, quota raised, descriptors closed): retried, not final. */
const transientCodes: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT", "EMFILE", "ENFILE"])

const kindOf = (code: string | undefined): UnifiedReason["kind"] => {
  switch (code) {
    case "ENOENT":
      return "NotFoundError"
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return "PermissionError"
    case "ENOMEM":
      return "ResourceError"
    default:
      return "SystemError"
  }
}

/** A short text of a node fs error: `"ENOTDIR: not a directory"`, or the message of anything else. */
export const describe = (cause: unknown): string => {
  const code = errnoCode(cause)
  const message = cause instanceof Error ? cause.message : String(cause)
  if (code === undefined) return message
  const text = /^[A-Z]+: ([^,]*)/.exec(message)?.[1]
  return text === undefined ? code : `${code}: ${text}`
}

/**
 * The unified reason of `cause`, a failure of `op` on `path`: ENOENT is `NotFoundError`, EACCES/EPERM/EROFS
 * `PermissionError`, ENOSPC/EDQUOT/EMFILE/ENFILE a transient (retryable) `ResourceError`, ENOMEM a final
 * `ResourceError`, anything else `SystemError`.
 */
export const fromError = (op: string, path: string, cause: unknown): UnifiedReason => {
  const code = errnoCode(cause)
  const detail = `${op} ${path}: ${describe(cause)}`
  return code !== undefined && transientCodes.has(code)
    ? UnifiedReason.transientResource(detail)
    : UnifiedReason.of(kindOf(code), detail)
}

/** A `SourceUvs` for a failure of `op` on `path` (curried, for `catch:` handlers). */
export const sourceError = (op: string, path: string) => (cause: unknown): SourceError =>
  SourceError.uvs(fromError(op, path, cause))

/** A `SinkUvs` for a failure of `op` on `path` (curried, for `catch:` handlers). */
export const sinkError = (op: string, path: string) => (cause: unknown): SinkError =>
  SinkError.uvs(fromError(op, path, cause))
