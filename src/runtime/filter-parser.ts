/**
 * The syntax of the filter language: its expression tree (`Expr`), a parser that stops at the first
 * syntax error and reports its column, and a printer whose output parses back to the same tree.
 *
 * @since 0.1.0
 */

/** What a condition looks at: a tag by name, or the event's source key (`src_key` / `srcKey`). */
export type Key = { readonly _tag: "Tag"; readonly name: string } | { readonly _tag: "SrcKey" }

/** `true` or `false`. */
export interface Const {
  readonly _tag: "Const"
  readonly value: boolean
}

/** `key == "value"` or `key != "value"`. */
export interface Compare {
  readonly _tag: "Compare"
  readonly key: Key
  readonly op: "==" | "!="
  readonly value: string
}

/** `key in ["a", "b"]`, or `key not in [...]` when `negated`. */
export interface In {
  readonly _tag: "In"
  readonly key: Key
  readonly negated: boolean
  readonly values: ReadonlyArray<string>
}

/** `key ~= "regex"`: the regex, compiled once at parse time, finds a match in the value. */
export interface Match {
  readonly _tag: "Match"
  readonly key: Key
  readonly pattern: string
  readonly regex: RegExp
}

/** `exists(key)`. */
export interface Exists {
  readonly _tag: "Exists"
  readonly key: Key
}

/** `!expr`. */
export interface Not {
  readonly _tag: "Not"
  readonly expr: Expr
}

/** `left && right`. */
export interface And {
  readonly _tag: "And"
  readonly left: Expr
  readonly right: Expr
}

/** `left || right`. */
export interface Or {
  readonly _tag: "Or"
  readonly left: Expr
  readonly right: Expr
}

/** A filter expression. */
export type Expr = Const | Compare | In | Match | Exists | Not | And | Or

/** A syntax error: the 0-based UTF-16 `index` of the offending token, what was wrong, and a hint. */
export interface SyntaxError {
  readonly _tag: "SyntaxError"
  readonly index: number
  readonly detail: string
  readonly suggestion?: string | undefined
}

/** `true` when a parse result is a `SyntaxError`. */
export const isSyntaxError = (u: Expr | SyntaxError): u is SyntaxError => u._tag === "SyntaxError"

/** `true`, the expression of the empty filter. */
export const constTrue: Const = { _tag: "Const", value: true }

/** `left && right`. */
export const and = (left: Expr, right: Expr): Expr => ({ _tag: "And", left, right })

// ---------------------------------------------------------------------------------------------
// Lexer

type Punct = "(" | ")" | "[" | "]" | "," | "==" | "!=" | "~=" | "!" | "&&" | "||"

interface Token {
  readonly kind: "word" | "string" | "end" | Punct
  /** The word, the string's value, or the punctuation. */
  readonly text: string
  readonly index: number
}

const fail = (index: number, detail: string, suggestion?: string): SyntaxError =>
  suggestion === undefined ? { _tag: "SyntaxError", index, detail } : { _tag: "SyntaxError", index, detail, suggestion }

const isTokenError = (u: Token | SyntaxError): u is SyntaxError => "_tag" in u

const wordChar = /[\p{L}\p{N}_.-]/u
const escapes: { readonly [c: string]: string } = { "\\": "\\", "\"": "\"", "'": "'", n: "\n", t: "\t", r: "\r" }
const singles: { readonly [c: string]: Punct } = { "(": "(", ")": ")", "[": "[", "]": "]", ",": "," }
/** Two-character operators by first character, with the hint for a first character standing alone. */
const doubles: { readonly [c: string]: readonly [Punct, string | undefined] } = {
  "=": ["==", "use == to compare"],
  "!": ["!=", undefined],
  "~": ["~=", "use ~= to match a regular expression"],
  "&": ["&&", "use && for \"and\""],
  "|": ["||", "use || for \"or\""]
}

/** Reads tokens on demand, so the first error in reading order is the one reported. */
class Lexer {
  private pos = 0
  constructor(private readonly src: string) {}

  next(): Token | SyntaxError {
    const src = this.src
    while (this.pos < src.length && /\s/.test(src[this.pos]!)) this.pos++
    const start = this.pos
    if (start >= src.length) return { kind: "end", text: "", index: start }
    const c = src[start]!
    const single = singles[c]
    if (single !== undefined) {
      this.pos++
      return { kind: single, text: c, index: start }
    }
    const double = doubles[c]
    if (double !== undefined) {
      const [op, hint] = double
      if (src[start + 1] === op[1]) {
        this.pos += 2
        return { kind: op, text: op, index: start }
      }
      if (c === "!") {
        this.pos++
        return { kind: "!", text: "!", index: start }
      }
      return fail(start, `unexpected character ${JSON.stringify(c)}`, hint)
    }
    if (c === "\"" || c === "'") return this.string(c)
    if (wordChar.test(c)) {
      while (this.pos < src.length && wordChar.test(src[this.pos]!)) this.pos++
      return { kind: "word", text: src.slice(start, this.pos), index: start }
    }
    const ch = String.fromCodePoint(src.codePointAt(start)!)
    return fail(start, `unexpected character ${JSON.stringify(ch)}`, "tag keys are made of letters, digits, _, - and .; quote values")
  }

  private string(quote: string): Token | SyntaxError {
    const src = this.src
    const start = this.pos++
    let out = ""
    while (this.pos < src.length) {
      const c = src[this.pos++]!
      if (c === quote) return { kind: "string", text: out, index: start }
      if (c === "\\" && this.pos < src.length) {
        const e = src[this.pos++]!
        // An unknown escape stays as written, so regexes such as "\d+" need no doubling.
        out += escapes[e] ?? `\\${e}`
      } else {
        out += c
      }
    }
    return fail(start, `unterminated string: expected a closing ${quote} but found end of input`)
  }
}

const describe = (t: Token): string =>
  t.kind === "end"
    ? "end of input"
    : t.kind === "string"
    ? `string ${JSON.stringify(t.text.length > 40 ? `${t.text.slice(0, 40)}...` : t.text)}`
    : JSON.stringify(t.text)

// ---------------------------------------------------------------------------------------------
// Parser

const comparisonOps: ReadonlySet<string> = new Set(["==", "!=", "~="])
const connectiveWords: { readonly [w: string]: string } = { and: "use && for \"and\"", or: "use || for \"or\"" }

/** Recursive descent over `or := and {"||" and}; and := unary {"&&" unary}; unary := "!" unary | primary`. */
class Parser {
  private tok: Token = { kind: "end", text: "", index: 0 }
  constructor(private readonly lexer: Lexer) {}

  /** The whole input: an empty one is `true`. */
  run(): Expr | SyntaxError {
    const first = this.advance()
    if (first !== undefined) return first
    if (this.at("end")) return constTrue
    const expr = this.or()
    if (isSyntaxError(expr)) return expr
    if (!this.at("end")) {
      return this.expected(`"&&", "||" or end of input`, this.at("word") ? connectiveWords[this.tok.text] : undefined)
    }
    return expr
  }

  /** Whether the current token is of `kind` (a call, so narrowing does not outlive `advance`). */
  private at(kind: Token["kind"]): boolean {
    return this.tok.kind === kind
  }

  private advance(): SyntaxError | undefined {
    const t = this.lexer.next()
    if (isTokenError(t)) return t
    this.tok = t
    return undefined
  }

  private expected(what: string, suggestion?: string): SyntaxError {
    return fail(this.tok.index, `expected ${what} but found ${describe(this.tok)}`, suggestion)
  }

  /** Consumes a token of `kind`, or fails naming it. */
  private eat(kind: Token["kind"], what = `"${kind}"`, suggestion?: string): SyntaxError | undefined {
    return this.at(kind) ? this.advance() : this.expected(what, suggestion)
  }

  private binary(tag: "And" | "Or", op: "&&" | "||", operand: () => Expr | SyntaxError): Expr | SyntaxError {
    let left = operand()
    while (!isSyntaxError(left) && this.at(op)) {
      const err = this.advance()
      if (err !== undefined) return err
      const right = operand()
      if (isSyntaxError(right)) return right
      left = { _tag: tag, left, right }
    }
    return left
  }

  private or(): Expr | SyntaxError {
    return this.binary("Or", "||", () => this.and())
  }

  private and(): Expr | SyntaxError {
    return this.binary("And", "&&", () => this.unary())
  }

  private unary(): Expr | SyntaxError {
    if (!this.at("!")) return this.primary()
    const err = this.advance()
    if (err !== undefined) return err
    const expr = this.unary()
    return isSyntaxError(expr) ? expr : { _tag: "Not", expr }
  }

  private primary(): Expr | SyntaxError {
    const t = this.tok
    if (t.kind === "(") {
      const err = this.advance()
      if (err !== undefined) return err
      const inner = this.or()
      if (isSyntaxError(inner)) return inner
      return this.eat(")") ?? inner
    }
    if (t.kind !== "word") {
      return this.expected(`a condition (key == "value", key in [...], exists(key), "!", "(", true or false)`)
    }
    const err = this.advance()
    if (err !== undefined) return err
    // Words are keywords only where a condition cannot continue as a comparison.
    const next = this.tok
    if (comparisonOps.has(next.kind) || (next.kind === "word" && (next.text === "in" || next.text === "not"))) {
      return this.comparison(keyOf(t.text))
    }
    if (t.text === "true" || t.text === "false") return { _tag: "Const", value: t.text === "true" }
    if (t.text === "exists" && next.kind === "(") return this.exists()
    if (t.text === "not") return fail(t.index, `expected a condition but found "not"`, "use ! to negate")
    return this.expected(`an operator (==, !=, ~=, in, not in) after ${JSON.stringify(t.text)}`)
  }

  private exists(): Expr | SyntaxError {
    const err = this.advance()
    if (err !== undefined) return err
    const key = this.tok
    if (key.kind !== "word") return this.expected("a tag key inside exists()")
    return this.advance() ?? this.eat(")") ?? { _tag: "Exists", key: keyOf(key.text) }
  }

  private comparison(key: Key): Expr | SyntaxError {
    const op = this.tok
    const err = this.advance()
    if (err !== undefined) return err
    if (op.kind === "word") {
      const negated = op.text === "not"
      if (negated) {
        if (!this.at("word") || this.tok.text !== "in") return this.expected(`"in" after "not"`)
        const err = this.advance()
        if (err !== undefined) return err
      }
      return this.list(key, negated)
    }
    const value = this.tok
    if (value.kind !== "string") {
      return this.expected(
        `a quoted string after ${JSON.stringify(op.text)}`,
        value.kind === "word" ? `quote the value: "${value.text}"` : undefined
      )
    }
    const after = this.advance()
    if (after !== undefined) return after
    if (op.kind === "~=") {
      try {
        return { _tag: "Match", key, pattern: value.text, regex: new RegExp(value.text) }
      } catch (e) {
        const why = (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: \/.*\/\w*: /s, "")
        return fail(value.index, `invalid regular expression ${JSON.stringify(value.text)}: ${why}`)
      }
    }
    return { _tag: "Compare", key, op: op.kind === "!=" ? "!=" : "==", value: value.text }
  }

  private list(key: Key, negated: boolean): Expr | SyntaxError {
    if (!this.at("[")) {
      return this.expected(
        `"[" after "in"`,
        this.at("string") ? `write a list: in [${JSON.stringify(this.tok.text)}]` : undefined
      )
    }
    const values: Array<string> = []
    const open = this.advance()
    if (open !== undefined) return open
    while (!this.at("]")) {
      if (!this.at("string")) {
        return this.expected(values.length === 0 ? `a quoted string or "]"` : `a quoted string`)
      }
      values.push(this.tok.text)
      const err = this.advance()
      if (err !== undefined) return err
      if (this.at(",")) {
        const comma = this.advance()
        if (comma !== undefined) return comma
      } else if (!this.at("]")) {
        return this.expected(`"," or "]"`)
      }
    }
    return this.advance() ?? { _tag: "In", key, negated, values }
  }
}

const keyOf = (name: string): Key => name === "src_key" || name === "srcKey" ? { _tag: "SrcKey" } : { _tag: "Tag", name }

/** Parses filter text into an expression, or the first syntax error. */
export const parse = (text: string): Expr | SyntaxError => new Parser(new Lexer(text)).run()

// ---------------------------------------------------------------------------------------------
// Printer

const quote = (s: string): string =>
  `"${s.replace(/[\\"\n\t\r]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\r" ? "\\r" : `\\${c}`))}"`

const printKey = (key: Key): string => (key._tag === "SrcKey" ? "src_key" : key.name)

const precedence = (e: Expr): number => (e._tag === "Or" ? 1 : e._tag === "And" ? 2 : 3)

const wrap = (e: Expr, min: number): string => (precedence(e) < min ? `(${print(e)})` : print(e))

/** The canonical text of an expression: minimal parentheses, double-quoted strings, `src_key`. */
export const print = (e: Expr): string => {
  switch (e._tag) {
    case "Const":
      return e.value ? "true" : "false"
    case "Compare":
      return `${printKey(e.key)} ${e.op} ${quote(e.value)}`
    case "In":
      return `${printKey(e.key)} ${e.negated ? "not in" : "in"} [${e.values.map(quote).join(", ")}]`
    case "Match":
      return `${printKey(e.key)} ~= ${quote(e.pattern)}`
    case "Exists":
      return `exists(${printKey(e.key)})`
    case "Not":
      return e.expr._tag === "Exists" || e.expr._tag === "Const" || e.expr._tag === "Not"
        ? `!${print(e.expr)}`
        : `!(${print(e.expr)})`
    case "And":
      return `${wrap(e.left, 2)} && ${wrap(e.right, 2)}`
    case "Or":
      return `${wrap(e.left, 1)} || ${wrap(e.right, 1)}`
  }
}
