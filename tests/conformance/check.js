#!/usr/bin/env node
// Conformance of MilvusOps' own Milvus .proto subset and wire payloads against the OFFICIAL Milvus
// definitions that @zilliz/milvus2-sdk-node ships (protobufjs JSON, original field names).
//
// Usage: node check.js <folder>
//   <folder>/descriptors.json   our descriptors, dumped by the C# ConformanceTests
//   <folder>/ours/*.bin         payloads our C# encoders wrote, with <folder>/ours/expected.json
//   <folder>/official/*.bin     written here: responses encoded with the official definitions
// Exits 0 when everything matches, 1 on any mismatch, 2 on a usage or setup error.
'use strict';

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');

const DEFINITIONS = '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: node check.js <folder>');
  process.exit(2);
}

let official;
try {
  const json = require(DEFINITIONS);
  official = protobuf.Root.fromJSON(json.default || json);
  official.resolveAll();
} catch (e) {
  console.error(`cannot load the official definitions (${DEFINITIONS}): ${e.message}`);
  process.exit(2);
}
const sdkVersion = require('@zilliz/milvus2-sdk-node/package.json').version;

const failures = [];
let checks = 0;
function expect(ok, what) {
  checks++;
  if (!ok) failures.push(what);
  return ok;
}
function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  return expect(a === e, `${what}: got ${a}, expected ${e}`);
}
const lookup = (name) => {
  try {
    return official.lookup(name);
  } catch (e) {
    return null;
  }
};
const stripDot = (n) => (n && n.startsWith('.') ? n.slice(1) : n);

// ------------------------------------------------------------------ (a) descriptors
const SCALARS = new Set(['double', 'float', 'int64', 'uint64', 'int32', 'fixed64', 'fixed32', 'bool',
  'string', 'bytes', 'uint32', 'sfixed32', 'sfixed64', 'sint32', 'sint64']);

function officialFieldType(field) {
  return field.resolvedType ? stripDot(field.resolvedType.fullName) : field.type;
}

function checkDescriptors(ours) {
  const report = { messages: [], enums: [], rpcs: [] };
  for (const [name, msg] of Object.entries(ours.messages)) {
    const type = lookup(name);
    if (!expect(type instanceof protobuf.Type, `message ${name}: not an official message`)) continue;
    report.messages.push(name);
    for (const f of msg.fields) {
      const where = `${name}.${f.name}`;
      const of = type.fields[f.name];
      if (!expect(!!of, `${where}: no official field of that name`)) continue;
      of.resolve();
      eq(f.number, of.id, `${where} number`);
      if (f.map) {
        expect(of.map === true, `${where}: ours is a map, the official field is not`);
        if (of.map) {
          eq(f.keyType, of.keyType, `${where} map key type`);
          eq(f.type, officialFieldType(of), `${where} map value type`);
        }
      } else {
        expect(!of.map, `${where}: the official field is a map, ours is not`);
        eq(f.type, officialFieldType(of), `${where} type`);
        eq(f.repeated, of.repeated, `${where} repeated`);
      }
      const officialOneof = of.partOf ? of.partOf.name : null;
      eq(f.oneof, officialOneof, `${where} oneof`);
      if (!SCALARS.has(f.type) && !f.map) {
        expect(!!lookup(f.type), `${where}: type ${f.type} is not official`);
      }
    }
  }
  for (const [name, en] of Object.entries(ours.enums)) {
    const type = lookup(name);
    if (!expect(type instanceof protobuf.Enum, `enum ${name}: not an official enum`)) continue;
    report.enums.push(name);
    for (const [value, number] of Object.entries(en.values)) {
      eq(number, type.values[value], `${name}.${value}`);
    }
  }
  for (const [name, svc] of Object.entries(ours.services)) {
    const service = lookup(name);
    if (!expect(service instanceof protobuf.Service, `service ${name}: not an official service`)) continue;
    for (const [method, m] of Object.entries(svc.methods)) {
      const om = service.methods[method];
      if (!expect(!!om, `rpc ${name}.${method}: not an official method`)) continue;
      om.resolve();
      report.rpcs.push(method);
      eq(m.request, stripDot(om.resolvedRequestType.fullName), `rpc ${method} request`);
      eq(m.response, stripDot(om.resolvedResponseType.fullName), `rpc ${method} response`);
      eq(m.clientStreaming, !!om.requestStream, `rpc ${method} client streaming`);
      eq(m.serverStreaming, !!om.responseStream, `rpc ${method} server streaming`);
    }
  }
  return report;
}

// ------------------------------------------------------------------ (b) our payloads, official decode
const T = (name) => official.lookupType(name);
const f32bits = (x) => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
};
const bitsOfBytes = (buf) => {
  const out = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i + 4 <= buf.byteLength; i += 4) out.push(view.getUint32(i, true));
  return out;
};
const decode = (type, file) => T(type).decode(fs.readFileSync(path.join(folder, 'ours', file)));

function checkColumns(where, fieldsData, rows, numRows) {
  eq(numRows, rows.length, `${where} num_rows`);
  const byName = Object.fromEntries(fieldsData.map((f) => [f.field_name, f]));
  const DataType = official.lookupEnum('milvus.proto.schema.DataType').values;
  const pid = byName.pattern_id;
  if (expect(!!pid, `${where}: no pattern_id column`)) {
    eq(pid.type, DataType.VarChar, `${where} pattern_id type`);
    eq(pid.field, 'scalars', `${where} pattern_id oneof`);
    eq(pid.scalars.string_data.data, rows.map((r) => r.pattern_id), `${where} pattern_id values`);
  }
  const vec = byName.vector;
  if (expect(!!vec, `${where}: no vector column`)) {
    eq(vec.type, DataType.FloatVector, `${where} vector type`);
    eq(vec.field, 'vectors', `${where} vector oneof`);
    const dim = rows[0].vector_bits.length;
    eq(Number(vec.vectors.dim), dim, `${where} vector dim`);
    eq(vec.vectors.data, 'float_vector', `${where} vector data oneof`);
    eq(vec.vectors.float_vector.data.map(f32bits), rows.flatMap((r) => r.vector_bits), `${where} vector float bits (row-major)`);
  }
  // Nullable columns: one valid_data flag per row, data for the valid rows only (the layout the 2.5 proxy expands).
  eq(pid.valid_data || [], [], `${where} pattern_id valid_data (not nullable)`);
  const nonNull = (name) => rows.filter((r) => r[name] !== null).map((r) => r[name]);
  const type = byName.pattern_type;
  if (expect(!!type, `${where}: no pattern_type column`)) {
    eq(type.type, DataType.VarChar, `${where} pattern_type type`);
    eq(type.valid_data, rows.map((r) => r.pattern_type !== null), `${where} pattern_type valid_data`);
    eq(type.scalars.string_data.data, nonNull('pattern_type'), `${where} pattern_type values`);
  }
  for (const name of ['coherence_metrics', 'temporal_context']) {
    const col = byName[name];
    if (!expect(!!col, `${where}: no ${name} column`)) continue;
    eq(col.type, DataType.JSON, `${where} ${name} type`);
    eq(col.scalars.data, 'json_data', `${where} ${name} scalar oneof`);
    eq(col.valid_data, rows.map((r) => r[name] !== null), `${where} ${name} valid_data`);
    const docs = col.scalars.json_data.data.map((b) => Buffer.from(b).toString('utf8'));
    eq(docs, nonNull(name), `${where} ${name} documents`);
    for (const d of docs) {
      let ok = true;
      try { JSON.parse(d); } catch (e) { ok = false; }
      expect(ok, `${where} ${name}: ${JSON.stringify(d)} is not a JSON document`);
    }
  }
}

function checkSchema(where, schema, exp) {
  eq(schema.name, exp.name, `${where} name`);
  eq(schema.description || '', exp.description, `${where} description`);
  eq(!!schema.enable_dynamic_field, false, `${where} enable_dynamic_field`);
  eq(schema.fields.length, exp.fields.length, `${where} field count`);
  const DataType = official.lookupEnum('milvus.proto.schema.DataType').values;
  exp.fields.forEach((e, i) => {
    const f = schema.fields[i] || {};
    const w = `${where} field ${e.name}`;
    eq(f.name, e.name, `${w} name`);
    eq(f.data_type, DataType[e.data_type], `${w} data_type`);
    eq(!!f.is_primary_key, e.is_primary_key, `${w} is_primary_key`);
    eq(!!f.autoID, false, `${w} autoID`);
    const params = Object.fromEntries((f.type_params || []).map((kv) => [kv.key, kv.value]));
    eq(params, e.type_params, `${w} type_params`);
    eq(!!f.nullable, e.nullable, `${w} nullable`);
    eq(!!f.is_partition_key, e.is_partition_key, `${w} is_partition_key`);
  });
}

function checkPayloads(exp) {
  // SearchRequest with a PlaceholderGroup.
  const search = decode('milvus.proto.milvus.SearchRequest', 'search_request.bin');
  eq(search.collection_name, exp.search.collection_name, 'SearchRequest collection_name');
  eq(search.dsl, exp.search.dsl, 'SearchRequest dsl');
  eq(search.search_input, 'placeholder_group', 'SearchRequest search_input oneof');
  eq(Number(search.nq), exp.search.queries_bits.length, 'SearchRequest nq');
  eq(search.dsl_type, official.lookupEnum('milvus.proto.common.DslType').values.BoolExprV1, 'SearchRequest dsl_type');
  const params = Object.fromEntries(search.search_params.map((kv) => [kv.key, kv.value]));
  eq(params, exp.search.search_params, 'SearchRequest search_params');
  const group = T('milvus.proto.common.PlaceholderGroup').decode(search.placeholder_group);
  eq(group.placeholders.length, 1, 'PlaceholderGroup placeholder count');
  const ph = group.placeholders[0] || { values: [] };
  eq(ph.tag, '$0', 'PlaceholderValue tag');
  eq(ph.type, official.lookupEnum('milvus.proto.common.PlaceholderType').values.FloatVector, 'PlaceholderValue type');
  eq(ph.values.length, exp.search.queries_bits.length, 'PlaceholderValue values (one per query)');
  ph.values.forEach((v, i) => {
    const q = exp.search.queries_bits[i] || [];
    eq(v.length, q.length * 4, `PlaceholderValue values[${i}] byte length (dim x 4)`);
    eq(bitsOfBytes(v), q, `PlaceholderValue values[${i}] float32 LE bits`);
    // And as the floats a reader gets: Float32Array over the bytes, little-endian.
    const floats = Array.from({ length: v.length / 4 }, (_, k) => Buffer.from(v).readFloatLE(k * 4));
    eq(floats.map(f32bits), q, `PlaceholderValue values[${i}] floats`);
  });

  // Upsert and insert with FieldData columns.
  const upsert = decode('milvus.proto.milvus.UpsertRequest', 'upsert_request.bin');
  eq(upsert.collection_name, exp.collection_name, 'UpsertRequest collection_name');
  checkColumns('UpsertRequest', upsert.fields_data, exp.rows, upsert.num_rows);
  const insert = decode('milvus.proto.milvus.InsertRequest', 'insert_request.bin');
  checkColumns('InsertRequest', insert.fields_data, exp.rows, insert.num_rows);

  // The schema, both alone and inside CreateCollectionRequest.schema (bytes).
  checkSchema('CollectionSchema', decode('milvus.proto.schema.CollectionSchema', 'collection_schema.bin'), exp.schema);
  const create = decode('milvus.proto.milvus.CreateCollectionRequest', 'create_collection_request.bin');
  eq(create.collection_name, exp.schema.name, 'CreateCollectionRequest collection_name');
  eq(create.consistency_level, official.lookupEnum('milvus.proto.common.ConsistencyLevel').values.Bounded,
    'CreateCollectionRequest consistency_level');
  checkSchema('CreateCollectionRequest.schema', T('milvus.proto.schema.CollectionSchema').decode(create.schema), exp.schema);
  eq(String(create.num_partitions), '64', 'CreateCollectionRequest num_partitions');

  // GetLoadStateRequest: collection_name is field 2 there.
  const load = decode('milvus.proto.milvus.GetLoadStateRequest', 'get_load_state_request.bin');
  eq(load.collection_name, exp.collection_name, 'GetLoadStateRequest collection_name');
  eq(load.db_name, 'default', 'GetLoadStateRequest db_name');
}

// ------------------------------------------------------------------ (c) official responses for our decoders
// The values here are fixed; the C# ConformanceTests expects exactly them.
const floatsFromBits = (bits) => Array.from(new Float32Array(new Uint32Array(bits).buffer));
const OFFICIAL_VECTOR_BITS = [
  [0x3f800000, 0x80000000, 0x00000001, 0x7f7fffff], // 1, -0.0, smallest subnormal, float.MaxValue
  [0xbeaaaaab, 0x007fffff, 0x00000000, 0xc2c80000], // -1/3, largest subnormal, +0.0, -100
];

function writeOfficial() {
  const out = path.join(folder, 'official');
  fs.mkdirSync(out, { recursive: true });
  const write = (type, file, value) => {
    const Type = T(type);
    const message = Type.fromObject(value);
    const err = Type.verify(message);
    if (err) throw new Error(`${type}: ${err}`);
    fs.writeFileSync(path.join(out, file), Type.encode(message).finish());
  };
  const DataType = official.lookupEnum('milvus.proto.schema.DataType').values;
  const utf8 = (s) => Buffer.from(s, 'utf8');

  // Two queries, uneven topks (3 and 1), string ids, output fields.
  write('milvus.proto.milvus.SearchResults', 'search_results_str.bin', {
    status: { code: 0 },
    collection_name: 'patterns',
    results: {
      num_queries: 2,
      top_k: 3,
      topks: [3, 1],
      ids: { str_id: { data: ['a', 'b', 'c', 'd'] } },
      scores: [0.5, 0.25, 0.125, 2.5],
      output_fields: ['pattern_type', 'coherence_metrics'],
      primary_field_name: 'pattern_id',
      fields_data: [
        { type: DataType.VarChar, field_name: 'pattern_type', scalars: { string_data: { data: ['t1', 't2', '', 't4'] } } },
        {
          type: DataType.JSON, field_name: 'coherence_metrics',
          scalars: { json_data: { data: ['{"q":1}', '{}', '{"q":3}', '{"ü":"✓"}'].map(utf8) } },
        },
      ],
    },
  });
  // Three queries with int64 ids; the first has no hits.
  write('milvus.proto.milvus.SearchResults', 'search_results_int.bin', {
    status: {},
    results: {
      num_queries: 3,
      top_k: 2,
      topks: [0, 2, 1],
      ids: { int_id: { data: [9007199254740993n.toString(), '-5', '42'] } },
      scores: [1.5, -0.75, 3],
    },
  });
  // Query results: two patterns, vectors with -0.0 and subnormals; the second has null pattern_type and metrics.
  write('milvus.proto.milvus.QueryResults', 'query_results.bin', {
    status: { code: 0 },
    collection_name: 'patterns',
    output_fields: ['pattern_id', 'vector', 'pattern_type', 'coherence_metrics', 'temporal_context'],
    primary_field_name: 'pattern_id',
    fields_data: [
      { type: DataType.VarChar, field_name: 'pattern_id', scalars: { string_data: { data: ['p-1', 'p-2'] } } },
      {
        type: DataType.FloatVector, field_name: 'vector',
        vectors: { dim: 4, float_vector: { data: floatsFromBits(OFFICIAL_VECTOR_BITS.flat()) } },
      },
      // Nullable columns as Milvus 2.5 answers them: full length, a placeholder at a null row, valid_data false.
      { type: DataType.VarChar, field_name: 'pattern_type', scalars: { string_data: { data: ['alpha', ''] } }, valid_data: [true, false] },
      {
        type: DataType.JSON, field_name: 'coherence_metrics', valid_data: [true, false],
        scalars: { json_data: { data: ['{"quantum_coherence":0.9}', ''].map(utf8) } },
      },
      {
        type: DataType.JSON, field_name: 'temporal_context',
        scalars: { json_data: { data: ['{"t":[1,2]}', '{}'].map(utf8) } },
      },
    ],
  });
  const ErrorCode = official.lookupEnum('milvus.proto.common.ErrorCode').values;
  write('milvus.proto.common.Status', 'status_ok.bin', {});
  write('milvus.proto.common.Status', 'status_code100.bin', {
    code: 100, reason: 'collection not found[collection=missing]', retriable: false,
  });
  write('milvus.proto.common.Status', 'status_retriable.bin', { code: 8, reason: 'rate limit exceeded', retriable: true });
  write('milvus.proto.common.Status', 'status_error_code_only.bin', {
    error_code: ErrorCode.CollectionNotExists, reason: "can't find collection: missing",
  });
  write('milvus.proto.common.Status', 'status_both.bin', {
    error_code: ErrorCode.UnexpectedError, code: 1100, reason: 'invalid parameter',
  });
  // A MutationResult with string IDs.
  write('milvus.proto.milvus.MutationResult', 'mutation_result.bin', {
    status: {}, IDs: { str_id: { data: ['p-1', 'p-2'] } }, upsert_cnt: 2, timestamp: '449713572544069633',
  });
  return fs.readdirSync(out).sort();
}

// ------------------------------------------------------------------ main
try {
  console.log(`official definitions: @zilliz/milvus2-sdk-node ${sdkVersion}, ${DEFINITIONS}`);
  const ours = JSON.parse(fs.readFileSync(path.join(folder, 'descriptors.json'), 'utf8'));
  const report = checkDescriptors(ours);
  console.log(`(a) descriptors: ${report.messages.length} messages, ${report.enums.length} enums, ${report.rpcs.length} rpcs`);
  console.log(`    messages: ${report.messages.join(', ')}`);
  console.log(`    enums: ${report.enums.join(', ')}`);
  console.log(`    rpcs: ${report.rpcs.join(', ')}`);
  const expected = JSON.parse(fs.readFileSync(path.join(folder, 'ours', 'expected.json'), 'utf8'));
  checkPayloads(expected);
  console.log('(b) our payloads decoded with the official definitions');
  const written = writeOfficial();
  console.log(`(c) official responses written: ${written.join(', ')}`);
} catch (e) {
  failures.push(`error: ${e.stack || e}`);
}

console.log(`${checks} checks, ${failures.length} failed`);
for (const f of failures) console.log(`MISMATCH ${f}`);
process.exit(failures.length === 0 ? 0 : 1);
