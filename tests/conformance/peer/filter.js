'use strict';
// The Milvus 2.5 boolean filter language (Plan.g4), the same subset MilvusOps' own parser accepts
// (src/MilvusOps.Engine/Filtering): parsed into a tree, type-checked against the collection's fields, and compiled
// to a predicate over stored rows. The evaluation follows the embedded store's reading of Milvus semantics, so the
// contract suite can compare the two: a comparison with a null field, a missing JSON key or a JSON value of
// another type is false (and its negation true); predicates are two-valued.
//
// Any error is a FilterError; the caller answers Milvus's "cannot parse expression" Status (code 1100).

class FilterError extends Error {}

const fail = (message) => {
  throw new FilterError(message);
};

// ------------------------------------------------------------------ tokens

const isIdStart = (c) => /[A-Za-z_]/.test(c);
const isIdPart = (c) => /[A-Za-z_0-9]/.test(c);
const isDigit = (c) => c >= '0' && c <= '9';

const OPERATORS = [
  ['**', 'power'], ['==', '=='], ['!=', '!='], ['<=', '<='], ['>=', '>='], ['<<', 'bitwise'], ['>>', 'bitwise'],
  ['&&', 'and'], ['||', 'or'], ['(', '('], [')', ')'], ['[', '['], [']', ']'], [',', ','], ['+', '+'], ['-', '-'],
  ['*', '*'], ['/', '/'], ['%', '%'], ['!', '!'], ['<', '<'], ['>', '>'], ['&', 'bitwise'], ['|', 'bitwise'],
  ['^', 'bitwise'], ['~', 'bitwise'],
];

const ESCAPES = { '"': '"', "'": "'", '\\': '\\', '?': '?', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', 0: '\0' };

function tokenize(s) {
  const tokens = [];
  let i = 0;
  while (true) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) {
      tokens.push({ kind: 'end', pos: s.length, text: '' });
      return tokens;
    }
    const start = i;
    const c = s[i];
    if (isIdStart(c) || (c === '$' && i + 1 < s.length && isIdStart(s[i + 1]))) {
      i++;
      while (i < s.length && isIdPart(s[i])) i++;
      tokens.push({ kind: 'id', pos: start, text: s.slice(start, i) });
    } else if (isDigit(c) || (c === '.' && isDigit(s[i + 1] || ''))) {
      const t = readNumber(s, i);
      tokens.push(t);
      i = t.end;
    } else if (c === '"' || c === "'") {
      const t = readString(s, i);
      tokens.push(t);
      i = t.end;
    } else if (c === '{') {
      const close = s.indexOf('}', i);
      fail(`template placeholders ${JSON.stringify(s.slice(i, close < 0 ? s.length : close + 1))} are not supported`);
    } else {
      const op = OPERATORS.find(([text]) => s.startsWith(text, i));
      if (!op) fail(c === '=' ? `'=' at ${i} is not an operator (use '==')` : `unexpected character '${c}' at ${i}`);
      if (op[1] === 'power' || op[1] === 'bitwise') fail(`the operator '${op[0]}' is not supported`);
      tokens.push({ kind: op[1], pos: start, text: op[0] });
      i += op[0].length;
    }
  }
}

function readNumber(s, i) {
  const start = i;
  if (s[i] === '0' && /[xXbB]/.test(s[i + 1] || '')) {
    const hex = /[xX]/.test(s[i + 1]);
    i += 2;
    const digitsAt = i;
    while (i < s.length && (hex ? /[0-9a-fA-F]/.test(s[i]) : /[01]/.test(s[i]))) i++;
    if (i === digitsAt) fail(`a ${hex ? 'hexadecimal' : 'binary'} digit expected at ${i}`);
    const value = BigInt(s.slice(start, i).toLowerCase());
    if (value > 2n ** 63n - 1n) fail(`integer ${s.slice(start, i)} is out of range`);
    return { kind: 'int', pos: start, end: i, text: s.slice(start, i), value: Number(value) };
  }
  while (i < s.length && isDigit(s[i])) i++;
  let float = false;
  if (s[i] === '.') {
    float = true;
    i++;
    while (i < s.length && isDigit(s[i])) i++;
  }
  if (s[i] === 'e' || s[i] === 'E') {
    let j = i + 1;
    if (s[j] === '+' || s[j] === '-') j++;
    if (!isDigit(s[j] || '')) fail(`a digit in the exponent expected at ${j}`);
    float = true;
    i = j;
    while (i < s.length && isDigit(s[i])) i++;
  }
  const text = s.slice(start, i);
  if (float) {
    const value = Number(text);
    if (!Number.isFinite(value)) fail(`the number ${text} is out of range`);
    return { kind: 'float', pos: start, end: i, text, value };
  }
  // A leading 0 makes an octal integer, as in C and in Milvus.
  const octal = text.length > 1 && text[0] === '0';
  if (octal && /[89]/.test(text)) fail(`${text} is not an octal integer (a leading 0 makes one)`);
  const value = octal ? BigInt(`0o${text.slice(1)}`) : BigInt(text);
  if (value > 2n ** 63n - 1n) fail(`integer ${text} is out of range`);
  return { kind: 'int', pos: start, end: i, text, value: Number(value) };
}

function readString(s, i) {
  const quote = s[i];
  const start = i;
  i++;
  let out = '';
  while (true) {
    if (i >= s.length) fail(`the string at ${start} has no closing ${quote}`);
    const c = s[i];
    if (c === quote) return { kind: 'string', pos: start, end: i + 1, text: s.slice(start, i + 1), value: out };
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined) fail(`the string at ${start} has no closing ${quote}`);
    i += 2;
    if (e in ESCAPES) {
      out += ESCAPES[e];
    } else if (e === '%' || e === '_') {
      out += `\\${e}`; // kept, so that like can match a literal % or _
    } else if (e === 'u' || e === 'U' || e === 'x') {
      const n = e === 'u' ? 4 : e === 'U' ? 8 : 2;
      const hex = s.slice(i, i + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) fail(`${n} hexadecimal digits expected after \\${e} at ${i - 2}`);
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff && e !== 'u')) fail(`\\${e}${hex} is not a code point`);
      out += code > 0xffff ? String.fromCodePoint(code) : String.fromCharCode(code);
      i += n;
    } else {
      fail(`unknown escape \\${e} at ${i - 2}`);
    }
  }
}

// ------------------------------------------------------------------ syntax tree

const FUNCTIONS = {
  json_contains: 'contains', json_contains_all: 'containsAll', json_contains_any: 'containsAny',
  array_contains: 'contains', array_contains_all: 'containsAll', array_contains_any: 'containsAny',
  array_length: 'length',
};
const RESERVED = ['and', 'or', 'not', 'in', 'like', 'exists', 'is', 'null'];
const COMPARISONS = ['==', '!=', '<', '<=', '>', '>='];
const ASCENDING = ['<', '<='];
const DESCENDING = ['>', '>='];

// Milvus keywords are all lower case or all upper case.
const isKeyword = (t, word) => t.kind === 'id' && (t.text === word || t.text === word.toUpperCase());
const isLiteral = (n) => ['int', 'float', 'string', 'bool'].includes(n.type);

class Parser {
  constructor(text) {
    this.text = text;
    this.tokens = tokenize(text);
    this.i = 0;
  }

  get cur() {
    return this.tokens[this.i];
  }

  peek() {
    return this.tokens[Math.min(this.i + 1, this.tokens.length - 1)];
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
    if (this.cur.kind !== 'end') this.unexpected(this.cur.kind === ')' ? "end of expression (unmatched ')')" : 'an operator or end of expression');
    return node;
  }

  or() {
    let left = this.and();
    while (this.cur.kind === 'or' || isKeyword(this.cur, 'or')) {
      this.next();
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  and() {
    let left = this.comparison();
    while (this.cur.kind === 'and' || isKeyword(this.cur, 'and')) {
      this.next();
      left = { type: 'and', left, right: this.comparison() };
    }
    return left;
  }

  comparison() {
    const left = this.additive();
    if (COMPARISONS.includes(this.cur.kind)) {
      const op1 = this.next().kind;
      const middle = this.additive();
      if (!COMPARISONS.includes(this.cur.kind)) return { type: 'compare', op: op1, left, right: middle };
      // Chained only as a range: literal < field < literal, both operators pointing the same way.
      const op2 = this.cur.kind;
      const same = (ASCENDING.includes(op1) && ASCENDING.includes(op2)) || (DESCENDING.includes(op1) && DESCENDING.includes(op2));
      if (!same) this.unexpected("'and', 'or' or end of expression (a range needs two '<' or two '>' operators)");
      if (middle.type !== 'field') fail('a range needs a field in the middle (literal < field < literal)');
      if (!isLiteral(left)) fail('a range needs a literal as its first bound');
      this.next();
      const third = this.additive();
      if (!isLiteral(third)) fail('a range needs a literal as its second bound');
      if (COMPARISONS.includes(this.cur.kind)) this.unexpected("'and', 'or' or end of expression (a range has two operators)");
      return ASCENDING.includes(op1)
        ? { type: 'range', lower: left, lowerInclusive: op1 === '<=', field: middle, upper: third, upperInclusive: op2 === '<=' }
        : { type: 'range', lower: third, lowerInclusive: op2 === '>=', field: middle, upper: left, upperInclusive: op1 === '>=' };
    }
    if (isKeyword(this.cur, 'in')) {
      this.next();
      return { type: 'in', value: left, items: this.inList(), negated: false };
    }
    if (isKeyword(this.cur, 'not') && isKeyword(this.peek(), 'in')) {
      this.next();
      this.next();
      return { type: 'in', value: left, items: this.inList(), negated: true };
    }
    if (isKeyword(this.cur, 'like')) {
      this.next();
      if (this.cur.kind !== 'string') this.unexpected("a quoted pattern after 'like'");
      return { type: 'like', value: left, pattern: this.next().value };
    }
    if (isKeyword(this.cur, 'is')) {
      if (left.type !== 'field') fail("'is null' needs a field before it");
      this.next();
      let negated = false;
      if (isKeyword(this.cur, 'not')) {
        this.next();
        negated = true;
      }
      if (!isKeyword(this.cur, 'null')) this.unexpected("'null' after 'is'");
      this.next();
      return { type: 'isNull', field: left, negated };
    }
    return left;
  }

  inList() {
    if (this.cur.kind !== '[') this.unexpected("'[' after 'in'");
    return this.list().items;
  }

  additive() {
    let left = this.multiplicative();
    while (this.cur.kind === '+' || this.cur.kind === '-') {
      const op = this.next().kind;
      left = { type: 'arith', op, left, right: this.multiplicative() };
    }
    return left;
  }

  multiplicative() {
    let left = this.unary();
    while (['*', '/', '%'].includes(this.cur.kind)) {
      const op = this.next().kind;
      left = { type: 'arith', op, left, right: this.unary() };
    }
    return left;
  }

  // As in Milvus, 'not' binds tighter than a comparison: write not (x > 1).
  unary() {
    const t = this.cur;
    if (t.kind === '-') {
      this.next();
      const operand = this.unary();
      if (operand.type === 'int' || operand.type === 'float') return { ...operand, value: -operand.value };
      return { type: 'negate', operand };
    }
    if (t.kind === '+') {
      this.next();
      return this.unary();
    }
    if (t.kind === '!' || isKeyword(t, 'not')) {
      this.next();
      return { type: 'not', operand: this.unary() };
    }
    return this.primary();
  }

  primary() {
    const t = this.cur;
    switch (t.kind) {
      case 'int':
      case 'float':
      case 'string':
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
      case 'id':
        return this.identifier();
      default:
        return this.unexpected("a field name, a literal, '(' or 'not'");
    }
  }

  identifier() {
    const t = this.cur;
    if (['true', 'True', 'TRUE', 'false', 'False', 'FALSE'].includes(t.text)) {
      this.next();
      return { type: 'bool', value: t.text.toLowerCase() === 'true' };
    }
    if (isKeyword(t, 'exists')) {
      this.next();
      const operand = this.unary();
      if (operand.type !== 'field') fail("'exists' needs a JSON field path such as meta[\"key\"]");
      return { type: 'exists', field: operand };
    }
    if (RESERVED.some((w) => isKeyword(t, w))) this.unexpected("a field name, a literal, '(' or 'not'");
    if (this.peek().kind === '(') return this.call();
    if (t.text.startsWith('$')) fail(`the dynamic field '${t.text}' is not supported`);
    this.next();
    const path = [];
    while (this.cur.kind === '[') {
      this.next();
      const key = this.cur;
      if (key.kind === 'string') path.push({ key: key.value });
      else if (key.kind === 'int') path.push({ index: key.value });
      else this.unexpected("a quoted key or an array index inside '[ ]'");
      this.next();
      this.expect(']', "']'");
    }
    return { type: 'field', name: t.text, path };
  }

  call() {
    const name = this.next();
    const lower = name.text.toLowerCase();
    if ((name.text !== lower && name.text !== name.text.toUpperCase()) || !FUNCTIONS[lower]) {
      fail(`the function '${name.text}' is not supported`);
    }
    const fn = FUNCTIONS[lower];
    const arity = fn === 'length' ? 1 : 2;
    this.next(); // (
    const args = [];
    for (let k = 0; k < arity; k++) {
      if (k > 0) this.expect(',', `',' and a second argument to ${name.text}`);
      args.push(this.or());
    }
    this.expect(')', `')' (${name.text} takes ${arity === 1 ? 'one argument' : 'two arguments'})`);
    return { type: 'call', fn, name: name.text, args };
  }

  list() {
    this.next(); // [
    const items = [];
    while (this.cur.kind !== ']') {
      const item = this.unary();
      if (!isLiteral(item) && item.type !== 'list') fail('a list holds literal values only');
      items.push(item);
      if (this.cur.kind === ',') {
        this.next();
        continue;
      }
      if (this.cur.kind !== ']') this.unexpected("',' or ']'");
    }
    this.next(); // ]
    return { type: 'list', items };
  }
}

// ------------------------------------------------------------------ compilation

const MISSING = Symbol('missing');

const jsonType = (v) => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v; // number, string, object
};

// Byte-wise (UTF-8) order, as Milvus and SQLite compare strings.
const compareStrings = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function compareValues(op, a, b) {
  const c = typeof a === 'string' ? compareStrings(a, b) : a < b ? -1 : a > b ? 1 : 0;
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    default: return c >= 0;
  }
}

const literalKind = (n) => (n.type === 'int' || n.type === 'float' ? 'number' : n.type === 'string' ? 'string' : n.type === 'bool' ? 'bool' : 'list');

// like: % any run, _ one character, a backslash makes the next character literal; case-sensitive.
function likeRegex(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += escapeRegex(pattern[++i]);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRegex(c);
  }
  return new RegExp(`^${re}$`, 'su');
}

const escapeRegex = (c) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

// fields: [{ name, kind: 'string' | 'number' | 'bool' | 'json' | 'vector' }]. Rows map a field name to its value:
// a string/number/boolean, the parsed JSON document, or null for a null field.
function compile(expression, fields) {
  const tree = new Parser(expression).parse();
  const byName = new Map(fields.map((f) => [f.name, f]));

  function lookup(doc, path) {
    let v = doc;
    for (const seg of path) {
      if (seg.key !== undefined) {
        if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, seg.key)) return MISSING;
        v = v[seg.key];
      } else {
        if (!Array.isArray(v) || seg.index < 0 || seg.index >= v.length) return MISSING;
        v = v[seg.index];
      }
    }
    return v;
  }

  // An operand: { kind, get(row) -> value | MISSING, floatLiteral? }. JSON values carry kind 'json' and are
  // type-checked per row.
  function operand(n) {
    switch (n.type) {
      case 'int':
      case 'float':
      case 'string':
      case 'bool':
        return { kind: literalKind(n), get: () => n.value, floatLiteral: n.type === 'float' };
      case 'list':
        return { kind: 'list', get: () => MISSING };
      case 'field': {
        const f = byName.get(n.name);
        if (!f) fail(`field ${n.name} not exist`);
        if (f.kind === 'vector') fail(`vector field ${n.name} cannot be used in a filter`);
        if (f.kind !== 'json') {
          if (n.path.length > 0) fail(`field ${n.name} is not JSON, it has no keys or elements`);
          return { kind: f.kind, get: (row) => (row[n.name] === null || row[n.name] === undefined ? MISSING : row[n.name]) };
        }
        return {
          kind: 'json',
          field: n,
          get: (row) => {
            const doc = row[n.name];
            // A null field and a JSON null document read alike: null, and every path under them is missing.
            if (doc === null || doc === undefined) return n.path.length > 0 ? MISSING : null;
            return n.path.length > 0 ? lookup(doc, n.path) : doc;
          },
        };
      }
      case 'arith':
        return arithmetic(n);
      case 'negate': {
        const o = numeric(operand(n.operand), "unary '-'");
        return { kind: 'number', get: (row) => numberOf(o.get(row), (x) => -x) };
      }
      case 'call': {
        if (n.fn !== 'length') fail(`${n.name} is a condition, not a value`);
        const arr = jsonArgument(n);
        return { kind: 'number', get: (row) => { const v = arr.get(row); return Array.isArray(v) ? v.length : MISSING; } };
      }
      case 'not':
        return fail("'not' binds tighter than comparisons; write not (...) around the whole condition");
      default:
        return fail('a condition cannot be used as a value');
    }
  }

  const numberOf = (v, f) => (typeof v === 'number' ? f(v) : MISSING);

  function numeric(o, what) {
    if (o.kind !== 'number' && o.kind !== 'json') fail(`${what} needs numbers`);
    return o;
  }

  function arithmetic(n) {
    const l = numeric(operand(n.left), `arithmetic '${n.op}'`);
    const r = numeric(operand(n.right), `arithmetic '${n.op}'`);
    if (n.op === '%' && (l.floatLiteral || r.floatLiteral)) fail("'%' needs integers");
    return {
      kind: 'number',
      get: (row) => {
        const a = l.get(row);
        const b = r.get(row);
        if (typeof a !== 'number' || typeof b !== 'number') return MISSING;
        switch (n.op) {
          case '+': return a + b;
          case '-': return a - b;
          case '*': return a * b;
          case '/': return b === 0 ? MISSING : a / b; // always a float division, as Milvus
          default: {
            const x = Math.trunc(a);
            const y = Math.trunc(b);
            return y === 0 ? MISSING : x % y;
          }
        }
      },
    };
  }

  // Whether a value read from a row has the kind a comparison needs.
  const hasKind = (v, kind) => v !== MISSING && (kind === 'number' ? typeof v === 'number' : kind === 'string' ? typeof v === 'string' : typeof v === 'boolean');

  function comparison(op, left, right) {
    if (left.kind === 'list' || right.kind === 'list') fail(`'${op}' cannot compare with a list; use 'in'`);
    const equality = op === '==' || op === '!=';
    if (left.kind === 'json' && right.kind === 'json') {
      const kinds = equality ? ['number', 'string', 'bool'] : ['number', 'string'];
      return (row) => {
        const a = left.get(row);
        const b = right.get(row);
        return kinds.some((k) => hasKind(a, k) && hasKind(b, k)) && compareValues(op, a, b);
      };
    }
    const kind = left.kind === 'json' ? right.kind : left.kind;
    if (left.kind !== 'json' && right.kind !== 'json' && left.kind !== right.kind) fail(`'${op}' cannot compare ${left.kind} with ${right.kind}`);
    if (kind === 'bool' && !equality) fail(`'${op}' cannot order booleans`);
    return (row) => {
      const a = left.get(row);
      const b = right.get(row);
      return hasKind(a, kind) && hasKind(b, kind) && compareValues(op, a, b);
    };
  }

  function jsonArgument(n) {
    const first = n.args[0];
    if (first.type !== 'field' || operand(first).kind !== 'json') fail(`${n.name} needs a JSON field or path as its first argument`);
    return operand(first);
  }

  // An element equals a literal of its JSON type; a list literal equals an array of equal elements (Milvus matches
  // arrays of arrays: json_contains(x, [1, 2]) holds for x = [[1, 2], 3]).
  const sameJson = (element, literal) => (literal.type === 'list'
    ? Array.isArray(element) && element.length === literal.items.length && literal.items.every((item, k) => sameJson(element[k], item))
    : hasKind(element, literalKind(literal)) && element === literal.value);

  function contains(n) {
    const arr = jsonArgument(n);
    const second = n.args[1];
    if (n.fn === 'contains') {
      if (!isLiteral(second) && second.type !== 'list') fail(`the second argument of ${n.name} must be a literal`);
      return (row) => { const v = arr.get(row); return Array.isArray(v) && v.some((e) => sameJson(e, second)); };
    }
    if (second.type !== 'list') fail(`the second argument of ${n.name} must be a list`);
    if (n.fn === 'containsAll') {
      return (row) => { const v = arr.get(row); return Array.isArray(v) && second.items.every((i) => v.some((e) => sameJson(e, i))); };
    }
    return (row) => { const v = arr.get(row); return Array.isArray(v) && second.items.some((i) => v.some((e) => sameJson(e, i))); };
  }

  function predicate(n) {
    switch (n.type) {
      case 'and': {
        const l = predicate(n.left);
        const r = predicate(n.right);
        return (row) => l(row) && r(row);
      }
      case 'or': {
        const l = predicate(n.left);
        const r = predicate(n.right);
        return (row) => l(row) || r(row);
      }
      case 'not': {
        const p = predicate(n.operand);
        return (row) => !p(row);
      }
      case 'bool':
        return () => n.value;
      case 'compare':
        return comparison(n.op, operand(n.left), operand(n.right));
      case 'range': {
        const field = operand(n.field);
        const lower = comparison(n.lowerInclusive ? '<=' : '<', operand(n.lower), field);
        const upper = comparison(n.upperInclusive ? '<=' : '<', field, operand(n.upper));
        return (row) => lower(row) && upper(row);
      }
      case 'in': {
        const value = operand(n.value);
        if (value.kind === 'list') fail("'in' needs a field or value on its left");
        for (const item of n.items) {
          if (item.type === 'list') fail("'in' lists hold scalars only");
          if (value.kind !== 'json' && literalKind(item) !== value.kind) fail(`the 'in' list holds a ${literalKind(item)}, the value is a ${value.kind}`);
        }
        const member = (row) => {
          const v = value.get(row);
          return n.items.some((item) => hasKind(v, literalKind(item)) && compareValues('==', v, item.value));
        };
        return n.negated ? (row) => !member(row) : member;
      }
      case 'like': {
        const value = operand(n.value);
        if (value.kind !== 'string' && value.kind !== 'json') fail("'like' needs a string");
        const re = likeRegex(n.pattern);
        return (row) => { const v = value.get(row); return typeof v === 'string' && re.test(v); };
      }
      case 'exists': {
        const f = operand(n.field);
        if (f.kind !== 'json' || n.field.path.length === 0) fail("'exists' needs a key of a JSON field, such as meta[\"key\"]");
        return (row) => f.get(row) !== MISSING;
      }
      case 'isNull': {
        const f = operand(n.field);
        // A null field, a JSON null, or (for a path) a missing key.
        const isNull = (row) => { const v = f.get(row); return v === MISSING || v === null; };
        return n.negated ? (row) => !isNull(row) : isNull;
      }
      case 'call':
        if (n.fn === 'length') fail(`${n.name}(...) is a value, not a condition; compare it with something`);
        return contains(n);
      default:
        operand(n); // names the field errors first
        return fail('this is a value, not a condition; compare it with something (for example == true)');
    }
  }

  return predicate(tree);
}

// Null for an empty or blank expression (no filter).
function compileFilter(expression, fields) {
  if (!expression || !expression.trim()) return null;
  return compile(expression, fields);
}

// The primary keys of `pk in [...]` or `pk == v` (Milvus's "simple delete" forms), else null.
function primaryKeyTerms(expression, pkName) {
  let tree;
  try {
    tree = new Parser(expression).parse();
  } catch (e) {
    return null;
  }
  const isPk = (n) => n.type === 'field' && n.name === pkName && n.path.length === 0;
  if (tree.type === 'in' && !tree.negated && isPk(tree.value)) return tree.items.map((i) => i.value);
  if (tree.type === 'compare' && tree.op === '==' && isPk(tree.left) && isLiteral(tree.right)) return [tree.right.value];
  return null;
}

module.exports = { compileFilter, primaryKeyTerms, FilterError, compareStrings };
