'use strict';
// The default (stateless) mode: one fixed collection whose answers are chosen to exercise a client's decoders, and
// strict checks of what MilvusOps' client must send. LivePeerTests drives it.
//   - the collection "patterns" has a fixed schema (dim 4); "missing" answers Status code 100 (collection not
//     found); "legacy22" answers a Milvus 2.2-style Status that carries only error_code (and reason).
//   - "patterns" has one alias, "patterns_live"; the alias "missing" answers Status code 1600 (alias not found).
//   - two databases, "default" and "archive"; DescribeDatabase of "missing" answers Status code 800.
//   - "patterns" has two flushed segments (801: 2 rows, 802: 1 row), both loaded; compactions are Completed.
//   - the server version is v2.5.4, or the one --server-version names: this mode evaluates no filter, it checks that
//     every {placeholder} of Query's and Search's expression has a template value beside it.

const { Invalid, need, kv, checkEnvelope, decodeSchema, searchVectors, valueCount } = require('./validate');

// ------------------------------------------------------------------ fixed data
const DB = 'default';
const COLLECTION = 'patterns';
const DIM = 4;
const COLLECTION_ID = '449713572544069633';
const ALIAS = 'patterns_live';
const TS = '449713572544069700';
const PARTITION_ID = '449713572544069634';
const SEGMENTS = [{ id: '449713572544069801', rows: '2' }, { id: '449713572544069802', rows: '1' }];
const COMPACTION_ID = '449713572544069950';
// Database creation times are Unix nanoseconds (rootcoord's time.Now().UnixNano()), not hybrid timestamps.
const DATABASES = [
  { name: DB, id: '1', created: '1700000000000000000' },
  { name: 'archive', id: '449713572544069500', created: '1700000001000000000' },
];
// The RPCs whose db_name is the database they act on, not the one the request runs in.
const DATABASE_TARGETS = ['CreateDatabase', 'DropDatabase', 'DescribeDatabase'];
const PATTERN_FIELDS = [
  { name: 'pattern_id', data_type: 'VarChar', is_primary_key: true, param: 'max_length' },
  { name: 'vector', data_type: 'FloatVector', is_primary_key: false, param: 'dim' },
  { name: 'pattern_type', data_type: 'VarChar', is_primary_key: false, param: 'max_length', nullable: true },
  { name: 'coherence_metrics', data_type: 'JSON', is_primary_key: false, param: null, nullable: true },
  { name: 'temporal_context', data_type: 'JSON', is_primary_key: false, param: null, nullable: true },
];
const FIXED_PARAMS = { pattern_id: '64', vector: String(DIM), pattern_type: '32' };
// The vectors Query returns: 1, -0.0, smallest subnormal, float max; -1/3, largest subnormal, +0.0, -100.
const QUERY_VECTOR_BITS = [0x3f800000, 0x80000000, 0x00000001, 0x7f7fffff, 0xbeaaaaab, 0x007fffff, 0x00000000, 0xc2c80000];
const floatsFromBits = (bits) => Array.from(new Float32Array(new Uint32Array(bits).buffer));

const ok = () => ({ code: 0, error_code: 'Success', reason: '' });

function commonChecks(method, req, type) {
  if (DATABASE_TARGETS.includes(method)) {
    need(req.db_name.length > 0, 'db_name is empty');
  } else if (type.fields.db_name) {
    need(req.db_name === DB, `db_name is ${JSON.stringify(req.db_name)}, expected "${DB}"`);
  }
  // GetPersistentSegmentInfo and GetQuerySegmentInfo spell them dbName and collectionName.
  if (type.fields.dbName) need(req.dbName === DB, `dbName is ${JSON.stringify(req.dbName)}, expected "${DB}"`);
  if (type.fields.collectionName) need(req.collectionName.length > 0, 'collectionName is empty');
  checkEnvelope(method, req, type, ['ListAliases', 'GetReplicas', 'ManualCompaction']);
}

function checkColumns(method, req) {
  const n = req.num_rows;
  need(n > 0, `${method}: num_rows is ${n}`);
  const byName = {};
  const nullable = new Set(PATTERN_FIELDS.filter((f) => f.nullable).map((f) => f.name));
  for (const col of req.fields_data) {
    need(!byName[col.field_name], `${method}: column ${col.field_name} twice`);
    byName[col.field_name] = col;
    const values = valueCount(col, `${method} column ${col.field_name}`);
    const flags = col.valid_data || [];
    if (nullable.has(col.field_name)) {
      // A nullable column: one valid_data flag per row, and values for the valid rows only (compact).
      need(flags.length === n, `${method}: column ${col.field_name} has ${flags.length} valid_data flags, num_rows is ${n}`);
      const valid = flags.filter(Boolean).length;
      need(values === valid, `${method}: column ${col.field_name} has ${values} values for ${valid} valid rows`);
    } else {
      need(flags.length === 0, `${method}: column ${col.field_name} is not nullable but has valid_data`);
      need(values === n, `${method}: column ${col.field_name} has ${values} rows, num_rows is ${n}`);
    }
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
  const schema = decodeSchema(req.schema);
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
    need(!!f.nullable === !!e.nullable, `${w}: nullable is ${!!f.nullable}, expected ${!!e.nullable}`);
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
      nullable: !!f.nullable,
      type_params: f.param ? [{ key: f.param, value: FIXED_PARAMS[f.name] }] : [],
    })),
  };
}

// Nullable result columns come back as Milvus 2.5 answers them: full length, a placeholder at a null row, valid_data.
function column(name, rows) {
  switch (name) {
    case 'pattern_id':
      return { type: 'VarChar', field_name: name, scalars: { string_data: { data: rows.map((r) => r.id) } } };
    case 'pattern_type':
      return {
        type: 'VarChar', field_name: name, valid_data: rows.map((r) => r.type !== null),
        scalars: { string_data: { data: rows.map((r) => r.type ?? '') } },
      };
    case 'coherence_metrics':
    case 'temporal_context':
      return {
        type: 'JSON', field_name: name, valid_data: rows.map((r) => r[name] !== null),
        scalars: { json_data: { data: rows.map((r) => Buffer.from(r[name] ?? '', 'utf8')) } },
      };
    case 'vector':
      return { type: 'FloatVector', field_name: name, vectors: { dim: DIM, float_vector: { data: rows.flatMap((r) => r.vector) } } };
    default:
      throw new Invalid(`unknown output field ${name}`);
  }
}

const KNOWN_FIELDS = new Set(PATTERN_FIELDS.map((f) => f.name));
// The {name} placeholders of an expression, outside its string literals.
function placeholders(expr) {
  const names = [];
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'") {
      for (i++; i < expr.length && expr[i] !== c; i++) if (expr[i] === '\\') i++;
    } else if (c === '{') {
      const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(expr.slice(i));
      if (m) names.push(m[1]);
    }
  }
  return names;
}

function checkTemplateValues(expr, values) {
  for (const name of placeholders(expr)) {
    need(values && values[name] !== undefined, `the value of expression template variable name {${name}} is not found`);
  }
}

function checkOutputFields(list) {
  for (const f of list) need(KNOWN_FIELDS.has(f), `output field ${f} is not in the schema`);
}

const handlers = {
  Connect(req, { serverVersion }) {
    need(!!req.client_info && req.client_info.sdk_type.length > 0, 'client_info.sdk_type is empty');
    return {
      status: ok(), identifier: '449713572544069001',
      server_info: { build_tags: serverVersion, deploy_mode: 'STANDALONE', reserved: { peer: 'milvusops-conformance' } },
    };
  },
  CheckHealth: () => ({ status: ok(), isHealthy: true, reasons: [], quota_states: [] }),
  GetVersion: (req, { serverVersion }) => ({ status: ok(), version: serverVersion }),
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
  AlterCollection(req) {
    need(req.properties.length > 0, 'properties is empty');
    return ok();
  },
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
  GetComponentStates: () => ({
    status: ok(), state: { nodeID: '1', role: 'proxy', state_code: 'Healthy', extra_info: [] }, subcomponent_states: [],
  }),
  GetReplicas(req) {
    need(req.collection_name !== '' || req.collectionID !== '0', 'neither collection_name nor collectionID is set');
    return {
      status: ok(),
      replicas: [{
        replicaID: '449713572544069900', collectionID: COLLECTION_ID, partition_ids: [], node_ids: ['1'],
        resource_group_name: '__default_resource_group', num_outbound_node: {},
        shard_replicas: [{ leaderID: '1', leader_addr: '127.0.0.1:21123', dm_channel_name: 'by-dev-rootcoord-dml_0_449713572544069633v0', node_ids: ['1'] }],
      }],
    };
  },
  DropIndex: () => ok(),
  CreateAlias(req) {
    need(req.alias.length > 0, 'alias is empty');
    return ok();
  },
  AlterAlias(req) {
    need(req.alias.length > 0, 'alias is empty');
    return ok();
  },
  DropAlias(req) {
    need(req.alias.length > 0, 'alias is empty');
    return ok();
  },
  DescribeAlias(req) {
    need(req.alias.length > 0, 'alias is empty');
    if (req.alias === 'missing') {
      return { status: { code: 1600, error_code: 'UnexpectedError', reason: 'alias not found[database=default][alias=missing]' } };
    }
    return { status: ok(), db_name: DB, alias: req.alias, collection: COLLECTION };
  },
  ListAliases: (req) => ({ status: ok(), db_name: DB, collection_name: req.collection_name, aliases: [ALIAS] }),
  ManualCompaction(req) {
    need(req.collection_name !== '' || req.collectionID !== '0', 'neither collection_name nor collectionID is set');
    need(!req.majorCompaction, 'majorCompaction is set');
    return { status: ok(), compactionID: COMPACTION_ID, compactionPlanCount: 1 };
  },
  GetCompactionState(req) {
    need(req.compactionID !== '0', 'compactionID is 0');
    return { status: ok(), state: 'Completed', executingPlanNo: 0, timeoutPlanNo: 0, completedPlanNo: 1, failedPlanNo: 0 };
  },
  GetPersistentSegmentInfo: () => ({
    status: ok(),
    infos: SEGMENTS.map((s) => ({
      segmentID: s.id, collectionID: COLLECTION_ID, partitionID: PARTITION_ID, num_rows: s.rows, state: 'Flushed', level: 'L1', is_sorted: true,
    })),
  }),
  GetQuerySegmentInfo: () => ({
    status: ok(),
    infos: SEGMENTS.map((s) => ({
      segmentID: s.id, collectionID: COLLECTION_ID, partitionID: PARTITION_ID, mem_size: 0, num_rows: s.rows, index_name: 'vector_idx',
      indexID: '449713572544069700', nodeID: 0, state: 'Sealed', nodeIds: ['1'], level: 'L1', is_sorted: true,
    })),
  }),
  ListDatabases: () => ({
    status: ok(), db_names: DATABASES.map((d) => d.name), created_timestamp: DATABASES.map((d) => d.created), db_ids: DATABASES.map((d) => d.id),
  }),
  CreateDatabase: () => ok(),
  DropDatabase: () => ok(),
  DescribeDatabase(req) {
    if (req.db_name === 'missing') {
      return { status: { code: 800, error_code: 'UnexpectedError', reason: 'database not found[database=missing]' } };
    }
    const db = DATABASES.find((d) => d.name === req.db_name) || { name: req.db_name, id: '449713572544069501', created: '1700000002000000000' };
    return { status: ok(), db_name: db.name, dbID: db.id, created_timestamp: db.created, properties: [] };
  },
  Query(req) {
    need(req.expr.length > 0, 'expr is empty');
    checkTemplateValues(req.expr, req.expr_template_values);
    checkOutputFields(req.output_fields);
    const outputs = req.output_fields.length > 0 ? req.output_fields : ['pattern_id'];
    const vectors = floatsFromBits(QUERY_VECTOR_BITS);
    const rows = [
      { id: 'p-1', type: 'alpha', vector: vectors.slice(0, 4), coherence_metrics: '{"quantum_coherence":0.9}', temporal_context: '{"t":[1,2]}' },
      { id: 'p-2', type: null, vector: vectors.slice(4, 8), coherence_metrics: null, temporal_context: '{}' },
    ];
    return {
      status: ok(), collection_name: req.collection_name, output_fields: outputs, primary_field_name: 'pattern_id',
      fields_data: outputs.map((name) => column(name, rows)),
    };
  },
  Search(req) {
    checkTemplateValues(req.dsl, req.expr_template_values);
    const ph = searchVectors(req);
    need(ph.type === 'FloatVector', `placeholder type ${ph.type}, expected FloatVector`);
    const nq = ph.values.length;
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
const namedCollections = (req) => [req.collection_name, req.collectionName, ...(req.collection_names || [])].filter((c) => c);

function failureStatus(collections) {
  if (collections.includes('missing')) {
    return { code: 100, error_code: 'CollectionNotExists', reason: 'collection not found[collection=missing]' };
  }
  if (collections.includes('legacy22')) {
    return { error_code: 'CollectionNotExists', reason: "can't find collection: legacy22" };
  }
  return null;
}


// HasCollection answers "missing" as Milvus does: success, value false.
function respond(name, req, Req, Res, { serverVersion = 'v2.5.4' } = {}) {
  commonChecks(name, req, Req);
  const response = handlers[name](req, { serverVersion });
  const failure = name === 'HasCollection' && req.collection_name === 'missing' ? null : failureStatus(namedCollections(req));
  if (failure) return Res.fields.status ? { status: failure } : failure;
  return response;
}

// What /metrics reports in this mode (peer/metrics.js): "patterns", loaded, with its two flushed segments.
const snapshot = () => ({
  collections: [{ db: DB, name: COLLECTION, id: COLLECTION_ID, loaded: true, growingRows: null, sealedRows: SEGMENTS.map((s) => Number(s.rows)) }],
  droppedSegments: 0,
  compactions: null,
});

module.exports = { respond, snapshot };
