'use strict';
// The Milvus 2.5 boolean filter language (Plan.g4 and planparserv2 on the 2.5 branch), as the stateful peer reads
// and evaluates it. It follows the filter corpus taken from Milvus's own tests
// (tests/MilvusOps.Engine.Tests/Filtering/Corpus, run by ../filter-corpus.js), the same cases the embedded store
// follows: one reading of the language, checked in two places.
//
//   - Parsing and checking follow the 2.5 parser: constants fold (`**` included; int op int stays an integer),
//     a constant may not stand left of `in`, arithmetic takes one field and one constant (`2 % field` and
//     `field + field` are refused), array_length is compared only, a JSON key is never empty, a string's escapes
//     are Go's (octal \367 is a byte; \% is not an escape). What the 2.5 parser accepts but Milvus fails to run is
//     refused too: a constant predicate (`1 < 2`, `not false`), an `in` list or range bounds of mixed types on a
//     JSON key, a JSON value compared with another field, a nested list where a flat one is compared, unregistered
//     functions (only empty(VARCHAR) and starts_with(VARCHAR, VARCHAR) are), text_match (no analyzers here).
//   - Templates: `{name}` takes the value sent beside the expression (expr_template_values), as a literal of its
//     type; a missing value is Milvus's "the value of expression template variable name {name} is not found".
//   - Evaluation is three-valued: a comparison with a null field (or any key of a null JSON field) is NULL; NOT NULL
//     is NULL, NULL AND FALSE is FALSE, NULL OR TRUE is TRUE, and a row matches when the filter is TRUE. `exists`
//     and `is [not] null` are never NULL. (2.5's executor is rougher: and/or keep the first operand's validity; the
//     corpus pins NOT over a null comparison, where both agree, and Milvus 2.6 is Kleene.)
//   - JSON, as the 2.5 executor reads it: a missing key, a JSON null or a value of another type makes a comparison
//     false, except `!=`, which is then true (a list compared with `!=` needs an array); `exists` is false for a JSON
//     null; array_length of a missing key or a non-array is 0; numbers compare as numbers whether written 1 or 1.0
//     (the peer keeps no distinction: a whole JSON number is an integer for integer arithmetic).
//   - like runs as 2.5 runs it: text with % only at its ends is an equality, prefix, suffix or substring test,
//     anything else a regular expression (likeMatcher).
//
// Any error is a FilterError; the caller answers Milvus's "cannot parse expression" Status (code 1100).

class FilterError extends Error {}

const fail = (message) => {
  throw new FilterError(message);
};

const INT64_MAX = 2n ** 63n - 1n;

// ------------------------------------------------------------------ tokens

const isIdStart = (c) => /[A-Za-z_]/.test(c);
const isIdPart = (c) => /[A-Za-z_0-9]/.test(c);
const isDigit = (c) => c >= '0' && c <= '9';

const OPERATORS = ['**', '==', '!=', '<=', '>=', '<<', '>>', '&&', '||', '(', ')', '[', ']', '{', '}', ',', '+', '-',
  '*', '/', '%', '!', '<', '>', '&', '|', '^', '~'];
const BITWISE = ['<<', '>>', '&', '|', '^', '~'];
const SYMBOLS = { '&&': 'and', '||': 'or', '!': 'not' };
// Keywords are all lower or all upper case; `is null` and `is not null` are single tokens with one space.
const KEYWORDS = ['and', 'or', 'not', 'in', 'like', 'exists', 'json_contains', 'json_contains_all', 'json_contains_any',
  'array_contains', 'array_contains_all', 'array_contains_any', 'array_length', 'text_match', 'phrase_match'];
const NULL_TESTS = [['is not null', 'isnotnull'], ['IS NOT NULL', 'isnotnull'], ['is null', 'isnull'], ['IS NULL', 'isnull']];
const BOOLEANS = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };

function tokenize(s) {
  const tokens = [];
  let i = 0;
  const push = (kind, start, extra) => tokens.push({ kind, pos: start, text: s.slice(start, i), ...extra });
  while (true) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) {
      tokens.push({ kind: 'end', pos: s.length, text: '' });
      return tokens;
    }
    const start = i;
    const c = s[i];
    const nullTest = NULL_TESTS.find(([text]) => s.startsWith(text, i));
    if (nullTest) {
      i += nullTest[0].length;
      push(nullTest[1], start);
    } else if (isIdStart(c) || (c === '$' && s.startsWith('$meta', i))) {
      i += c === '$' ? 5 : 1;
      while (c !== '$' && i < s.length && isIdPart(s[i])) i++;
      const name = s.slice(start, i);
      const path = readPath(s, i);
      if (path) {
        i = path.end;
        push('path', start, { name, keys: path.keys });
      } else if (name in BOOLEANS) {
        push('bool', start, { value: BOOLEANS[name] });
      } else if (KEYWORDS.includes(name) || KEYWORDS.includes(name.toLowerCase()) && name === name.toUpperCase()) {
        push(name.toLowerCase(), start);
      } else {
        push('id', start, { name });
      }
    } else if (isDigit(c) || (c === '.' && isDigit(s[i + 1] || ''))) {
      const t = readNumber(s, i);
      i = t.end;
      push(t.kind, start, { value: t.value });
    } else if (c === '"' || c === "'") {
      const t = readString(s, i);
      i = t.end;
      push('string', start, { value: t.value });
    } else {
      const op = OPERATORS.find((text) => s.startsWith(text, i));
      if (!op) fail(c === '=' ? `'=' at ${i} is not an operator (use '==')` : `unexpected character '${c}' at ${i}`);
      if (BITWISE.includes(op)) fail(`the bitwise operator '${op}' is not supported`);
      i += op.length;
      push(SYMBOLS[op] || op, start);
    }
  }
}

// The keys glued to a field name (`f["a"][0]`, the lexer's JSONIdentifier) as JSON pointer segments: decimal
// indexes, and quoted keys as written between the quotes. Milvus matches that text against the document's key as
// written in its JSON text (simdjson compares keys unescaped), so a key is read as a JSON string here (\" \\ \uXXXX),
// to match the peer's parsed documents; text that is not a JSON string body is kept as it is. Null when no
// complete `[key]` follows.
function readPath(s, i) {
  const keys = [];
  while (s[i] === '[') {
    const quote = s[i + 1];
    let key;
    let end;
    if (quote === '"' || quote === "'") {
      end = readString(s, i + 1, true).end;
      key = s.slice(i + 2, end - 1);
      try {
        key = JSON.parse(`"${key}"`);
      } catch (e) {
        // not a JSON string body (\' for instance): Milvus compares it as written
      }
    } else {
      const m = /^(0|[1-9][0-9]*)/.exec(s.slice(i + 1));
      if (!m) break;
      key = m[0];
      end = i + 1 + key.length;
    }
    if (s[end] !== ']') break;
    if (key === '') fail(`a JSON key cannot be empty (at ${i})`);
    keys.push(key);
    i = end + 1;
  }
  return keys.length > 0 ? { keys, end: i } : null;
}

function readNumber(s, i) {
  const start = i;
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|[0-9]+)/.exec(s.slice(i));
  const text = m ? m[0] : s[i];
  const end = start + text.length;
  if (/^[0-9.]+[eE]/.test(text) || text.includes('.')) {
    const value = Number(text);
    if (!Number.isFinite(value)) fail(`the number ${text} is out of range`);
    return { kind: 'float', end, value };
  }
  // A leading 0 makes an octal integer, as in C and in Milvus (strconv.ParseInt with base 0).
  if (/^0[0-9]/.test(text) && /[89]/.test(text)) fail(`${text} is not an octal integer (a leading 0 makes one)`);
  const value = BigInt(/^0[0-7]/.test(text) ? `0o${text.slice(1)}` : text);
  if (value > INT64_MAX) fail(`integer ${text} is out of range`);
  return { kind: 'int', end, value: Number(value) };
}

const SIMPLE_ESCAPES = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07' };

// A string literal: the lexer's escapes (a quote, \\, \a \b \f \n \r \t \v, octal, \x, \u, \U), then Go's unquoting
// (strconv.Unquote, after convertEscapeSingle): octal takes exactly three digits up to \377 and \x two, both giving
// one byte; \? and a line continuation are refused. Bytes that are not UTF-8 are kept as U+DC80..U+DCFF, so that
// they equal no stored text. With `lexOnly`, only the extent is checked (a JSON key).
function readString(s, i, lexOnly = false) {
  const quote = s[i];
  const start = i;
  const bytes = [];
  const text = (str) => bytes.push(...Buffer.from(str, 'utf8'));
  i++;
  while (true) {
    const c = s[i];
    if (c === undefined || c === '\n' || c === '\r') fail(`the string at ${start} has no closing ${quote}`);
    if (c === quote) break;
    if (c !== '\\') {
      const cp = s.codePointAt(i);
      text(String.fromCodePoint(cp));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = s[i + 1];
    const at = i;
    i += 2;
    if (e in SIMPLE_ESCAPES) {
      text(SIMPLE_ESCAPES[e]);
    } else if (/[0-7]/.test(e || '')) {
      const digits = e + (s.slice(i, i + 2).match(/^[0-7]{0,2}/)[0]);
      i += digits.length - 1;
      if (!lexOnly && (digits.length !== 3 || parseInt(digits, 8) > 255)) fail(`the octal escape \\${digits} at ${at} needs three digits up to \\377`);
      bytes.push(parseInt(digits, 8) & 0xff);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i, i + n).match(/^[0-9a-fA-F]*/)[0];
      if (hex.length === 0 || (e !== 'x' && hex.length < n)) fail(`hexadecimal digits expected after \\${e} at ${at}`);
      if (!lexOnly && hex.length < n) fail(`\\${e} at ${at} takes exactly ${n} hexadecimal digits`);
      i += hex.length;
      const code = parseInt(hex, 16);
      if (e === 'x') {
        bytes.push(code);
      } else {
        if (!lexOnly && (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))) fail(`\\${e}${hex} at ${at} is not a code point`);
        if (!lexOnly) text(String.fromCodePoint(code));
      }
    } else if (e === '?' || e === '\n' || e === '\r') {
      if (!lexOnly) fail(`the escape at ${at} is not one Milvus unquotes`);
    } else {
      fail(`unknown escape \\${e === undefined ? '' : e} at ${at}`);
    }
  }
  const buffer = Buffer.from(bytes);
  let value = buffer.toString('utf8');
  if (!Buffer.from(value, 'utf8').equals(buffer)) value = String.fromCharCode(...bytes.map((b) => (b < 0x80 ? b : 0xdc00 + b)));
  return { end: i + 1, value };
}

// ------------------------------------------------------------------ syntax tree

const RELATIONAL = ['<', '<=', '>', '>='];
const ASCENDING = ['<', '<='];
const CONTAINS = { json_contains: 'one', json_contains_all: 'all', json_contains_any: 'any', array_contains: 'one', array_contains_all: 'all', array_contains_any: 'any' };
const isFieldToken = (t) => t.kind === 'id' || t.kind === 'path';

// Precedence as in Plan.g4, tightest first: like; **; unary + - not; * / %; + -; [not] in; ranges and < <= > >=;
// == !=; and; or. `exists` takes the operand right after it; `is [not] null` follows a field name.
class Parser {
  constructor(text) {
    this.tokens = tokenize(text);
    this.i = 0;
  }

  get cur() {
    return this.tokens[this.i];
  }

  peek(n = 1) {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)];
  }

  next() {
    return this.tokens[this.i++];
  }

  unexpected(expected) {
    const t = this.cur;
    fail(`expected ${expected} at ${t.pos}, found ${t.kind === 'end' ? 'end of expression' : `'${t.text}'`}`);
  }

  expect(kind, expected) {
    if (this.cur.kind !== kind) this.unexpected(expected);
    return this.next();
  }

  parse() {
    const node = this.or();
    if (this.cur.kind !== 'end') this.unexpected('an operator or end of expression');
    return node;
  }

  binary(kinds, operand, make) {
    let left = operand();
    while (kinds.includes(this.cur.kind)) {
      const op = this.next().kind;
      left = make(op, left, operand());
    }
    return left;
  }

  or() {
    return this.binary(['or'], () => this.and(), (op, left, right) => ({ type: 'or', left, right }));
  }

  and() {
    return this.binary(['and'], () => this.equality(), (op, left, right) => ({ type: 'and', left, right }));
  }

  equality() {
    return this.binary(['==', '!='], () => this.relational(), (op, left, right) => ({ type: 'compare', op, left, right }));
  }

  // `lower < field < upper` (or with > and >=) is a range when a field name sits between two operators of one
  // direction; anything else chains as comparisons, which the checker refuses.
  relational() {
    let left = this.term();
    while (RELATIONAL.includes(this.cur.kind)) {
      const op1 = this.next().kind;
      const op2 = this.peek().kind;
      if (isFieldToken(this.cur) && RELATIONAL.includes(op2) && ASCENDING.includes(op1) === ASCENDING.includes(op2)) {
        const field = this.field(this.next());
        this.next();
        const right = this.term();
        left = ASCENDING.includes(op1)
          ? { type: 'range', field, lower: left, lowerInclusive: op1 === '<=', upper: right, upperInclusive: op2 === '<=' }
          : { type: 'range', field, lower: right, lowerInclusive: op2 === '>=', upper: left, upperInclusive: op1 === '>=' };
      } else {
        left = { type: 'compare', op: op1, left, right: this.term() };
      }
    }
    return left;
  }

  term() {
    let left = this.additive();
    while (this.cur.kind === 'in' || (this.cur.kind === 'not' && this.peek().kind === 'in')) {
      const negated = this.next().kind === 'not';
      if (negated) this.next();
      left = { type: 'in', value: left, list: this.additive(), negated };
    }
    return left;
  }

  additive() {
    return this.binary(['+', '-'], () => this.multiplicative(), (op, left, right) => ({ type: 'arith', op, left, right }));
  }

  multiplicative() {
    return this.binary(['*', '/', '%'], () => this.unary(), (op, left, right) => ({ type: 'arith', op, left, right }));
  }

  unary() {
    if (['+', '-', 'not'].includes(this.cur.kind)) return { type: 'unary', op: this.next().kind, operand: this.unary() };
    let left = this.like();
    while (this.cur.kind === '**') {
      this.next();
      left = { type: 'arith', op: '**', left, right: ['+', '-', 'not'].includes(this.cur.kind) ? this.unary() : this.like() };
    }
    return left;
  }

  like() {
    let node = this.primary();
    while (this.cur.kind === 'like') {
      this.next();
      if (this.cur.kind !== 'string') this.unexpected("a quoted pattern after 'like'");
      node = { type: 'like', value: node, pattern: this.next().value };
    }
    return node;
  }

  primary() {
    const t = this.cur;
    switch (t.kind) {
      case 'int':
      case 'float':
      case 'string':
      case 'bool':
        this.next();
        return { type: t.kind, value: t.value };
      case '[':
        return this.list();
      case '(': {
        this.next();
        const inner = this.or();
        this.expect(')', "')'");
        return inner;
      }
      case '{': {
        this.next();
        const name = this.cur.kind === 'id' && !this.cur.name.startsWith('$') ? this.next() : this.unexpected('a template name after {');
        this.expect('}', "'}'");
        return { type: 'template', name: name.name };
      }
      case 'exists':
        this.next();
        return { type: 'exists', operand: ['+', '-', 'not'].includes(this.cur.kind) ? this.unary() : this.primary() };
      case 'id':
      case 'path':
        if (t.kind === 'id' && this.peek().kind === '(') return this.call();
        return this.field(this.next());
      default:
        if (CONTAINS[t.kind]) return this.contains();
        if (t.kind === 'array_length') return this.arrayLength();
        if (t.kind === 'text_match' || t.kind === 'phrase_match') fail(`${t.text} needs an analyzer, which the peer does not model`);
        return this.unexpected("a field name, a literal, '(' or 'not'");
    }
  }

  field(t) {
    const node = { type: 'field', name: t.name, path: t.kind === 'path' ? t.keys : [] };
    if (this.cur.kind !== 'isnull' && this.cur.kind !== 'isnotnull') return node;
    return { type: 'isNull', field: node, negated: this.next().kind === 'isnotnull' };
  }

  list() {
    this.next(); // [
    const items = [];
    while (this.cur.kind !== ']') {
      items.push(this.or());
      if (this.cur.kind === ',') {
        this.next();
        continue;
      }
      if (this.cur.kind !== ']') this.unexpected("',' or ']'");
    }
    this.next(); // ]
    return { type: 'list', items };
  }

  arguments(name, exactly) {
    this.expect('(', `'(' after ${name}`);
    const args = [];
    while (this.cur.kind !== ')') {
      args.push(this.or());
      if (this.cur.kind !== ',') break;
      this.next();
      if (exactly !== undefined && args.length === exactly) this.unexpected(`')' (${name} takes ${exactly} arguments)`);
    }
    this.expect(')', "')'");
    if (exactly !== undefined && args.length !== exactly) fail(`${name} takes ${exactly} arguments, not ${args.length}`);
    return args;
  }

  contains() {
    const name = this.next().text;
    return { type: 'contains', fn: CONTAINS[name.toLowerCase()], name, args: this.arguments(name, 2) };
  }

  arrayLength() {
    this.next();
    this.expect('(', "'(' after array_length");
    if (!isFieldToken(this.cur)) this.unexpected('a field name or JSON path in array_length');
    const t = this.next();
    this.expect(')', "')' (array_length takes one field)");
    return { type: 'length', field: { type: 'field', name: t.name, path: t.kind === 'path' ? t.keys : [] } };
  }

  call() {
    const name = this.next().name;
    return { type: 'call', name, args: this.arguments(name) };
  }
}

// ------------------------------------------------------------------ values and types

const NULL = Symbol('null field');
const MISSING = Symbol('missing key');

// Literals (and template values): { type: 'int' | 'float' | 'string' | 'bool', value } or { type: 'list', items }.
const isNumber = (lit) => lit.type === 'int' || lit.type === 'float';
const describe = (lit) => (lit.type === 'list' ? 'a list' : `the ${lit.type === 'bool' ? 'boolean' : lit.type === 'string' ? 'string' : 'number'} ${JSON.stringify(lit.value)}`);

// Byte-wise (UTF-8) order, as Milvus and SQLite compare strings.
const compareStrings = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const COMPARE = {
  '==': (c) => c === 0, '!=': (c) => c !== 0, '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0,
};
const order = (a, b) => (typeof a === 'string' ? compareStrings(a, b) : a < b ? -1 : a > b ? 1 : 0);
const REVERSED = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

// A JSON value and a literal scalar of the same kind (numbers with numbers).
const sameKind = (v, lit) => (isNumber(lit) ? typeof v === 'number' : lit.type === 'string' ? typeof v === 'string' : typeof v === 'boolean');
const equalJson = (v, lit) => (lit.type === 'list'
  ? Array.isArray(v) && v.length === lit.items.length && lit.items.every((item, k) => equalJson(v[k], item))
  : sameKind(v, lit) && v === lit.value);

// A JSON pointer lookup: a key of an object, or a decimal index of an array.
function lookup(doc, keys) {
  let v = doc;
  for (const key of keys) {
    if (Array.isArray(v)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= v.length) return MISSING;
      v = v[Number(key)];
    } else if (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, key)) {
      v = v[key];
    } else {
      return MISSING;
    }
  }
  return v;
}

// Kleene logic over true, false and null (unknown).
const not = (a) => (a === null ? null : !a);
const and = (a, b) => (a === false || b === false ? false : a === null || b === null ? null : true);
const or = (a, b) => (a === true || b === true ? true : a === null || b === null ? null : false);

// Constant folding, with the result types of Milvus's operators.sh: int op int stays an integer (division
// truncates), a float operand makes a float; ** is an integer when both are and the result fits.
function fold(op, a, b) {
  if (a.template || b.template) fail(`a template value cannot be combined with a constant by '${op}'`);
  if (!isNumber(a) || !isNumber(b)) fail(`'${op}' needs numbers, not ${describe(isNumber(a) ? b : a)}`);
  const ints = a.type === 'int' && b.type === 'int';
  if ((op === '/' || op === '%') && b.value === 0) fail(op === '/' ? 'cannot divide by zero' : 'cannot modulo by zero');
  switch (op) {
    case '+': return { type: ints ? 'int' : 'float', value: a.value + b.value };
    case '-': return { type: ints ? 'int' : 'float', value: a.value - b.value };
    case '*': return { type: ints ? 'int' : 'float', value: a.value * b.value };
    case '/': return { type: ints ? 'int' : 'float', value: ints ? Math.trunc(a.value / b.value) : a.value / b.value };
    case '%':
      if (!ints) fail("'%' needs integers");
      return { type: 'int', value: a.value % b.value };
    default: {
      const value = a.value ** b.value;
      return ints && b.value >= 0 && value <= Number(INT64_MAX) ? { type: 'int', value } : { type: 'float', value };
    }
  }
}

// like, as Milvus 2.5 runs it: a pattern that is a plain text with % only at its ends (\% and \_ are literal there)
// becomes an equality, prefix, suffix or substring test; any other is a regular expression where % is any run, _
// one character and a backslash makes the next character literal.
function likeMatcher(pattern) {
  const plain = (s) => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '\\' && (s[i + 1] === '%' || s[i + 1] === '_')) out += s[++i];
      else if (s[i] === '%' || s[i] === '_') return null;
      else out += s[i];
    }
    return out;
  };
  if (pattern === '%' || pattern === '%%') return () => true;
  const leading = pattern.startsWith('%');
  const trailing = pattern.length > 0 && pattern.endsWith('%');
  const core = plain(pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined).replace(leading ? /^%+/ : /^$/, '').replace(trailing ? /%+$/ : /^$/, ''));
  if (core !== null) {
    if (leading && trailing) return (v) => v.includes(core);
    if (leading) return (v) => v.endsWith(core);
    if (trailing) return (v) => v.startsWith(core);
    return (v) => v === core;
  }
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') re += i + 1 < pattern.length ? escapeRegex(pattern[++i]) : '';
    else re += c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : escapeRegex(c);
  }
  const regex = new RegExp(`^${re}$`, 'u');
  return (v) => regex.test(v);
}

const escapeRegex = (c) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

// ------------------------------------------------------------------ checking and compilation

// fields: [{ name, kind: 'string' | 'int' | 'float' | 'bool' | 'json' | 'vector' }]. Rows map a field name to its
// value: a string, number or boolean, for a JSON field { value: <the parsed document> }, null for a null field.
// templates: name -> literal.
function compile(expression, fields, templates) {
  const tree = new Parser(expression).parse();
  const byName = new Map(fields.map((f) => [f.name, f]));

  function template(name, what = 'value') {
    if (!Object.prototype.hasOwnProperty.call(templates, name)) fail(`the ${what} of expression template variable name {${name}} is not found`);
    return { ...templates[name], template: name };
  }

  function column(n) {
    const f = byName.get(n.name);
    if (!f) fail(`field ${n.name} not exist`);
    if (f.kind === 'vector') fail(`vector field ${n.name} cannot be used in a filter`);
    if (f.kind !== 'json') {
      if (n.path.length > 0) fail(`${n.name} is not a JSON field, it takes no [ ]`);
      return { kind: 'column', type: f.kind, name: n.name, get: (row) => (row[n.name] === null || row[n.name] === undefined ? NULL : row[n.name]) };
    }
    return {
      kind: 'column', type: 'json', name: n.name, path: n.path,
      get: (row) => {
        const cell = row[n.name];
        if (cell === null || cell === undefined) return NULL;
        return n.path.length > 0 ? lookup(cell.value, n.path) : cell.value;
      },
    };
  }

  // An operand: { kind: 'const', ...literal } | column | { kind: 'arith', column, op, operand, type } |
  // { kind: 'length', column } | { kind: 'pred', eval(row) -> true | false | null }.
  function operand(n) {
    switch (n.type) {
      case 'int':
      case 'float':
      case 'string':
      case 'bool':
        return { kind: 'const', type: n.type, value: n.value };
      case 'list': {
        const items = n.items.map(operand);
        if (items.some((i) => i.kind !== 'const' || i.template)) fail('a list holds constant values only');
        return { kind: 'const', type: 'list', items };
      }
      case 'template':
        return { kind: 'const', ...template(n.name) };
      case 'field':
        return column(n);
      case 'unary':
        return unary(n);
      case 'arith':
        return arithmetic(n);
      case 'length': {
        const c = column(n.field);
        if (c.type !== 'json') fail(`array_length needs a JSON field, ${n.field.name} is not one`);
        return { kind: 'length', column: c };
      }
      default:
        return { kind: 'pred', eval: predicate(n) };
    }
  }

  function condition(n, what) {
    const o = operand(n);
    if (o.kind !== 'pred') fail(`${what} needs a condition, not a value`);
    return o.eval;
  }

  function unary(n) {
    const o = operand(n.operand);
    if (n.op === '+') return o;
    if (o.kind === 'const' && o.template) fail(`'${n.op}' cannot apply to a template value`);
    if (n.op === '-') {
      if (o.kind !== 'const') fail("unary '-' applies to constants only");
      if (!isNumber(o)) fail(`unary '-' needs a number, not ${describe(o)}`);
      return { ...o, value: -o.value };
    }
    if (o.kind === 'const') {
      if (o.type !== 'bool') fail(`'not' needs a condition, not ${describe(o)}`);
      return { ...o, value: !o.value };
    }
    if (o.kind !== 'pred') fail("'not' needs a condition, not a value");
    return { kind: 'pred', eval: (row) => not(o.eval(row)) };
  }

  function arithmetic(n) {
    const l = operand(n.left);
    const r = operand(n.right);
    if (n.op === '**') {
      if (l.kind !== 'const' || r.kind !== 'const') fail("'**' applies to constants only");
      return { kind: 'const', ...fold('**', l, r) };
    }
    if (l.kind === 'const' && r.kind === 'const') return { kind: 'const', ...fold(n.op, l, r) };
    if (l.kind !== 'const' && r.kind !== 'const') fail('arithmetic between two fields is not supported');
    const [c, k] = l.kind === 'const' ? [r, l] : [l, r];
    if (c.kind !== 'column') fail('arithmetic applies to a field and a constant only');
    if (l.kind === 'const' && (n.op === '-' || n.op === '/' || n.op === '%')) fail(`'${n.op}' with a constant on its left and a field on its right is not supported`);
    if (!isNumber(k)) fail(`arithmetic '${n.op}' needs a number, not ${describe(k)}`);
    if (c.type !== 'json' && c.type !== 'int' && c.type !== 'float') fail(`arithmetic '${n.op}' needs a number field, ${c.name} is not one`);
    if (c.type === 'int' && k.type === 'float') fail(`arithmetic between integer field ${c.name} and a float is not supported`);
    if (n.op === '%' && (c.type === 'float' || k.type === 'float')) fail("'%' needs integers");
    if ((n.op === '/' || n.op === '%') && k.value === 0) fail('division or modulus by zero');
    return { kind: 'arith', column: c, op: n.op, operand: k, type: c.type === 'float' || k.type === 'float' ? 'float' : 'int' };
  }

  // A constant's kind must fit a non-JSON field: strings for VarChar, integers for integer fields, numbers for
  // float fields, booleans for Bool.
  function fits(c, lit) {
    if (c.type === 'string') return lit.type === 'string';
    if (c.type === 'int') return lit.type === 'int';
    if (c.type === 'float') return isNumber(lit);
    return lit.type === 'bool';
  }

  function comparison(n) {
    let op = n.op;
    let l = operand(n.left);
    let r = operand(n.right);
    if (l.kind === 'const' && r.kind === 'const') {
      fail(l.template || r.template ? `a template value cannot be compared with a constant by '${op}'` : `'${op}' between two constants is not a condition on the data`);
    }
    if (l.kind === 'const') [l, r, op] = [r, l, REVERSED[op]];
    if (l.kind === 'pred' || r.kind === 'pred') fail(`'${op}' compares values; a condition cannot be compared`);
    const test = COMPARE[op];
    const ordering = op !== '==' && op !== '!=';
    if (r.kind !== 'const') {
      if (l.kind !== 'column' || r.kind !== 'column') fail(`'${op}' compares a field with a constant, or two fields`);
      if (l.type === 'json' || r.type === 'json') fail(`comparing ${l.name} with ${r.name} fails in Milvus 2.5 (two columns with JSON)`);
      const numbers = ['int', 'float'];
      if (l.type !== r.type && !(numbers.includes(l.type) && numbers.includes(r.type))) fail(`'${op}' cannot compare ${l.name} with ${r.name}`);
      if (l.type === 'bool' && ordering) fail(`'${op}' cannot order booleans`);
      return (row) => {
        const a = l.get(row);
        const b = r.get(row);
        return a === NULL || b === NULL ? null : test(order(a, b));
      };
    }
    if (r.type === 'list') {
      if (l.kind !== 'column' || l.type !== 'json') fail(`'${op}' cannot compare ${l.name || 'this value'} with a list`);
      if (ordering) fail(`'${op}' cannot order lists`);
      if (r.items.some((i) => i.type === 'list')) fail('a list compared with a JSON value must be flat');
      return (row) => {
        const v = l.get(row);
        if (v === NULL) return null;
        return Array.isArray(v) && equalJson(v, r) === (op === '==');
      };
    }
    if (r.type === 'bool' && ordering) fail(`'${op}' cannot order booleans`);
    if (l.kind === 'length') {
      if (r.type !== 'int') fail(`array_length is compared with integers, not ${describe(r)}`);
      return (row) => {
        const v = l.column.get(row);
        return v === NULL ? null : test(order(Array.isArray(v) ? v.length : 0, r.value));
      };
    }
    if (l.kind === 'arith') {
      if (!isNumber(r)) fail(`arithmetic is compared with numbers, not ${describe(r)}`);
      if (l.type === 'int' && r.type === 'float') fail(`an integer arithmetic expression cannot be compared with ${describe(r)}`);
      return arithCompare(l, op, r.value);
    }
    if (l.type !== 'json') {
      if (!fits(l, r)) fail(`'${op}' cannot compare ${l.type === 'string' ? 'VarChar' : l.type} field ${l.name} with ${describe(r)}`);
      return (row) => {
        const v = l.get(row);
        return v === NULL ? null : test(order(v, r.value));
      };
    }
    return (row) => {
      const v = l.get(row);
      if (v === NULL) return null;
      return sameKind(v, r) ? test(order(v, r.value)) : op === '!=';
    };
  }

  // field op constant == value. An integer expression keeps integer arithmetic for whole numbers (division
  // truncates); % keeps the integer part of the remainder. A missing key or a non-number is false, for != true.
  function arithCompare(a, op, value) {
    const k = a.operand.value;
    const test = COMPARE[op];
    const integers = a.type === 'int';
    return (row) => {
      const x = a.column.get(row);
      if (x === NULL) return null;
      if (typeof x !== 'number') return op === '!=';
      let result;
      switch (a.op) {
        case '+': result = x + k; break;
        case '-': result = x - k; break;
        case '*': result = x * k; break;
        case '/': result = integers && Number.isInteger(x) ? Math.trunc(x / k) : x / k; break;
        default: result = Math.trunc(x % k);
      }
      return test(order(result, value));
    };
  }

  function bound(n, what) {
    const o = n.type === 'template' ? { kind: 'const', ...template(n.name, what) } : operand(n);
    if (o.kind !== 'const') fail(`the ${what} of a range must be a constant`);
    if (o.type === 'list' || o.type === 'bool') fail(`a range cannot have ${describe(o)} as its ${what}`);
    return o;
  }

  function range(n) {
    const c = column(n.field);
    if (c.type === 'bool') fail('a range cannot apply to a boolean field');
    const lower = bound(n.lower, 'lower value');
    const upper = bound(n.upper, 'upper value');
    if (c.type === 'json') {
      if (lower.type !== upper.type) fail(`range bounds of different types (${lower.type}, ${upper.type}) on a JSON key fail in Milvus 2.5`);
    } else if (!fits(c, lower) || !fits(c, upper)) {
      fail(`the bounds of a range on ${c.name} must be of its type`);
    }
    if (isNumber(lower) !== isNumber(upper)) fail('the bounds of a range must both be numbers or both be strings');
    const cmp = order(lower.value, upper.value);
    if (cmp > 0 || (cmp === 0 && !(n.lowerInclusive && n.upperInclusive))) fail('invalid range: lowerbound is greater than upperbound');
    const above = COMPARE[n.lowerInclusive ? '>=' : '>'];
    const below = COMPARE[n.upperInclusive ? '<=' : '<'];
    return (row) => {
      const v = c.get(row);
      if (v === NULL) return null;
      return sameKind(v, lower) && above(order(v, lower.value)) && below(order(v, upper.value));
    };
  }

  function membership(n) {
    const c = operand(n.value);
    if (c.kind === 'const') fail("'in' needs a field on its left, not a constant");
    if (c.kind !== 'column') fail("'in' needs a single field on its left");
    const list = operand(n.list);
    if (list.kind !== 'const') fail("the values of 'in' must be constants");
    if (list.type !== 'list') fail(`the right-hand side of 'in' must be a list, not ${describe(list)}`);
    const items = list.items;
    if (c.type === 'json') {
      if (items.some((i) => i.type === 'list')) fail("an 'in' list on a JSON key holds scalars only");
      if (items.some((i) => i.type !== items[0].type)) fail("an 'in' list of mixed types on a JSON key fails in Milvus 2.5");
    } else if (!items.every((i) => fits(c, i))) {
      fail(`the 'in' list of ${c.name} must hold values of its type`);
    }
    // On a JSON key an empty list matches nothing, not even as NULL (TermExpr returns before the null check).
    const member = c.type === 'json' && items.length === 0 ? () => false : (row) => {
      const v = c.get(row);
      if (v === NULL) return null;
      return items.some((i) => sameKind(v, i) && v === i.value);
    };
    return n.negated ? (row) => not(member(row)) : member;
  }

  function like(n) {
    const c = operand(n.value);
    if (c.kind !== 'column') fail("'like' applies to a field only");
    if (c.type !== 'string' && c.type !== 'json') fail(`'like' needs a VarChar or JSON field, ${c.name} is not one`);
    const matches = likeMatcher(n.pattern);
    return (row) => {
      const v = c.get(row);
      return v === NULL ? null : typeof v === 'string' && matches(v);
    };
  }

  // exists: a key whose value is not JSON null; false (never NULL) for a null field.
  function exists(c) {
    return (row) => {
      const v = c.get(row);
      return v !== NULL && v !== MISSING && v !== null;
    };
  }

  function jsonKey(n, what) {
    const c = operand(n);
    if (c.kind !== 'column' || c.type !== 'json') fail(`${what} needs a JSON field or key`);
    return c;
  }

  function contains(n) {
    const c = jsonKey(n.args[0], n.name);
    const value = operand(n.args[1]);
    if (value.kind !== 'const') fail(`the second argument of ${n.name} must be a constant`);
    const flat = (lit) => lit.type !== 'list' || lit.items.every((i) => i.type !== 'list');
    const elements = n.fn === 'one' ? [value] : value.items;
    if (n.fn !== 'one' && value.type !== 'list') fail(`the second argument of ${n.name} must be a list, not ${describe(value)}`);
    if (!elements.every(flat)) fail(`a list to find with ${n.name} must be flat`);
    const has = (array, e) => array.some((x) => equalJson(x, e));
    const test = n.fn === 'all' ? (array) => elements.every((e) => has(array, e)) : (array) => elements.some((e) => has(array, e));
    // An empty list is answered before any row is read (JsonContainsExpr): all of nothing is true, any of it false,
    // on every row, a null one too.
    if (n.fn !== 'one' && elements.length === 0) return () => n.fn === 'all';
    return (row) => {
      const v = c.get(row);
      return v === NULL ? null : Array.isArray(v) && test(v);
    };
  }

  // Milvus 2.5 registers empty(VARCHAR) and starts_with(VARCHAR, VARCHAR); any other call fails when it runs.
  function call(n) {
    const name = n.name.toLowerCase();
    const arity = { empty: 1, starts_with: 2 }[name];
    const args = n.args.map(operand);
    const text = (a) => (a.kind === 'column' && a.type === 'string') || (a.kind === 'const' && !a.template && a.type === 'string');
    if (arity === undefined || args.length !== arity || !args.every(text)) fail(`no function ${n.name} takes these arguments (Milvus 2.5 has empty(VARCHAR) and starts_with(VARCHAR, VARCHAR))`);
    const value = (a, row) => (a.kind === 'const' ? a.value : a.get(row));
    return (row) => {
      const values = args.map((a) => value(a, row));
      if (values.includes(NULL)) return null;
      return name === 'empty' ? values[0] === '' : values[0].startsWith(values[1]);
    };
  }

  function predicate(n) {
    switch (n.type) {
      case 'and': {
        const l = condition(n.left, "'and'");
        const r = condition(n.right, "'and'");
        return (row) => and(l(row), r(row));
      }
      case 'or': {
        const l = condition(n.left, "'or'");
        const r = condition(n.right, "'or'");
        return (row) => or(l(row), r(row));
      }
      case 'compare':
        return comparison(n);
      case 'range':
        return range(n);
      case 'in':
        return membership(n);
      case 'like':
        return like(n);
      case 'exists': {
        const c = jsonKey(n.operand, "'exists'");
        if (c.path.length === 0) fail("'exists' needs a key of a JSON field, such as meta[\"key\"]");
        return exists(c);
      }
      case 'isNull': {
        const c = column(n.field);
        // A key is null where it does not exist (Milvus plans `k is null` as `not exists k`).
        const isNull = c.path && c.path.length > 0 ? (row) => !exists(c)(row) : (row) => row[c.name] === null || row[c.name] === undefined;
        return n.negated ? (row) => !isNull(row) : isNull;
      }
      case 'contains':
        return contains(n);
      default:
        return call(n);
    }
  }

  const top = operand(tree);
  if (top.kind !== 'pred') fail('the expression is not a condition (a boolean expression)');
  return (row) => top.eval(row) === true;
}

// The row predicate of an expression, or null for an empty or blank one (no filter).
function compileFilter(expression, fields, templates = {}) {
  if (!expression || !expression.trim()) return null;
  return compile(expression, fields, templates);
}

// The primary keys of `pk in [...]` or `pk == v` (either side, a template or a literal): Milvus's "simple delete"
// forms. Null for any other expression. Call it after compileFilter accepted the expression.
function primaryKeyTerms(expression, pkName, templates = {}) {
  const tree = new Parser(expression).parse();
  const isPk = (n) => n.type === 'field' && n.name === pkName && n.path.length === 0;
  const literal = (n) => (n.type === 'template' ? templates[n.name] : n);
  const scalar = (n) => ['int', 'string'].includes(literal(n).type);
  if (tree.type === 'in' && !tree.negated && isPk(tree.value)) {
    const list = literal(tree.list);
    return list.type === 'list' && list.items.every(scalar) ? list.items.map((i) => literal(i).value) : null;
  }
  if (tree.type === 'compare' && tree.op === '==') {
    const [pk, value] = isPk(tree.left) ? [tree.left, tree.right] : [tree.right, tree.left];
    if (isPk(pk) && scalar(value)) return [literal(value).value];
  }
  return null;
}

module.exports = { compileFilter, primaryKeyTerms, FilterError, compareStrings };
