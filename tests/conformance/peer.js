#!/usr/bin/env node
// The LIVE conformance peer: a gRPC server for milvus.proto.milvus.MilvusService built from the OFFICIAL Milvus
// definitions that @zilliz/milvus2-sdk-node ships (protobufjs JSON), served with @grpc/grpc-js over real HTTP/2.
// MilvusOps' generated C# client talks to it (tests/MilvusOps.Engine.Tests/Milvus/LivePeerTests.cs).
//
// Every request is decoded with the official types and its fields are validated; a failed validation answers
// INVALID_ARGUMENT with the reason. Responses are encoded with the official types. Fixed behaviour:
//   - the collection "patterns" has a fixed schema (dim 4); "missing" answers Status code 100 (collection not
//     found); "legacy22" answers a Milvus 2.2-style Status that carries only error_code (and reason);
//   - with --token T, every call must carry the metadata header `authorization: T`, else UNAUTHENTICATED.
//
// Usage: node peer.js [--token <authorization value>]
// Prints "LISTENING <port>" once bound to 127.0.0.1:<ephemeral>, then one line per call:
//   "CALL <Method> OK" | "CALL <Method> INVALID <reason>" | "CALL <Method> UNAUTHENTICATED".
// Exits when stdin closes (the test that started it is gone) or on SIGTERM/SIGINT.
'use strict';

const protobuf = require('protobufjs');
const grpc = require('@grpc/grpc-js');

const DEFINITIONS = '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js';
const SERVICE = 'milvus.proto.milvus.MilvusService';

const json = require(DEFINITIONS);
const official = protobuf.Root.fromJSON(json.default || json);
official.resolveAll();

const args = process.argv.slice(2);
const tokenAt = args.indexOf('--token');
const TOKEN = tokenAt >= 0 ? args[tokenAt + 1] : null;

const T = (name) => official.lookupType(name);
const ErrorCode = official.lookupEnum('milvus.proto.common.ErrorCode').values;

// ------------------------------------------------------------------ fixed data
const DB = 'default';
const COLLECTION = 'patterns';
const DIM = 4;
const COLLECTION_ID = '449713572544069633';
const TS = '449713572544069700';
const PATTERN_FIELDS = [
  { name: 'pattern_id', data_type: 'VarChar', is_primary_key: true, param: 'max_length' },
  { name: 'vector', data_type: 'FloatVector', is_primary_key: false, param: 'dim' },
  { name: 'pattern_type', data_type: 'VarChar', is_primary_key: false, param: 'max_length' },
  { name: 'coherence_metrics', data_type: 'JSON', is_primary_key: false, param: null },
  { name: 'temporal_context', data_type: 'JSON', is_primary_key: false, param: null },
];
const FIXED_PARAMS = { pattern_id: '64', vector: String(DIM), pattern_type: '32' };
// The vectors Query returns: 1, -0.0, smallest subnormal, float max; -1/3, largest subnormal, +0.0, -100.
const QUERY_VECTOR_BITS = [0x3f800000, 0x80000000, 0x00000001, 0x7f7fffff, 0xbeaaaaab, 0x007fffff, 0x00000000, 0xc2c80000];
const floatsFromBits = (bits) => Array.from(new Float32Array(new Uint32Array(bits).buffer));

// The MsgType each request's base must carry when it sets one.
const MSG_TYPES = {
  Connect: 'Connect', CreateCollection: 'CreateCollection', DescribeCollection: 'DescribeCollection',
  HasCollection: 'HasCollection', ShowCollections: 'ShowCollections', DropCollection: 'DropCollection',
  LoadCollection: 'LoadCollection', ReleaseCollection: 'ReleaseCollection',
  GetCollectionStatistics: 'GetCollectionStatistics', CreateIndex: 'CreateIndex', DescribeIndex: 'DescribeIndex',
  Insert: 'Insert', Upsert: 'Upsert', Delete: 'Delete', Flush: 'Flush', Query: 'Retrieve', Search: 'Search',
};

// ------------------------------------------------------------------ validation helpers
class Invalid extends Error {}
function need(ok, reason) {
  if (!ok) throw new Invalid(reason);
}
const kv = (list) => Object.fromEntries((list || []).map((p) => [p.key, p.value]));
const ok = () => ({ code: 0, error_code: 'Success', reason: '' });

function commonChecks(method, req, type) {
  if (type.fields.db_name) need(req.db_name === DB, `db_name is ${JSON.stringify(req.db_name)}, expected "${DB}"`);
  if (type.fields.base && req.base) {
    const expected = MSG_TYPES[method];
    if (expected) need(req.base.msg_type === expected, `base.msg_type is ${req.base.msg_type}, expected ${expected}`);
  }
  if (type.fields.collection_name && method !== 'ShowCollections') {
    need(typeof req.collection_name === 'string' && req.collection_name.length > 0, 'collection_name is empty');
  }
}

function f32bits(x) {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
}

function rowCount(col, where) {
  if (col.field === 'vectors') {
    const v = col.vectors;
    need(v.data === 'float_vector', `${where}: vector data is ${v.data}, expected float_vector`);
    const dim = Number(v.dim);
    need(dim > 0, `${where}: dim is ${v.dim}`);
    const n = v.float_vector.data.length;
    need(n % dim === 0, `${where}: ${n} floats are not whole rows of dim ${dim}`);
    return n / dim;
  }
  need(col.field === 'scalars', `${where}: the column carries no data`);
  const s = col.scalars;
  need(!!s.data, `${where}: the scalar column carries no data`);
  return s[s.data].data.length;
}

function checkColumns(method, req) {
  const n = req.num_rows;
  need(n > 0, `${method}: num_rows is ${n}`);
  const byName = {};
  for (const col of req.fields_data) {
    need(!byName[col.field_name], `${method}: column ${col.field_name} twice`);
    byName[col.field_name] = col;
    const rows = rowCount(col, `${method} column ${col.field_name}`);
    need(rows === n, `${method}: column ${col.field_name} has ${rows} rows, num_rows is ${n}`);
  }
  for (const f of PATTERN_FIELDS) {
    const col = byName[f.name];
    need(!!col, `${method}: no ${f.name} column`);
    need(col.type === f.data_type, `${method}: column ${f.name} type is ${col.type}, expected ${f.data_type}`);
  }
  need(Object.keys(byName).length === PATTERN_FIELDS.length, `${method}: unexpected columns ${Object.keys(byName)}`);
  const vec = byName.vector.vectors;
  need(Number(vec.dim) === DIM, `${method}: vector dim is ${vec.dim}, the collection has ${DIM}`);
  need(vec.float_vector.data.length === n * DIM, `${method}: ${vec.float_vector.data.length} floats for ${n} rows of dim ${DIM}`);
  need(byName.pattern_id.scalars.data === 'string_data', `${method}: pattern_id is not string_data`);
  need(byName.pattern_type.scalars.data === 'string_data', `${method}: pattern_type is not string_data`);
  const ids = byName.pattern_id.scalars.string_data.data;
  need(ids.every((id) => id.length > 0), `${method}: an empty pattern_id`);
  need(new Set(ids).size === ids.length, `${method}: duplicate pattern_id`);
  for (const name of ['coherence_metrics', 'temporal_context']) {
    const s = byName[name].scalars;
    need(s.data === 'json_data', `${method}: ${name} is ${s.data}, expected json_data`);
    s.json_data.data.forEach((doc, i) => {
      const text = Buffer.from(doc).toString('utf8');
      try {
        JSON.parse(text);
      } catch (e) {
        throw new Invalid(`${method}: ${name} row ${i} is not JSON: ${JSON.stringify(text)}`);
      }
    });
  }
  return ids;
}

function checkSchema(req) {
  let schema;
  try {
    schema = T('milvus.proto.schema.CollectionSchema').toObject(
      T('milvus.proto.schema.CollectionSchema').decode(req.schema), { enums: String, longs: String, defaults: true, arrays: true });
  } catch (e) {
    throw new Invalid(`schema bytes do not decode as the official CollectionSchema: ${e.message}`);
  }
  need(schema.name === req.collection_name, `schema.name ${schema.name} != collection_name ${req.collection_name}`);
  need(!schema.autoID && !schema.enable_dynamic_field, 'schema: autoID or enable_dynamic_field is set');
  need(schema.fields.length === PATTERN_FIELDS.length, `schema: ${schema.fields.length} fields, expected ${PATTERN_FIELDS.length}`);
  PATTERN_FIELDS.forEach((e, i) => {
    const f = schema.fields[i];
    const w = `schema field ${i} (${f.name})`;
    need(f.name === e.name, `${w}: expected ${e.name}`);
    need(f.data_type === e.data_type, `${w}: data_type ${f.data_type}, expected ${e.data_type}`);
    need(f.is_primary_key === e.is_primary_key, `${w}: is_primary_key ${f.is_primary_key}`);
    need(!f.autoID, `${w}: autoID is set`);
    const params = kv(f.type_params);
    if (e.param) need(/^[1-9][0-9]*$/.test(params[e.param] || ''), `${w}: type param ${e.param} is ${params[e.param]}`);
    need(Object.keys(params).length === (e.param ? 1 : 0), `${w}: type params ${JSON.stringify(params)}`);
  });
  return schema;
}

// ------------------------------------------------------------------ official responses
function patternSchema() {
  return {
    name: COLLECTION, description: 'patterns', autoID: false, enable_dynamic_field: false,
    fields: PATTERN_FIELDS.map((f, i) => ({
      fieldID: String(100 + i), name: f.name, data_type: f.data_type, is_primary_key: f.is_primary_key, autoID: false,
      type_params: f.param ? [{ key: f.param, value: FIXED_PARAMS[f.name] }] : [],
    })),
  };
}

function column(name, rows) {
  switch (name) {
    case 'pattern_id':
      return { type: 'VarChar', field_name: name, scalars: { string_data: { data: rows.map((r) => r.id) } } };
    case 'pattern_type':
      return { type: 'VarChar', field_name: name, scalars: { string_data: { data: rows.map((r) => r.type) } } };
    case 'coherence_metrics':
    case 'temporal_context':
      return { type: 'JSON', field_name: name, scalars: { json_data: { data: rows.map((r) => Buffer.from(r[name], 'utf8')) } } };
    case 'vector':
      return { type: 'FloatVector', field_name: name, vectors: { dim: DIM, float_vector: { data: rows.flatMap((r) => r.vector) } } };
    default:
      throw new Invalid(`unknown output field ${name}`);
  }
}

const KNOWN_FIELDS = new Set(PATTERN_FIELDS.map((f) => f.name));
function checkOutputFields(list) {
  for (const f of list) need(KNOWN_FIELDS.has(f), `output field ${f} is not in the schema`);
}

const handlers = {
  Connect(req) {
    need(!!req.client_info && req.client_info.sdk_type.length > 0, 'client_info.sdk_type is empty');
    return {
      status: ok(), identifier: '449713572544069001',
      server_info: { build_tags: 'v2.5.4', deploy_mode: 'STANDALONE', reserved: { peer: 'milvusops-conformance' } },
    };
  },
  CheckHealth: () => ({ status: ok(), isHealthy: true, reasons: [], quota_states: [] }),
  GetVersion: () => ({ status: ok(), version: 'v2.5.4' }),
  CreateCollection(req) {
    checkSchema(req);
    need(req.shards_num >= 1, `shards_num is ${req.shards_num}`);
    need(req.consistency_level === 'Bounded', `consistency_level is ${req.consistency_level}, expected Bounded`);
    return ok();
  },
  DescribeCollection: (req) => ({
    status: ok(), schema: patternSchema(), collectionID: COLLECTION_ID, collection_name: req.collection_name,
    db_name: DB, shards_num: 1, consistency_level: 'Bounded', created_timestamp: TS, created_utc_timestamp: '1700000000000',
    virtual_channel_names: ['by-dev-rootcoord-dml_0_449713572544069633v0'], aliases: [],
  }),
  HasCollection: (req) => ({ status: ok(), value: req.collection_name !== 'missing' }),
  ShowCollections: () => ({
    status: ok(), collection_names: [COLLECTION, 'legacy22'], collection_ids: [COLLECTION_ID, '449713572544069634'],
    created_timestamps: [TS, TS], created_utc_timestamps: ['1700000000000', '1700000000001'],
  }),
  DropCollection: () => ok(),
  LoadCollection(req) {
    need(req.replica_number >= 0, `replica_number is ${req.replica_number}`);
    return ok();
  },
  GetLoadState: () => ({ status: ok(), state: 'LoadStateLoaded' }),
  GetLoadingProgress: () => ({ status: ok(), progress: 100, refresh_progress: 0 }),
  ReleaseCollection: () => ok(),
  GetCollectionStatistics: () => ({ status: ok(), stats: [{ key: 'row_count', value: '3' }] }),
  CreateIndex(req) {
    need(req.field_name === 'vector', `field_name is ${req.field_name}, expected vector`);
    const p = kv(req.extra_params);
    for (const k of ['index_type', 'metric_type', 'params']) need(!!p[k], `extra_params has no ${k}`);
    try {
      need(typeof JSON.parse(p.params) === 'object', 'extra_params params is not a JSON object');
    } catch (e) {
      if (e instanceof Invalid) throw e;
      throw new Invalid(`extra_params params is not JSON: ${p.params}`);
    }
    return ok();
  },
  DescribeIndex: (req) => ({
    status: ok(),
    index_descriptions: [{
      index_name: 'vector_idx', indexID: '449713572544069700', field_name: 'vector',
      params: [{ key: 'index_type', value: 'HNSW' }, { key: 'metric_type', value: 'L2' }, { key: 'params', value: '{"M":16,"efConstruction":200}' }],
      indexed_rows: 3, total_rows: 3, pending_index_rows: 0, state: 'Finished', index_state_fail_reason: '',
    }],
  }),
  Insert(req) {
    const ids = checkColumns('Insert', req);
    return { status: ok(), IDs: { str_id: { data: ids } }, succ_index: ids.map((_, i) => i), insert_cnt: ids.length, timestamp: TS };
  },
  Upsert(req) {
    const ids = checkColumns('Upsert', req);
    return { status: ok(), IDs: { str_id: { data: ids } }, succ_index: ids.map((_, i) => i), upsert_cnt: ids.length, timestamp: TS };
  },
  Delete(req) {
    const m = /^pattern_id in \[(.*)\]$/.exec(req.expr);
    need(!!m, `expr ${JSON.stringify(req.expr)} is not 'pattern_id in [...]'`);
    let ids;
    try {
      ids = JSON.parse(`[${m[1]}]`);
    } catch (e) {
      throw new Invalid(`expr ${JSON.stringify(req.expr)}: the list is not a list of string literals`);
    }
    need(ids.length > 0 && ids.every((x) => typeof x === 'string'), 'expr: the list must hold strings');
    return { status: ok(), IDs: { str_id: { data: ids } }, delete_cnt: ids.length, timestamp: TS };
  },
  Flush(req) {
    need(req.collection_names.length > 0, 'collection_names is empty');
    const each = (f) => Object.fromEntries(req.collection_names.map((c) => [c, f(c)]));
    return {
      status: ok(), db_name: DB,
      coll_segIDs: each(() => ({ data: ['449713572544069801', '449713572544069802'] })),
      flush_coll_segIDs: each(() => ({ data: ['449713572544069801'] })),
      coll_seal_times: each(() => '1700000000'),
      coll_flush_ts: each(() => TS),
    };
  },
  GetFlushState(req) {
    need(req.flush_ts !== '0', 'flush_ts is 0');
    need(req.segmentIDs.length === 0 || req.segmentIDs.every((s) => s !== '0'), 'a segment id is 0');
    return { status: ok(), flushed: true };
  },
  Query(req) {
    need(req.expr.length > 0, 'expr is empty');
    checkOutputFields(req.output_fields);
    const outputs = req.output_fields.length > 0 ? req.output_fields : ['pattern_id'];
    const vectors = floatsFromBits(QUERY_VECTOR_BITS);
    const rows = [
      { id: 'p-1', type: 'alpha', vector: vectors.slice(0, 4), coherence_metrics: '{"quantum_coherence":0.9}', temporal_context: '{"t":[1,2]}' },
      { id: 'p-2', type: '', vector: vectors.slice(4, 8), coherence_metrics: '{}', temporal_context: '{}' },
    ];
    return {
      status: ok(), collection_name: req.collection_name, output_fields: outputs, primary_field_name: 'pattern_id',
      fields_data: outputs.map((name) => column(name, rows)),
    };
  },
  Search(req) {
    need(req.search_input === 'placeholder_group', 'search_input is not placeholder_group');
    need(req.dsl_type === 'BoolExprV1', `dsl_type is ${req.dsl_type}, expected BoolExprV1`);
    let group;
    try {
      group = T('milvus.proto.common.PlaceholderGroup').toObject(
        T('milvus.proto.common.PlaceholderGroup').decode(req.placeholder_group), { enums: String, defaults: true, arrays: true });
    } catch (e) {
      throw new Invalid(`placeholder_group does not decode as the official PlaceholderGroup: ${e.message}`);
    }
    need(group.placeholders.length === 1, `${group.placeholders.length} placeholders, expected 1`);
    const ph = group.placeholders[0];
    need(ph.tag === '$0', `placeholder tag ${ph.tag}, expected $0`);
    need(ph.type === 'FloatVector', `placeholder type ${ph.type}, expected FloatVector`);
    const nq = Number(req.nq);
    need(nq === ph.values.length, `nq is ${req.nq} but the placeholder holds ${ph.values.length} values`);
    ph.values.forEach((v, i) => need(v.length === DIM * 4, `placeholder value ${i} is ${v.length} bytes, expected dim*4 = ${DIM * 4}`));
    const p = kv(req.search_params);
    need(p.anns_field === 'vector', `search_params anns_field is ${p.anns_field}`);
    need(/^[1-9][0-9]*$/.test(p.topk || ''), `search_params topk is ${p.topk}`);
    need(['L2', 'IP', 'COSINE'].includes(p.metric_type), `search_params metric_type is ${p.metric_type}`);
    if (p.params !== undefined) {
      try {
        JSON.parse(p.params);
      } catch (e) {
        throw new Invalid(`search_params params is not JSON: ${p.params}`);
      }
    }
    checkOutputFields(req.output_fields);
    // Uneven topks: even queries get min(topk, 3) hits, odd ones 1; string ids "q<i>-<j>"; each hit's vector is
    // its query vector, so the client can check the bytes it sent came back.
    const topk = Number(p.topk);
    const topks = Array.from({ length: nq }, (_, i) => (i % 2 === 0 ? Math.min(topk, 3) : 1));
    const rows = [];
    const scores = [];
    topks.forEach((k, q) => {
      const bytes = Buffer.from(ph.values[q]);
      const vector = Array.from({ length: DIM }, (_, d) => bytes.readFloatLE(d * 4));
      for (let j = 0; j < k; j++) {
        rows.push({ id: `q${q}-${j}`, type: j === 0 ? '' : `t${q}${j}`, vector, coherence_metrics: `{"rank":${j}}`, temporal_context: '{}' });
        scores.push(0.5 * (q + 1) + j * 0.25);
      }
    });
    return {
      status: ok(), collection_name: req.collection_name,
      results: {
        num_queries: nq, top_k: topk, topks, scores, ids: { str_id: { data: rows.map((r) => r.id) } },
        output_fields: req.output_fields, primary_field_name: 'pattern_id',
        fields_data: req.output_fields.map((name) => column(name, rows)),
      },
    };
  },
};

// The collections a request names (for the "missing"/"legacy22" statuses).
const namedCollections = (req) => [req.collection_name, ...(req.collection_names || [])].filter((c) => c);

function failureStatus(collections) {
  if (collections.includes('missing')) {
    return { code: 100, error_code: 'CollectionNotExists', reason: 'collection not found[collection=missing]' };
  }
  if (collections.includes('legacy22')) {
    return { error_code: 'CollectionNotExists', reason: "can't find collection: legacy22" };
  }
  return null;
}

// ------------------------------------------------------------------ the service
const OURS = ['Connect', 'CheckHealth', 'GetVersion', 'CreateCollection', 'DescribeCollection', 'HasCollection',
  'ShowCollections', 'DropCollection', 'LoadCollection', 'GetLoadState', 'GetLoadingProgress', 'ReleaseCollection',
  'GetCollectionStatistics', 'CreateIndex', 'DescribeIndex', 'Insert', 'Upsert', 'Delete', 'Flush', 'GetFlushState',
  'Query', 'Search'];

const service = official.lookupService(SERVICE);
const definition = {};
const implementation = {};
const seen = [];

function log(line) {
  process.stdout.write(`${line}\n`);
}

for (const name of OURS) {
  const method = service.methods[name];
  if (!method) throw new Error(`${SERVICE}.${name} is not an official method`);
  method.resolve();
  const Req = method.resolvedRequestType;
  const Res = method.resolvedResponseType;
  definition[name] = {
    path: `/${SERVICE}/${name}`,
    originalName: name,
    requestStream: !!method.requestStream,
    responseStream: !!method.responseStream,
    requestSerialize: (obj) => Buffer.from(Req.encode(Req.fromObject(obj)).finish()),
    requestDeserialize: (buf) => Req.decode(buf),
    responseSerialize: (obj) => {
      const message = Res.fromObject(obj);
      const err = Res.verify(message);
      if (err) throw new Error(`${Res.fullName}: ${err}`);
      return Buffer.from(Res.encode(message).finish());
    },
    responseDeserialize: (buf) => Res.decode(buf),
  };
  implementation[name] = (call, callback) => {
    const record = { method: name, outcome: 'OK' };
    seen.push(record);
    if (TOKEN !== null) {
      const auth = call.metadata.get('authorization');
      if (auth.length !== 1 || auth[0] !== TOKEN) {
        record.outcome = 'UNAUTHENTICATED';
        log(`CALL ${name} UNAUTHENTICATED`);
        callback({ code: grpc.status.UNAUTHENTICATED, details: 'the authorization header is missing or wrong' });
        return;
      }
    }
    try {
      const req = Req.toObject(call.request, { enums: String, longs: String, defaults: true, arrays: true, objects: true, oneofs: true });
      commonChecks(name, req, Req);
      const handler = handlers[name];
      let response = handler(req);
      // HasCollection answers "missing" as Milvus does: success, value false.
      const failure = name === 'HasCollection' && req.collection_name === 'missing' ? null : failureStatus(namedCollections(req));
      if (failure) response = Res.fields.status ? { status: failure } : failure;
      log(`CALL ${name} OK`);
      callback(null, response);
    } catch (e) {
      if (e instanceof Invalid) {
        record.outcome = `INVALID ${e.message}`;
        log(`CALL ${name} INVALID ${e.message}`);
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `${name}: ${e.message}` });
      } else {
        record.outcome = `ERROR ${e.message}`;
        log(`CALL ${name} ERROR ${e.stack || e}`);
        callback({ code: grpc.status.INTERNAL, details: `${name}: peer error: ${e.message}` });
      }
    }
  };
}

const server = new grpc.Server();
server.addService(definition, implementation);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(`cannot bind: ${err.message}`);
    process.exit(2);
  }
  log(`LISTENING ${port}`);
});

function stop() {
  server.forceShutdown();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
