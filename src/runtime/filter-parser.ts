/**
 * The syntax of the filter language: its expression tree (`Expr`), a parser that stops at the first
 * syntax error and reports its column, and a printer whose output parses back to the same tree.
 *
 * @since 0.1.0
 */

/**
 * What a condition looks at: a bare `name` (the record field of that name when the event has one, else
 * the tag), an explicit tag (`#name`), an explicit record field (`$name`, `$http.status`, with the 1-based
 * column where it was written, for errors found after parsing), or the event's source key (`src_key`).
 */
export type Key =
  | { readonly _tag: "Name"; readonly name: string }
  | { readonly _tag: "Tag"; readonly name: string }
  | { readonly _tag: "Field"; readonly path: string; readonly column?: number | undefined }
  | { readonly _tag: "SrcKey" }

/** `true` or `false`. */
export interface Const {
  readonly _tag: "Const"
  readonly value: boolean
}

/** `key == "value"` or `key != "value"`: compares the value's text. */
export interface Compare {
  readonly _tag: "Compare"
  readonly key: Key
  readonly op: "==" | "!="
  readonly value: string
}

/** A number as written in a filter (`500`, `-1.5`, `2e3`): an integer is a `bigint`, kept exact. */
export interface NumberLiteral {
  readonly text: string
  readonly value: number | bigint
}

/** `key >= 500` (or `==`, `!=`, `<`, `<=`, `>`): compares the value as a number. */
export interface NumCompare {
  readonly _tag: "NumCompare"
  readonly key: Key
  readonly op: "==" | "!=" | "<" | "<=" | ">" | ">="
  readonly number: NumberLiteral
}

/** `key starts_with "v"`, `key ends_with "v"`, `key contains "v"`: tests the value's text. */
export interface TextTest {
  readonly _tag: "TextTest"
  readonly key: Key
  readonly op: "starts_with" | "ends_with" | "contains"
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
export type Expr = Const | Compare | NumCompare | TextTest | In | Match | Exists | Not | And | Or

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

/** Code points before a UTF-16 index, plus one: the 1-based column people count. */
export const columnAt = (text: string, index: number): number => {
  let column = 1
  for (const _ of text.slice(0, index)) column++
  return column
}

// ---------------------------------------------------------------------------------------------
// Lexer

type Punct = "(" | ")" | "[" | "]" | "," | "==" | "!=" | "~=" | "!" | "&&" | "||" | "<" | "<=" | ">" | ">="

interface Token {
  /** `field` is `$name`, `tag` is `#name`: their text is the name. */
  readonly kind: "word" | "string" | "field" | "tag" | "end" | Punct
  /** The word, the string's value, the name after a sigil, or the punctuation. */
  readonly text: string
  readonly index: number
}

const fail = (index: number, detail: string, suggestion?: string): SyntaxError =>
  suggestion === undefined ? { _tag: "SyntaxError", index, detail } : { _tag: "SyntaxError", index, detail, suggestion }

const isTokenError = (u: Token | SyntaxError): u is SyntaxError => "_tag" in u

const wordChar = /[\p{L}\p{N}_.-]/u
const wordText = /^[\p{L}\p{N}_.-]+$/u
const escapes: { readonly [c: string]: string } = { "\\": "\\", "\"": "\"", "'": "'", n: "\n", t: "\t", r: "\r" }
const singles: { readonly [c: string]: Punct } = { "(": "(", ")": ")", "[": "[", "]": "]", ",": "," }
/** Two-character operators by first character, with the hint for a first character standing alone. */
const doubles: { readonly [c: string]: readonly [Punct, string | undefined] } = {
  "=": ["==", "use == to compare"],
  "!": ["!=", undefined],
  "~": ["~=", "use ~= to match a regular expression"],
  "&": ["&&", "use && for \"and\""],
  "|": ["||", "use || for \"or\""],
  "<": ["<=", undefined],
  ">": [">=", undefined]
}
/** The characters that stand alone as an operator when no `=` follows. */
const alone: { readonly [c: string]: Punct } = { "!": "!", "<": "<", ">": ">" }
const sigils: { readonly [c: string]: readonly ["field" | "tag", string] } = { "$": ["field", "a field name"], "#": ["tag", "a tag key"] }

/** Reads tokens on demand, so the first error in reading order is the one reported. */
class Lexer {
  private pos = 0
  constructor(readonly src: string) {}

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
      const one = alone[c]
      if (one !== undefined) {
        this.pos++
        return { kind: one, text: c, index: start }
      }
      return fail(start, `unexpected character ${JSON.stringify(c)}`, hint)
    }
    if (c === "\"" || c === "'") return this.string(c)
    const sigil = sigils[c]
    if (sigil !== undefined) return this.sigil(sigil[0], sigil[1])
    if (wordChar.test(c)) return { kind: "word", text: this.word(), index: start }
    const ch = String.fromCodePoint(src.codePointAt(start)!)
    return fail(start, `unexpected character ${JSON.stringify(ch)}`, "tag keys are made of letters, digits, _, - and .; quote values")
  }

  private word(): string {
    const start = this.pos
    while (this.pos < this.src.length && wordChar.test(this.src[this.pos]!)) this.pos++
    return this.src.slice(start, this.pos)
  }

  /** `$name` / `#name`, or `$"a b"`: the sigil, then a word or a quoted string right after it. */
  private sigil(kind: "field" | "tag", what: string): Token | SyntaxError {
    const start = this.pos++
    const c = this.src[this.pos]
    if (c === "\"" || c === "'") {
      const name = this.string(c)
      if (isTokenError(name)) return name
      if (name.text.length === 0) return fail(start, `expected ${what} after ${JSON.stringify(this.src[start])} but found an empty string`)
      return { kind, text: name.text, index: start }
    }
    if (c === undefined || !wordChar.test(c)) {
      const sign = this.src[start]!
      return fail(start, `expected ${what} after ${JSON.stringify(sign)}`, `write ${sign}name, or ${sign}"name" for a name with other characters`)
    }
    return { kind, text: this.word(), index: start }
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
    : t.kind === "field" || t.kind === "tag"
    ? JSON.stringify(`${t.kind === "field" ? "$" : "#"}${t.text}`)
    : JSON.stringify(t.text)

// ---------------------------------------------------------------------------------------------
// Parser

type Op = NumCompare["op"]

const orderOps: ReadonlySet<string> = new Set(["<", "<=", ">", ">="])
const comparisonOps: ReadonlySet<string> = new Set(["==", "!=", "~=", "<", "<=", ">", ">="])
const operatorWords: ReadonlySet<string> = new Set(["in", "not", "starts_with", "ends_with", "contains"])
const connectiveWords: { readonly [w: string]: string } = { and: "use && for \"and\"", or: "use || for \"or\"" }
const numberText = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE]-?[0-9]+)?$/
const integerText = /^-?[0-9]+$/
const operators = "==, !=, <, <=, >, >=, ~=, in, not in, starts_with, ends_with, contains"

/** The number a word spells, if it spells one (`500`, `-2`, `1.5`, `1e3`). */
const numberOf = (text: string): NumberLiteral | undefined =>
  numberText.test(text) ? { text, value: integerText.test(text) ? BigInt(text) : Number(text) } : undefined

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

  /** Whether the current token continues a condition as its operator. */
  private atOperator(): boolean {
    return comparisonOps.has(this.tok.kind) || (this.tok.kind === "word" && operatorWords.has(this.tok.text))
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
    if (t.kind === "field" || t.kind === "tag") {
      const err = this.advance()
      if (err !== undefined) return err
      if (this.atOperator()) return this.comparison(this.keyOf(t))
      return this.expected(`an operator (${operators}) after ${describe(t)}`)
    }
    if (t.kind !== "word") {
      return this.expected(`a condition (key == "value", key in [...], exists(key), "!", "(", true or false)`)
    }
    const err = this.advance()
    if (err !== undefined) return err
    // Words are keywords only where a condition cannot continue as a comparison.
    if (this.atOperator()) return this.comparison(this.keyOf(t))
    if (t.text === "true" || t.text === "false") return { _tag: "Const", value: t.text === "true" }
    if (t.text === "exists" && this.at("(")) return this.exists()
    if (t.text === "not") return fail(t.index, `expected a condition but found "not"`, "use ! to negate")
    return this.expected(`an operator (${operators}) after ${JSON.stringify(t.text)}`)
  }

  /** The key a word, `$name` or `#name` token names. */
  private keyOf(t: Token): Key {
    if (t.kind === "field") return { _tag: "Field", path: t.text, column: columnAt(this.lexer.src, t.index) }
    if (t.kind === "tag") return { _tag: "Tag", name: t.text }
    return t.text === "src_key" || t.text === "srcKey" ? { _tag: "SrcKey" } : { _tag: "Name", name: t.text }
  }

  private exists(): Expr | SyntaxError {
    const err = this.advance()
    if (err !== undefined) return err
    const key = this.tok
    if (key.kind !== "word" && key.kind !== "field" && key.kind !== "tag") return this.expected("a key inside exists()")
    return this.advance() ?? this.eat(")") ?? { _tag: "Exists", key: this.keyOf(key) }
  }

  private comparison(key: Key): Expr | SyntaxError {
    const op = this.tok
    const err = this.advance()
    if (err !== undefined) return err
    if (op.kind === "word") {
      if (op.text === "in") return this.list(key, false)
      if (op.text === "not") {
        if (!this.at("word") || this.tok.text !== "in") return this.expected(`"in" after "not"`)
        return this.advance() ?? this.list(key, true)
      }
      return this.text(key, op.text as TextTest["op"])
    }
    const value = this.tok
    const number = value.kind === "word" ? numberOf(value.text) : undefined
    if (orderOps.has(op.kind) || (number !== undefined && op.kind !== "~=")) {
      if (number === undefined) {
        return this.expected(
          `a number after ${JSON.stringify(op.text)}`,
          value.kind === "string" && numberOf(value.text) !== undefined ? `write the number unquoted: ${value.text}` : undefined
        )
      }
      return this.advance() ?? { _tag: "NumCompare", key, op: op.kind as Op, number }
    }
    if (value.kind !== "string") {
      return this.expected(
        op.kind === "~=" ? `a quoted string after "~="` : `a quoted string or a number after ${JSON.stringify(op.text)}`,
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

  /** The quoted string after `starts_with`, `ends_with` or `contains`. */
  private text(key: Key, op: TextTest["op"]): Expr | SyntaxError {
    const value = this.tok
    if (value.kind !== "string") {
      return this.expected(`a quoted string after ${JSON.stringify(op)}`, value.kind === "word" ? `quote the value: "${value.text}"` : undefined)
    }
    return this.advance() ?? { _tag: "TextTest", key, op, value: value.text }
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
        return this.expected(
          values.length === 0 ? `a quoted string or "]"` : `a quoted string`,
          this.at("word") && numberOf(this.tok.text) !== undefined ? `quote it: "${this.tok.text}" (in compares text)` : undefined
        )
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

/** Parses filter text into an expression, or the first syntax error. */
export const parse = (text: string): Expr | SyntaxError => new Parser(new Lexer(text)).run()

// ---------------------------------------------------------------------------------------------
// Printer

const quote = (s: string): string =>
  `"${s.replace(/[\\"\n\t\r]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : c === "\r" ? "\\r" : `\\${c}`))}"`

/** A name after a sigil: bare when it is a word, else quoted. */
const sigilName = (sigil: string, name: string): string => `${sigil}${wordText.test(name) ? name : quote(name)}`

const printKey = (key: Key): string => {
  switch (key._tag) {
    case "SrcKey":
      return "src_key"
    case "Name":
      return key.name
    case "Tag":
      return sigilName("#", key.name)
    case "Field":
      return sigilName("$", key.path)
  }
}

const precedence = (e: Expr): number => (e._tag === "Or" ? 1 : e._tag === "And" ? 2 : 3)

const wrap = (e: Expr, min: number): string => (precedence(e) < min ? `(${print(e)})` : print(e))

/** The canonical text of an expression: minimal parentheses, double-quoted strings, `src_key`. */
export const print = (e: Expr): string => {
  switch (e._tag) {
    case "Const":
      return e.value ? "true" : "false"
    case "Compare":
    case "TextTest":
      return `${printKey(e.key)} ${e.op} ${quote(e.value)}`
    case "NumCompare":
      return `${printKey(e.key)} ${e.op} ${e.number.text}`
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
