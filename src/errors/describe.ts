/**
 * Turning an arbitrary failure into the short text that error details carry.
 *
 * @since 0.1.0
 */

/** The message of an `Error`, the text of a string, or a JSON-ish rendering of anything else. */
export const describeCause = (cause: unknown): string => {
  if (typeof cause === "string") return cause
  if (cause instanceof Error) return cause.message.length > 0 ? cause.message : cause.name
  if (typeof cause === "object" && cause !== null) {
    const message = (cause as { readonly message?: unknown }).message
    if (typeof message === "string" && message.length > 0) return message
    try {
      return JSON.stringify(cause)
    } catch {
      return String(cause)
    }
  }
  return String(cause)
}

/** `"[code Reason] detail"`, the message format shared by every coded error. */
export const codedMessage = (code: number, reason: string, detail: string | undefined): string =>
  detail === undefined || detail.length === 0 ? `[${code} ${reason}]` : `[${code} ${reason}] ${detail}`
