#!/usr/bin/env node
// The stateful peer's filter language against the Milvus filter corpus
// (tests/MilvusOps.Engine.Tests/Filtering/Corpus, see its README): every case whose `versions` include 2.5.
//
//   parse.jsonl     the expression must be accepted, or refused with Milvus's 1100 "cannot parse expression"
//   template.jsonl  the same, with the case's `params` sent as the request's expr_template_values
//   eval.jsonl      the expression must match exactly the expected pattern_ids over the case's row set
//
// The cases run through the peer itself, in this process: the stateful mode (peer/stateful.js) holds one empty
// collection for the verdicts and one collection per row set of rows.json, written with Insert; every request is
// encoded and decoded with the official types first, as peer.js does, so filter.js sees rows and template values
// exactly as the peer stores and decodes them.
//
// Usage: node filter-corpus.js    prints a summary per file and every disagreement; exits 1 on any disagreement.
'use strict';

const fs = require('fs');
const path = require('path');
const { root, SERVICE, T, toObject } = require('./peer/official');
const { createStatefulMode } = require('./peer/stateful');
const { MilvusFailure } = require('./peer/status');

const LINE = '2.5';
const CORPUS = path.join(__dirname, '..', 'MilvusOps.Engine.Tests', 'Filtering', 'Corpus');

// Cases whose recorded outcome we believe is wrong for 2.5, with the reason. They are reported, not counted as
// disagreements; an entry that no longer matches a case, or that filter.js agrees with, is a disagreement (the
// corpus was fixed: drop the entry).
const DISPUTED = [];

// ------------------------------------------------------------------ the peer, in process

const service = root.lookupService(SERVICE);
const mode = createStatefulMode({ token: null, http: false, stateful: true, gpu: false, unavailableFirst: 0, rateLimitFirst: 0, unhealthy: false });

// Encodes the request and decodes it again with the official types (as peer.js does), then answers it.
function call(name, request) {
  const method = service.methods[name];
  method.resolve();
  const Req = method.resolvedRequestType;
  const decoded = toObject(Req, Req.decode(Req.encode(Req.fromObject(request)).finish()));
  return mode.respond(name, decoded, Req, method.resolvedResponseType, { dbHeader: '' });
}

function ok(response, what) {
  const status = response.status || response;
  if (status.code !== 0) throw new Error(`${what}: status ${status.code} ${status.reason}`);
  return response;
}

const kv = (key, value) => ({ key, value });
const DIM = 2;

function createCollection(name) {
  const Schema = T('milvus.proto.schema.CollectionSchema');
  const schema = Schema.encode(Schema.fromObject({
    name,
    fields: [
      { name: 'pattern_id', data_type: 'VarChar', is_primary_key: true, type_params: [kv('max_length', '64')] },
      { name: 'vector', data_type: 'FloatVector', type_params: [kv('dim', String(DIM))] },
      { name: 'pattern_type', data_type: 'VarChar', nullable: true, type_params: [kv('max_length', '256')] },
      { name: 'coherence_metrics', data_type: 'JSON', nullable: true },
      { name: 'temporal_context', data_type: 'JSON', nullable: true },
    ],
  })).finish();
  ok(call('CreateCollection', { collection_name: name, schema, shards_num: 1 }), `CreateCollection ${name}`);
  ok(call('CreateIndex', { collection_name: name, field_name: 'vector', extra_params: [kv('index_type', 'FLAT'), kv('metric_type', 'L2')] }), `CreateIndex ${name}`);
  ok(call('LoadCollection', { collection_name: name }), `LoadCollection ${name}`);
  while (Number(ok(call('GetLoadingProgress', { collection_name: name }), 'GetLoadingProgress').progress) < 100);
}

// A row set of rows.json, written as a client writes it: nullable columns carry valid_data and their valid rows only;
// a JSON column holds the document's text (json_text where the row gives the exact text).
function insertRows(name, rows) {
  const strings = (field, values) => ({ field_name: field, type: 'VarChar', scalars: { string_data: { data: values } } });
  const nullable = (column, values) => ({ ...column, valid_data: values.map((v) => v !== null) });
  const jsonText = (row, field) => (row.json_text && row.json_text[field] !== undefined ? row.json_text[field] : row[field] === null ? null : JSON.stringify(row[field]));
  const json = (field) => {
    const texts = rows.map((r) => jsonText(r, field));
    return nullable({ field_name: field, type: 'JSON', scalars: { json_data: { data: texts.filter((t) => t !== null).map((t) => Buffer.from(t, 'utf8')) } } }, texts);
  };
  const types = rows.map((r) => r.pattern_type);
  ok(call('Insert', {
    collection_name: name,
    num_rows: rows.length,
    fields_data: [
      strings('pattern_id', rows.map((r) => r.pattern_id)),
      { field_name: 'vector', type: 'FloatVector', vectors: { dim: DIM, float_vector: { data: rows.flatMap(() => [0, 0]) } } },
      nullable(strings('pattern_type', types.filter((t) => t !== null)), types),
      json('coherence_metrics'),
      json('temporal_context'),
    ],
  }), `Insert ${name}`);
}

// ------------------------------------------------------------------ template values as a client sends them

// A corpus line's JSON with every number as { number, int }: a number written with '.', 'e' or 'E' is a float,
// any other an integer (README), which JSON.parse would not tell apart.
function parseTyped(text) {
  let i = 0;
  const space = () => {
    while (/\s/.test(text[i] || '')) i++;
  };
  const token = (re) => {
    const m = re.exec(text.slice(i));
    i += m[0].length;
    return m[0];
  };
  const value = () => {
    space();
    const open = text[i];
    if (open === '{' || open === '[') {
      i++;
      const out = open === '{' ? {} : [];
      space();
      while (text[i] !== (open === '{' ? '}' : ']')) {
        if (open === '{') {
          space();
          const key = JSON.parse(token(/^"(?:[^"\\]|\\.)*"/));
          space();
          i++; // :
          out[key] = value();
        } else {
          out.push(value());
        }
        space();
        if (text[i] === ',') i++;
        space();
      }
      i++;
      return out;
    }
    if (open === '"') return JSON.parse(token(/^"(?:[^"\\]|\\.)*"/));
    const word = token(/^(true|false|null|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/);
    if (word === 'true' || word === 'false' || word === 'null') return JSON.parse(word);
    return { number: Number(word), int: !/[.eE]/.test(word) };
  };
  return value();
}

const isNumber = (v) => v !== null && typeof v === 'object' && 'number' in v;

// A param as a TemplateValue: a scalar by its type; a list of one element type as that type's data, a list of lists
// as array_data, any other list as json_data (one JSON text per element), as pymilvus builds them.
function templateValue(v) {
  if (typeof v === 'boolean') return { bool_val: v };
  if (typeof v === 'string') return { string_val: v };
  if (isNumber(v)) return v.int ? { int64_val: v.number } : { float_val: v.number };
  if (Array.isArray(v)) return { array_val: templateArray(v) };
  throw new Error(`a template value the corpus cannot send: ${JSON.stringify(v)}`);
}

function templateArray(items) {
  const kind = (v) => (isNumber(v) ? (v.int ? 'int' : 'float') : Array.isArray(v) ? 'list' : typeof v);
  const all = (k) => items.length > 0 && items.every((v) => kind(v) === k);
  if (all('boolean')) return { bool_data: { data: items } };
  if (all('int')) return { long_data: { data: items.map((v) => v.number) } };
  if (all('float')) return { double_data: { data: items.map((v) => v.number) } };
  if (all('string')) return { string_data: { data: items } };
  if (all('list')) return { array_data: { data: items.map(templateArray) } };
  return { json_data: { data: items.map((v) => Buffer.from(jsonText(v), 'utf8')) } };
}

// A JSON text that keeps a float written as one (2.0, not 2).
function jsonText(v) {
  if (isNumber(v)) return !v.int && Number.isInteger(v.number) ? `${v.number}.0` : String(v.number);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return JSON.stringify(v);
}

function templateValues(line) {
  const params = parseTyped(line).params;
  return Object.fromEntries(Object.entries(params).map(([name, v]) => [name, templateValue(v)]));
}

// ------------------------------------------------------------------ running the cases

const readLines = (file) => fs.readFileSync(path.join(CORPUS, file), 'utf8').split('\n')
  .map((text, i) => ({ text, line: i + 1 })).filter((l) => l.text.trim())
  .map((l) => ({ ...l, c: JSON.parse(l.text) }));

const forLine = (c) => c.versions.includes(LINE);

// The verdict of a query: { accepted: true, ids } or { accepted: false, reason }; a failure that is not a refused
// filter (a peer error, another Status) is { error }.
function query(collection, expr, templates) {
  try {
    const response = call('Query', { collection_name: collection, expr, output_fields: ['pattern_id'], expr_template_values: templates || {} });
    if (response.status.code !== 0) return { error: `status ${response.status.code} ${response.status.reason}` };
    const column = response.fields_data.find((f) => f.field_name === 'pattern_id');
    return { accepted: true, ids: column.scalars.string_data.data.slice().sort() };
  } catch (e) {
    if (e instanceof MilvusFailure && e.status.code === 1100 && /^cannot parse expression: /.test(e.status.reason)) return { accepted: false, reason: e.status.reason };
    return { error: e instanceof MilvusFailure ? `status ${e.status.code} ${e.status.reason}` : e.stack || String(e) };
  }
}

const describeSource = (c) => `${c.source.path} ${c.source.test}${c.note ? ` (${c.note})` : ''}`;

function main() {
  const files = { parse: readLines('parse.jsonl'), template: readLines('template.jsonl'), eval: readLines('eval.jsonl') };
  const rowSets = JSON.parse(fs.readFileSync(path.join(CORPUS, 'rows.json'), 'utf8'));

  createCollection('corpus_verdicts');
  const collections = {};
  for (const [set, rows] of Object.entries(rowSets)) {
    collections[set] = `corpus_rows_${set}`;
    createCollection(collections[set]);
    insertRows(collections[set], rows);
  }

  const disagreements = [];
  const disputed = [];
  const used = new Set();
  const summary = [];
  const dispute = (file, c) => DISPUTED.find((d) => d.file === file && d.expr === c.expr && d.valid === c.valid
    && JSON.stringify(d.params || null) === JSON.stringify(c.params || null));

  for (const [name, file] of [['parse', 'parse.jsonl'], ['template', 'template.jsonl']]) {
    let agree = 0;
    let set = 0;
    const cases = files[name].filter((l) => forLine(l.c));
    for (const { c, text, line } of cases) {
      const got = query('corpus_verdicts', c.expr, c.params ? templateValues(text) : undefined);
      const d = dispute(file, c);
      if (d) used.add(d);
      const agrees = !got.error && got.accepted === c.valid;
      if (d) {
        if (agrees) disagreements.push(`${file}:${line} is listed as disputed but filter.js now agrees: drop it from DISPUTED`);
        else {
          set++;
          disputed.push(`${file}:${line} ${c.expr}${c.params ? ` with ${JSON.stringify(c.params)}` : ''}: ${d.reason}`);
        }
        continue;
      }
      if (agrees) {
        agree++;
        continue;
      }
      const expected = c.valid ? 'accepted' : `refused (${c.reason})`;
      const actual = got.error ? `an error: ${got.error}` : got.accepted ? 'accepted' : `refused: ${got.reason}`;
      disagreements.push(`${file}:${line} ${c.expr}${c.params ? ` with ${JSON.stringify(c.params)}` : ''}\n    Milvus: ${expected}; peer: ${actual}\n    ${describeSource(c)}`);
    }
    summary.push(`${file}: ${agree} of ${cases.length} ${LINE} cases agree${set > 0 ? `, ${set} disputed` : ''}`);
  }

  let agree = 0;
  const cases = files.eval.filter((l) => forLine(l.c));
  for (const { c, line } of cases) {
    const got = query(collections[c.rows], c.expr);
    const expect = c.expect.slice().sort();
    if (!got.error && got.accepted && JSON.stringify(got.ids) === JSON.stringify(expect)) {
      agree++;
      continue;
    }
    const actual = got.error ? `an error: ${got.error}` : got.accepted ? `[${got.ids.join(',')}]` : `refused: ${got.reason}`;
    disagreements.push(`eval.jsonl:${line} ${c.expr} over ${c.rows}\n    Milvus: [${expect.join(',')}]; peer: ${actual}\n    ${describeSource(c)}`);
  }
  summary.push(`eval.jsonl: ${agree} of ${cases.length} ${LINE} cases agree`);

  for (const d of DISPUTED) if (!used.has(d)) disagreements.push(`the disputed ${d.file} case ${d.expr} is no longer in the corpus as recorded: drop it from DISPUTED`);

  console.log(`filter corpus, Milvus ${LINE} cases, against peer/filter.js:`);
  for (const line of summary) console.log(`  ${line}`);
  if (disputed.length > 0) {
    console.log(`${disputed.length} disputed (the corpus is believed wrong; not counted):`);
    for (const line of disputed) console.log(`  ${line}`);
  }
  if (disagreements.length > 0) {
    console.log(`${disagreements.length} disagreement(s):`);
    for (const line of disagreements) console.log(`  ${line}`);
    process.exit(1);
  }
  console.log('FILTER CORPUS OK');
}

main();
