/**
 * `Table`: plain-text tables for the terminal — a header row and aligned columns.
 *
 * @since 0.1.0
 */

/** Renders `rows` under `headers`, columns padded to their widest cell (the last column is not padded). */
export const render = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const all = [headers, ...rows]
  const widths = headers.map((_, c) => Math.max(...all.map((row) => (row[c] ?? "").length)))
  return all
    .map((row) =>
      headers.map((_, c) => {
        const cell = row[c] ?? ""
        return c === headers.length - 1 ? cell : cell.padEnd(widths[c]!)
      }).join("  ").trimEnd()
    )
    .join("\n")
}
