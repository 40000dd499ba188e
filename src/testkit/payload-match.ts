/**
 * Comparing what a connector produced with what was expected: payloads match by content (text and
 * bytes alike, as UTF-8 bytes), and a mismatch is described by where it starts.
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import * as RawData from "../model/raw.js"

const maxShown = 40
const maxListed = 8

/** A short rendering of a payload: quoted text, or `bytes[ff fe 00]` when it is not UTF-8. */
export const show = (payload: RawData.RawData): string => {
  const text = RawData.textStrict(payload)
  if (text !== undefined) return JSON.stringify(text.length > maxShown ? `${text.slice(0, maxShown)}…` : text)
  const bytes = RawData.bytes(payload)
  const hex = Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join(" ")
  return `bytes[${hex}${bytes.length > 16 ? " …" : ""}]`
}

/** A short rendering of a list of payloads: the first few, or (`from`) a few from index `from` on. */
export const showAll = (payloads: ReadonlyArray<RawData.RawData>, from = 0): string => {
  const start = Math.max(0, Math.min(from, payloads.length))
  const shown = payloads.slice(start, start + maxListed).map(show)
  if (start > 0) shown.unshift(`… ${start} before`)
  if (payloads.length > start + maxListed) shown.push(`… ${payloads.length - start - maxListed} more`)
  return `[${shown.join(", ")}]`
}

/** `true` when both payloads hold the same bytes (a string counts as its UTF-8 encoding). */
export const same = (a: RawData.RawData, b: RawData.RawData): boolean => {
  if (typeof a === "string" && typeof b === "string") return a === b
  return Buffer.from(RawData.bytes(a)).equals(RawData.bytes(b))
}

/** The index of the first payload of `expected` that `got` does not match, or of the first extra one. */
export const mismatchAt = (expected: ReadonlyArray<RawData.RawData>, got: ReadonlyArray<RawData.RawData>): Option.Option<number> => {
  const n = Math.min(expected.length, got.length)
  for (let i = 0; i < n; i++) if (!same(expected[i]!, got[i]!)) return Option.some(i)
  return expected.length === got.length ? Option.none() : Option.some(n)
}

/**
 * `None` when `got` equals `expected` payload by payload; otherwise what differs, e.g.
 * `at #1 expected "b" but got "c" (expected ["a", "b"], got ["a", "c"])`; long lists are shown from
 * two payloads before the mismatch (`[… 14 before, ...]`).
 */
export const difference = (
  expected: ReadonlyArray<RawData.RawData>,
  got: ReadonlyArray<RawData.RawData>
): Option.Option<string> =>
  Option.map(mismatchAt(expected, got), (i) => {
    const from = Math.max(0, i - 2) // a long list is shown around the mismatch
    const both = `(expected ${showAll(expected, from)}, got ${showAll(got, from)})`
    if (i >= got.length) return `${expected.length - got.length} missing from #${i}: got ${got.length} of ${expected.length} ${both}`
    if (i >= expected.length) return `${got.length - expected.length} extra from #${i}, first ${show(got[i]!)} ${both}`
    const later = got.findIndex((g, j) => j > i && same(g, expected[i]!))
    const what = later > i ? ` (it came later, at #${later}: out of order)` : ""
    return `at #${i} expected ${show(expected[i]!)} but got ${show(got[i]!)}${what} ${both}`
  })
