/**
 * `Tags`: an immutable set of `key -> value` strings kept sorted by key, iterated deterministically.
 *
 * @since 0.1.0
 */
import { Either, Equal, Hash, Inspectable, Option } from "effect"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { ConfigError } from "../errors/config.js"

const TypeId: unique symbol = Symbol.for("wp-connector-api/Tags")

/** Sorted `key -> value` string pairs. `set` replaces a key's value; iteration is in key order. */
export interface Tags extends Iterable<readonly [string, string]>, Equal.Equal, Inspectable.Inspectable, Pipeable {
  readonly [TypeId]: typeof TypeId
  /** Keys in ascending order. */
  readonly keys: ReadonlyArray<string>
  /** Values in the order of `keys`. */
  readonly values: ReadonlyArray<string>
}

class TagsImpl implements Tags {
  readonly [TypeId]: typeof TypeId = TypeId
  constructor(readonly keys: ReadonlyArray<string>, readonly values: ReadonlyArray<string>) {}
  *[Symbol.iterator](): Iterator<readonly [string, string]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i]!, this.values[i]!] as const
  }
  [Equal.symbol](that: unknown): boolean {
    if (!isTags(that) || that.keys.length !== this.keys.length) return false
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== that.keys[i] || this.values[i] !== that.values[i]) return false
    }
    return true
  }
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.array([...this.keys, ...this.values]))
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
  toJSON(): unknown {
    return { _id: "Tags", tags: toRecord(this) }
  }
  toString(): string {
    return Inspectable.format(this.toJSON())
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** `true` when `u` is a `Tags`. */
export const isTags = (u: unknown): u is Tags => typeof u === "object" && u !== null && TypeId in u

/** No tags. */
export const empty: Tags = new TagsImpl([], [])

const search = (keys: ReadonlyArray<string>, key: string): number => {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid]! < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Tags with `key` set to `value`, replacing an existing value. */
export const set: {
  (key: string, value: string): (self: Tags) => Tags
  (self: Tags, key: string, value: string): Tags
} = dual(3, (self: Tags, key: string, value: string): Tags => {
  const i = search(self.keys, key)
  if (self.keys[i] === key) {
    if (self.values[i] === value) return self
    const values = self.values.slice()
    values[i] = value
    return new TagsImpl(self.keys, values)
  }
  const keys = self.keys.slice()
  const values = self.values.slice()
  keys.splice(i, 0, key)
  values.splice(i, 0, value)
  return new TagsImpl(keys, values)
})

/** Tags without `key`. */
export const remove: {
  (key: string): (self: Tags) => Tags
  (self: Tags, key: string): Tags
} = dual(2, (self: Tags, key: string): Tags => {
  const i = search(self.keys, key)
  if (self.keys[i] !== key) return self
  const keys = self.keys.slice()
  const values = self.values.slice()
  keys.splice(i, 1)
  values.splice(i, 1)
  return new TagsImpl(keys, values)
})

/** The value of `key`, if set. */
export const get: {
  (key: string): (self: Tags) => Option.Option<string>
  (self: Tags, key: string): Option.Option<string>
} = dual(2, (self: Tags, key: string): Option.Option<string> => {
  const i = search(self.keys, key)
  return self.keys[i] === key ? Option.some(self.values[i]!) : Option.none()
})

/** The value of `key`, or `undefined`: `get` without allocating an `Option`, for hot paths such as filters. */
export const getOrUndefined = (self: Tags, key: string): string | undefined => {
  const i = search(self.keys, key)
  return self.keys[i] === key ? self.values[i] : undefined
}

/** `true` when `key` is set. */
export const has: {
  (key: string): (self: Tags) => boolean
  (self: Tags, key: string): boolean
} = dual(2, (self: Tags, key: string): boolean => self.keys[search(self.keys, key)] === key)

/** How many keys are set. */
export const size = (self: Tags): number => self.keys.length

/** `true` when no key is set. */
export const isEmpty = (self: Tags): boolean => self.keys.length === 0

/** Tags from pairs or a record; a later pair replaces an earlier one with the same key. */
export const make = (input: Iterable<readonly [string, string]> | { readonly [key: string]: string }): Tags => {
  const pairs: Iterable<readonly [string, string]> = Symbol.iterator in input
    ? (input as Iterable<readonly [string, string]>)
    : Object.entries(input)
  const map = new Map<string, string>()
  for (const [k, v] of pairs) map.set(k, v)
  const keys = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return new TagsImpl(keys, keys.map((k) => map.get(k)!))
}

/** Every tag of `that` set on `self` (`that` wins on equal keys). */
export const merge: {
  (that: Tags): (self: Tags) => Tags
  (self: Tags, that: Tags): Tags
} = dual(2, (self: Tags, that: Tags): Tags => (isEmpty(that) ? self : isEmpty(self) ? that : make([...self, ...that])))

/** Tags as a plain record, keys in order. */
export const toRecord = (self: Tags): { readonly [key: string]: string } => {
  const out: Record<string, string> = {}
  for (let i = 0; i < self.keys.length; i++) out[self.keys[i]!] = self.values[i]!
  return out
}

/** Tags as `key:value` strings, in key order. */
export const toStrings = (self: Tags): ReadonlyArray<string> => self.keys.map((k, i) => `${k}:${self.values[i]!}`)

/**
 * Tags from `key:value` strings (the topology files' form); the value may contain `:`.
 * A string without `:` or with an empty key fails with a `ConfigError` naming `where[index]`.
 */
export const fromStrings = (input: ReadonlyArray<string>, where = "tags"): Either.Either<Tags, ConfigError> => {
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i < input.length; i++) {
    const s = input[i]!
    const at = s.indexOf(":")
    if (at <= 0) {
      return Either.left(
        new ConfigError({
          detail: `tag ${JSON.stringify(s)} is not of the form key:value`,
          path: `${where}[${i}]`,
          expected: `"key:value"`,
          suggestion: at === 0 ? "give the tag a key before ':'" : `write it as "${s}:<value>"`
        })
      )
    }
    pairs.push([s.slice(0, at).trim(), s.slice(at + 1).trim()])
  }
  return Either.right(make(pairs))
}
