/**
 * "Did you mean ...?": the known name nearest to a mistyped one, by edit distance.
 *
 * @since 0.1.0
 */
import { Option } from "effect"

/** The Levenshtein distance between two strings. */
export const distance = (a: string, b: string): number => {
  if (a === b) return 0
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]!
}

/** The known name closest to `input`, if one is close enough to be a likely typo. */
export const nearest = (input: string, known: Iterable<string>): Option.Option<string> => {
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of known) {
    const d = distance(input.toLowerCase(), name.toLowerCase())
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3))
  return best !== undefined && bestDistance <= limit ? Option.some(best) : Option.none()
}

/** `did you mean "x"?` for the nearest known name, or `undefined`. */
export const didYouMean = (input: string, known: Iterable<string>): string | undefined =>
  Option.match(nearest(input, known), { onNone: () => undefined, onSome: (n) => `did you mean "${n}"?` })
