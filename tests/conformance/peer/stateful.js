'use strict';
// The stateful mode (--stateful): an in-memory stand-in for a Milvus 2.5 standalone server, so that MilvusOps'
// cmdlets can run against it in CI. It is our reading of Milvus 2.5's behaviour (sources in
// tests/conformance/README.md), not Milvus: exact search only, one partition per collection, one query node (so one
// replica), one growing segment per collection. Every write is visible to the next read: nothing is deferred,
// whatever the consistency level.

const { need, kv, checkEnvelope, decodeSchema, searchVectors, valueCount } = require('./validate');
const { ok, Errors } = require('./status');
const { compileFilter, primaryKeyTerms, FilterError, compareStrings } = require('./filter');
const { templateValues } = require('./template');
const { SUPPORTED, filterKind, filterValue, readColumn, writeColumn, countColumn } = require('./columns');

const DEFAULT_VERSION = 'v2.5.27';
const DEFAULT_DB = 'default';
const DEFAULT_DB_ID = '1'; // util.DefaultDBID
const MAX_DATABASES = 64; // rootCoord.maxDatabaseNum, the default database included
const MAX_NAME_LENGTH = 255; // proxy.maxNameLength
const DEFAULT_PARTITION_KEY_PARTITIONS = 16; // rootCoord.defaultPartitionNum, for a partition-key collection
const MAX_PARTITIONS = 1024; // rootCoord.maxPartitionNum
const MAX_TOPK = 16384; // topk, nq and offset+limit stay below this (Milvus's quota defaults)
const FLOAT_METRICS = ['L2', 'IP', 'COSINE'];
const CPU_VECTOR_INDEXES = ['FLAT', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'HNSW', 'DISKANN', 'SCANN', 'AUTOINDEX'];
const GPU_VECTOR_INDEXES = ['GPU_CAGRA', 'GPU_IVF_FLAT', 'GPU_IVF_PQ', 'GPU_BRUTE_FORCE'];
const SCALAR_INDEXES = ['INVERTED', 'STL_SORT', 'Trie', 'BITMAP', 'AUTOINDEX'];
// 2.6's JSON path indexes: INVERTED (AUTOINDEX picks it) with one of these casts (index/inverted_checker.go).
const JSON_CAST_TYPES = ['BOOL', 'DOUBLE', 'VARCHAR', 'ARRAY_BOOL', 'ARRAY_DOUBLE', 'ARRAY_VARCHAR', 'JSON'];
// A fresh standalone: every component shares the first server id; the query node serves on its default port.
const NODE_ID = '1';
const QUERY_NODE_ADDRESS = '127.0.0.1:21123';
const DEFAULT_RESOURCE_GROUP = '__default_resource_group';

// Peer limitations (not Milvus behaviour) answer gRPC UNIMPLEMENTED.
class NotModelled extends Error {}

// Hybrid timestamps as Milvus's TSO issues them: physical milliseconds << 18 | a logical counter; always increasing.
// Ids (collections, segments, compactions, databases) come from the same allocator, as Milvus's global ids do.
let lastPhysical = 0;
let logical = 0;
function tso() {
  const now = Date.now();
  if (now > lastPhysical) {
    lastPhysical = now;
    logical = 0;
  } else if (++logical >= 1 << 18) {
    lastPhysical++;
    logical = 0;
  }
  return ((BigInt(lastPhysical) << 18n) | BigInt(logical)).toString();
}
const physicalMs = (ts) => (BigInt(ts) >> 18n).toString();

// A database's created_timestamp is not a hybrid timestamp: rootcoord stores time.Now().UnixNano().
let lastNanos = 0n;
function unixNanos() {
  let now = BigInt(Date.now()) * 1000000n + (process.hrtime.bigint() % 1000000n);
  if (now <= lastNanos) now = lastNanos + 1n;
  lastNanos = now;
  return now.toString();
}

function createStatefulMode(options) {
  // --server-version changes only what the peer gates on it: the version it reports, and JSON path indexes (2.6+).
  const VERSION = options.serverVersion || DEFAULT_VERSION;
  const [, major, minor] = (/^v?(\d+)\.(\d+)/.exec(VERSION) || [null, '2', '5']).map(Number);
  const jsonPathIndexes = major > 2 || (major === 2 && minor >= 6);
  const newDatabase = (name, id, properties) => ({
    name, id, created: unixNanos(), properties, collections: new Map(), aliases: new Map(),
  });
  // name -> { name, id, created, properties, collections: name -> collection, aliases: alias -> collection name },
  // in creation order.
  const databases = new Map([[DEFAULT_DB, newDatabase(DEFAULT_DB, DEFAULT_DB_ID, [])]]);
  // ManualCompaction's jobs: id -> { id, db, c, inputs (segment ids), plans, polls, done }.
  const compactions = new Map();
  const counters = { droppedSegments: 0, compactionsTouched: false };
  let connections = 0;
  let rateLimited = 0;

  // ---------------------------------------------------------------- lookups

  // The request's database: its db_name (dbName in the segment requests), else the `dbname` header (the proxy's
  // database interceptor), else "default".
  function database(req, ctx) {
    const name = req.db_name || req.dbName || ctx.dbHeader || DEFAULT_DB;
    const db = databases.get(name);
    if (!db) throw Errors.databaseNotFound(name);
    return db;
  }

  // Wherever the proxy looks a collection up by name (its meta cache, rootcoord's GetCollectionByName), an alias
  // names its collection.
  function collection(db, name) {
    const c = db.collections.get(db.aliases.has(name) ? db.aliases.get(name) : name);
    if (!c) throw Errors.collectionNotFound(name, db.name);
    return c;
  }

  const collectionById = (db, id) => [...db.collections.values()].find((x) => x.id === id);

  const aliasesOf = (db, c) => [...db.aliases].filter(([, target]) => target === c.name).map(([alias]) => alias).sort(compareStrings);

  // The proxy's validateCollectionNameOrAlias (util.go); `entity` is "name" or "alias". Lengths count bytes.
  function checkName(value, entity) {
    if (value === '') throw Errors.invalid(`collection ${entity} should not be empty`);
    const invalid = `Invalid collection ${entity}: ${value}. `;
    if (Buffer.byteLength(value) > MAX_NAME_LENGTH) throw Errors.invalid(`${invalid} the length of a collection ${entity} must be less than 255 characters`);
    if (!/^[A-Za-z_]/.test(value)) throw Errors.invalid(`${invalid} the first character of a collection ${entity} must be an underscore or letter`);
    if (!/^[A-Za-z0-9_]*$/.test(value)) throw Errors.invalid(`${invalid} collection ${entity} can only contain numbers, letters and underscores`);
  }

  // The proxy's ValidateDatabaseName (util.go): code 802, the reason before merr's text. Lengths count bytes.
  function checkDatabaseName(name) {
    if (name === '') throw Errors.databaseNameInvalid(name, 'database name couldn\'t be empty');
    if (Buffer.byteLength(name) > MAX_NAME_LENGTH) {
      throw Errors.databaseNameInvalid(name, `the length of a database name must be less than ${MAX_NAME_LENGTH} characters`);
    }
    if (!/^[A-Za-z_]/.test(name)) throw Errors.databaseNameInvalid(name, 'the first character of a database name must be an underscore or letter');
    if (!/^[A-Za-z0-9_]*$/.test(name)) throw Errors.databaseNameInvalid(name, 'database name can only contain numbers, letters and underscores');
  }

  // One virtual channel per shard, named as rootcoord names them.
  const channels = (c) => Array.from({ length: c.shards_num }, (_, i) => ({
    virtual: `by-dev-rootcoord-dml_${i}_${c.id}v${i}`, physical: `by-dev-rootcoord-dml_${i}`,
  }));

  function requireLoaded(c) {
    if (c.load.state === 'NotLoad') throw Errors.collectionNotLoaded(c.id);
    if (c.load.progress < 100) throw Errors.collectionNotFullyLoaded(c.id);
  }

  // ---------------------------------------------------------------- segments
  // Rows written since the last Flush sit in one Growing segment (c.growing); Flush seals it into a Flushed one
  // (c.sealed, which the stats task has sorted by then). A segment's num_rows counts every row written into it, deleted
  // or replaced ones included, until a compaction rewrites it with the live rows only.

  const sortedSegments = (c) => [...c.sealed].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));

  const flushedRows = (c) => c.sealed.reduce((sum, s) => sum + s.rows, 0);

  // The segments of running compactions: datacoord never plans a segment twice.
  const compacting = () => new Set([...compactions.values()].filter((j) => !j.done).flatMap((j) => j.inputs));

  // A mix compaction's result: the input segments are dropped, and one new Flushed segment holds their live rows
  // (none: no segment, as datacoord drops an empty result).
  function finishCompaction(job) {
    job.done = true;
    const { db, c } = job;
    if (db.collections.get(c.name) !== c) return;
    const inputs = new Set(job.inputs);
    c.sealed = c.sealed.filter((s) => !inputs.has(s.id));
    counters.droppedSegments += job.inputs.length;
    const live = [...c.rows.values()].filter((row) => inputs.has(row.segment));
    if (live.length === 0) return;
    const segment = { id: tso(), rows: live.length };
    for (const row of live) row.segment = segment.id;
    c.sealed.push(segment);
  }

  // One partition per collection, "_default", as Milvus creates it.
  function partitions(names) {
    const other = names.find((n) => n !== '' && n !== '_default');
    if (other !== undefined) throw Errors.partitionNotFound(other);
  }

  const fieldByName = (c, name) => c.fields.find((f) => f.name === name);
  const vectorFields = (c) => c.fields.filter((f) => f.data_type === 'FloatVector');

  // ---------------------------------------------------------------- schema

  const typeParam = (f, key) => kv(f.type_params)[key];

  // The stored view of a decoded CollectionSchema, with Milvus's createCollectionTask checks.
  function storedFields(schema, name) {
    if (schema.name !== name) throw Errors.invalid(`collection name [${name}] not matches schema name [${schema.name}]`);
    if (schema.enable_dynamic_field) throw new NotModelled('the stateful peer does not model the dynamic field');
    if (schema.functions.length > 0) throw new NotModelled('the stateful peer does not model schema functions');
    const names = new Set();
    const fields = schema.fields.map((f, i) => {
      if (names.has(f.name)) throw Errors.invalid(`duplicated field name ${f.name} found`);
      names.add(f.name);
      if (!SUPPORTED.has(f.data_type)) throw new NotModelled(`the stateful peer does not model data type ${f.data_type} (field ${f.name})`);
      if (f.autoID) throw new NotModelled('the stateful peer does not model autoID');
      const field = {
        fieldID: String(100 + i), name: f.name, data_type: f.data_type, is_primary_key: f.is_primary_key,
        description: f.description, nullable: f.nullable, type_params: f.type_params, is_partition_key: f.is_partition_key,
      };
      if (f.is_partition_key) {
        if (f.is_primary_key) throw Errors.invalid('the partition key field must not be primary field');
        if (!['Int64', 'VarChar'].includes(f.data_type)) throw Errors.invalid('the data type of partition key should be Int64 or VarChar');
        if (f.nullable) throw Errors.invalid('partition key field not support nullable');
      }
      if (f.data_type === 'FloatVector') {
        const dim = Number(typeParam(f, 'dim'));
        if (!Number.isInteger(dim) || dim < 2 || dim > 32768) throw Errors.invalid(`invalid dimension: ${typeParam(f, 'dim')}. should be in range 2 ~ 32768`);
        if (f.nullable) throw Errors.invalid(`vector type not support null, type:${f.data_type}, fieldName:${f.name}`);
        field.dim = dim;
      }
      if (f.data_type === 'VarChar') {
        const max = Number(typeParam(f, 'max_length'));
        if (!Number.isInteger(max) || max <= 0 || max > 65535) throw Errors.invalid(`the maximum length specified for the field(${f.name}) should be in (0, 65535], but got ${typeParam(f, 'max_length')} instead`);
        field.max_length = max;
      }
      return field;
    });
    const pks = fields.filter((f) => f.is_primary_key);
    if (pks.length === 0) throw Errors.invalid('primary key is not specified');
    if (pks.length > 1) throw Errors.invalid('there are more than one primary key');
    if (!['Int64', 'VarChar'].includes(pks[0].data_type)) throw Errors.invalid(`the data type of primary key should be Int64 or VarChar`);
    if (pks[0].nullable) throw Errors.invalid('primary field not support null');
    if (vectorFields({ fields }).length === 0) throw Errors.invalid('schema does not contain vector field');
    if (fields.filter((f) => f.is_partition_key).length > 1) throw Errors.invalid('there are more than one partition key');
    return fields;
  }

  // What model.Collection.Equal compares for an idempotent CreateCollection.
  const identity = (c) => JSON.stringify({
    description: c.description, consistency: c.consistency_level, shards: c.shards_num, properties: c.properties,
    partitions: c.num_partitions,
    fields: c.fields.map((f) => [f.name, f.data_type, f.is_primary_key, f.description, f.nullable, f.is_partition_key,
      [...f.type_params].map((p) => `${p.key}=${p.value}`).sort()]),
  });

  const wireSchema = (c) => ({
    name: c.name, description: c.description, autoID: false, enable_dynamic_field: false, properties: [],
    fields: c.fields.map((f) => ({
      fieldID: f.fieldID, name: f.name, is_primary_key: f.is_primary_key, description: f.description,
      data_type: f.data_type, type_params: f.type_params, autoID: false, nullable: f.nullable, is_partition_key: f.is_partition_key,
    })),
  });

  const filterFields = (c) => c.fields.map((f) => ({ name: f.name, kind: filterKind(f.data_type) }));

  // A request's filter: its template values (expr_template_values) and its row predicate (null
  // for no filter). Anything Milvus refuses in them answers 1100 "cannot parse expression".
  function parseFilter(c, expr, wireTemplates) {
    try {
      const templates = templateValues(wireTemplates);
      return { templates, predicate: compileFilter(expr, filterFields(c), templates) };
    } catch (e) {
      if (e instanceof FilterError) throw Errors.cannotParse(expr, e.message);
      throw e;
    }
  }

  // The row as the filter sees it, cached until the row is replaced.
  function filterRow(c, row) {
    if (!row.view) row.view = Object.fromEntries(c.fields.map((f) => [f.name, filterValue(f, row.values[f.name])]));
    return row.view;
  }

  // Primary keys order byte-wise (VarChar) or numerically (Int64).
  function comparePks(c, a, b) {
    if (c.pk.data_type === 'Int64') {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return compareStrings(a, b);
  }

  const idsOf = (c, keys) => (c.pk.data_type === 'Int64' ? { int_id: { data: keys } } : { str_id: { data: keys } });

  // ---------------------------------------------------------------- writes

  function write(method, db, req) {
    const c = collection(db, req.collection_name);
    partitions([req.partition_name]);
    const n = req.num_rows;
    if (!(n > 0)) throw Errors.invalid('num_rows should be greater than 0');
    const byName = new Map();
    for (const col of req.fields_data) {
      need(!byName.has(col.field_name), `${method}: column ${col.field_name} twice`);
      byName.set(col.field_name, col);
      const field = fieldByName(c, col.field_name);
      if (!field) throw Errors.unexpected(`fieldName ${col.field_name} not exist in collection schema`);
      need(col.type === field.data_type, `${method}: column ${col.field_name} type is ${col.type}, the schema says ${field.data_type}`);
      valueCount(col, `${method} column ${col.field_name}`);
    }
    const columns = {};
    for (const field of c.fields) {
      const col = byName.get(field.name);
      if (!col) {
        if (!field.nullable) throw Errors.invalid(`fieldSchema(${field.name}) has no corresponding fieldData pass in`);
        columns[field.name] = new Array(n).fill(null);
        continue;
      }
      columns[field.name] = readColumn(field, col, n, method);
    }
    const keys = columns[c.pk.name].map(String);
    if (method === 'Upsert' && new Set(keys).size !== keys.length) {
      throw Errors.invalid('duplicate primary keys are not allowed in the same batch');
    }
    const ts = tso();
    // Every written row lands in the growing segment, which counts it whatever it replaces. Insert and Upsert both
    // leave one entity per key: Milvus keeps the newest write of a key on read.
    if (!c.growing) c.growing = { id: tso(), rows: 0 };
    c.growing.rows += n;
    keys.forEach((key, r) => {
      c.rows.set(key, { values: Object.fromEntries(c.fields.map((f) => [f.name, columns[f.name][r]])), ts, segment: c.growing.id });
    });
    const result = { status: ok(), IDs: idsOf(c, keys), succ_index: keys.map((_, i) => i), timestamp: ts, insert_cnt: n };
    if (method === 'Upsert') Object.assign(result, { upsert_cnt: n, delete_cnt: n });
    return result;
  }

  // ---------------------------------------------------------------- reads

  function outputFields(c, requested) {
    const names = [];
    for (const name of requested) {
      if (name === '*') {
        for (const f of c.fields) if (!names.includes(f.name)) names.push(f.name);
        continue;
      }
      if (!fieldByName(c, name)) throw Errors.unexpected(`field ${name} not exist`);
      if (!names.includes(name)) names.push(name);
    }
    return names;
  }

  function parseCount(value, key) {
    if (value === undefined) return undefined;
    if (!/^-?[0-9]+$/.test(value)) throw Errors.invalid(`${key} [${value}] is invalid, should be an integer`);
    return Number(value);
  }

  function matchingRows(c, filter) {
    const { predicate } = filter;
    const rows = [];
    for (const [key, row] of c.rows) if (!predicate || predicate(filterRow(c, row))) rows.push([key, row]);
    return rows;
  }

  // ---------------------------------------------------------------- search

  // Float32 arithmetic like knowhere's: every product and sum rounded to float32 as it accumulates.
  function distance(metric, a, b) {
    const f = Math.fround;
    if (metric === 'L2') {
      let sum = 0;
      for (let i = 0; i < a.length; i++) {
        const d = f(a[i] - b[i]);
        sum = f(sum + f(d * d));
      }
      return sum;
    }
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot = f(dot + f(a[i] * b[i]));
    if (metric === 'IP') return dot;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      na = f(na + f(a[i] * a[i]));
      nb = f(nb + f(b[i] * b[i]));
    }
    const norm = f(f(Math.sqrt(na)) * f(Math.sqrt(nb)));
    return norm === 0 ? 0 : f(dot / norm);
  }

  function roundScore(score, decimals) {
    if (decimals < 0) return score;
    const m = 10 ** decimals;
    return Math.fround(Math.floor(score * m + 0.5) / m);
  }

  // ---------------------------------------------------------------- index

  // One index per JSON path of the field, never per field: the path must be given, and a cast INVERTED takes.
  function jsonIndexSpec(indexType, params, invalidParams) {
    if (!jsonPathIndexes) throw new NotModelled(`the stateful peer models JSON path indexes from 2.6 on; it is ${VERSION}`);
    const type = indexType || 'AUTOINDEX';
    if (!['INVERTED', 'AUTOINDEX'].includes(type)) throw invalidParams(`${type} are not supported on JSON field`);
    const missing = (key, what) => Errors.invalidExpected('valid index params', 'invalid index params',
      `json index must specify ${what}: missing parameter[missing_param=${key}]`);
    if (params.json_cast_type === undefined) throw missing('json_cast_type', 'cast type');
    if (!JSON_CAST_TYPES.includes(params.json_cast_type.toUpperCase())) {
      throw Errors.invalid(`json_cast_type ${params.json_cast_type} is not supported`);
    }
    if (params.json_path === undefined) throw missing('json_path', 'json path');
    return { index_type: 'INVERTED', metric_type: undefined, json_path: params.json_path };
  }

  // The key of an index in a collection's map: its field, and for a JSON field its path, spelt one way (Milvus parses the
  // path, so spacing and quote style do not make another path).
  const indexKey = (fieldName, spec) => (spec.json_path === undefined ? fieldName
    : `${fieldName}\u0000${spec.json_path.replace(/\s+/g, '').replace(/'/g, '"')}`);

  function indexSpec(c, field, params) {
    const indexType = params.index_type;
    const vector = field.data_type === 'FloatVector';
    const invalidParams = (message) => Errors.invalidExpected('valid index params', 'invalid index params', message);
    if (indexType !== undefined && indexType !== '') {
      const known = [...CPU_VECTOR_INDEXES, ...SCALAR_INDEXES, ...(options.gpu ? GPU_VECTOR_INDEXES : [])];
      // A CPU image has no GPU index checkers: Milvus answers exactly this for GPU_CAGRA & co.
      if (!known.includes(indexType)) throw Errors.invalidExpected('valid index', `invalid index type: ${indexType}`);
    }
    if (!vector) {
      if (field.data_type === 'JSON') return jsonIndexSpec(indexType, params, invalidParams);
      const type = indexType || 'AUTOINDEX';
      if (!SCALAR_INDEXES.includes(type)) throw invalidParams(`data type ${field.data_type} can't build with this index ${type}`);
      return { index_type: type, metric_type: undefined };
    }
    const type = indexType || 'AUTOINDEX';
    if (SCALAR_INDEXES.includes(type) && type !== 'AUTOINDEX') throw invalidParams(`data type ${field.data_type} can't build with this index ${type}`);
    const metric = params.metric_type;
    if (type === 'AUTOINDEX') {
      const extra = Object.keys(params).filter((k) => !['index_type', 'metric_type'].includes(k));
      if (extra.length > 0) throw Errors.unexpected('only metric type can be passed when use AutoIndex');
    }
    if (!metric) throw invalidParams('metric type not set for vector index');
    if (!FLOAT_METRICS.includes(metric)) throw invalidParams(`float vector index does not support metric type: ${metric}`);
    if (GPU_VECTOR_INDEXES.includes(type) && metric === 'COSINE') {
      throw invalidParams(`metric type ${metric} not found or not supported, supported: [L2 IP]`);
    }
    return { index_type: type, metric_type: metric };
  }

  // ---------------------------------------------------------------- handlers

  const handlers = {
    Connect(req, ctx) {
      need(!!req.client_info && req.client_info.sdk_type.length > 0, 'client_info.sdk_type is empty');
      database({}, ctx);
      connections += 1;
      return {
        status: ok(), identifier: String(449713572544069000n + BigInt(connections)),
        server_info: { build_tags: VERSION, build_time: '', git_commit: '', go_version: '', deploy_mode: 'STANDALONE' },
      };
    },

    // The proxy gathers the coordinators' reasons; with --unhealthy the query node is Abnormal, which querycoord
    // reports through merr.AnalyzeState. Milvus 2.4+ never fills quota_states here.
    CheckHealth: () => (options.unhealthy
      ? { status: ok(), isHealthy: false, reasons: [`service not ready[QueryNode=${NODE_ID}]: Abnormal`], quota_states: [] }
      : { status: ok(), isHealthy: true, reasons: [], quota_states: [] }),

    // The proxy answers for itself only: no subcomponent states, and Healthy while it serves (a sick query node
    // does not change it).
    GetComponentStates: () => ({
      status: ok(), state: { nodeID: NODE_ID, role: 'proxy', state_code: 'Healthy', extra_info: [] }, subcomponent_states: [],
    }),

    GetVersion: () => ({ status: ok(), version: VERSION }),

    CreateCollection(req, ctx) {
      const db = database(req, ctx);
      const name = req.collection_name;
      checkName(name, 'name');
      const schema = decodeSchema(req.schema);
      const fields = storedFields(schema, name);
      // A partition-key collection gets its partitions from num_partitions; the peer keeps its rows in one (Milvus's
      // pruning of partitions by the key's hash changes which rows a search reads, not what it answers).
      const keyed = fields.some((f) => f.is_partition_key);
      const requested = Number(req.num_partitions);
      if (!keyed && requested > 0) throw Errors.invalid('num_partitions should only be specified with partition key field enabled');
      if (keyed && requested > MAX_PARTITIONS) throw Errors.invalid(`partition number (${requested}) exceeds max configuration (${MAX_PARTITIONS})`);
      if (keyed && requested < 0) throw Errors.invalid(`the specified partitions should be greater than 0 if partition key is used`);
      const ts = tso();
      const c = {
        name, id: ts, description: schema.description, fields, pk: fields.find((f) => f.is_primary_key),
        consistency_level: req.consistency_level, shards_num: req.shards_num > 0 ? req.shards_num : 1,
        properties: req.properties, created: ts, rows: new Map(), indexes: new Map(), partitionID: tso(),
        load: { state: 'NotLoad', progress: 0 }, growing: null, sealed: [],
        num_partitions: keyed ? String(requested || DEFAULT_PARTITION_KEY_PARTITIONS) : '1',
      };
      if (db.aliases.has(name)) throw Errors.unexpected(`collection name [${name}] conflicts with an existing alias, please choose a unique name`);
      const existing = db.collections.get(name);
      if (existing) {
        // rootcoord: the same parameters again is a success; different ones are refused.
        if (identity(existing) === identity(c)) return ok();
        throw Errors.unexpected(`create duplicate collection with different parameters, collection: ${name}`);
      }
      db.collections.set(name, c);
      return ok();
    },

    // By alias: collection_name is the name asked for (the alias), schema.name the collection's own name.
    DescribeCollection(req, ctx) {
      const db = database(req, ctx);
      const c = req.collection_name ? db.collections.get(db.aliases.get(req.collection_name) ?? req.collection_name)
        : collectionById(db, req.collectionID);
      if (!c) throw Errors.cannotFindCollection(db.name, req.collection_name);
      return {
        status: ok(), schema: wireSchema(c), collectionID: c.id, collection_name: req.collection_name || c.name, db_name: db.name,
        virtual_channel_names: channels(c).map((ch) => ch.virtual), physical_channel_names: channels(c).map((ch) => ch.physical),
        created_timestamp: c.created, created_utc_timestamp: physicalMs(c.created), shards_num: c.shards_num,
        aliases: aliasesOf(db, c), consistency_level: c.consistency_level, properties: c.properties, num_partitions: c.num_partitions,
        update_timestamp: c.created, update_timestamp_str: c.created,
      };
    },

    // rootcoord's alterCollectionTask: set some properties or delete some keys, not both; other properties stay.
    AlterCollection(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      if (req.properties.length > 0 && req.delete_keys.length > 0) throw Errors.invalid('can not provide properties and deletekeys at the same time');
      if (req.properties.length === 0 && req.delete_keys.length === 0) throw Errors.invalid('no properties or delete keys provided');
      const set = new Map(req.properties.map((p) => [p.key, p.value]));
      c.properties = [...c.properties.filter((p) => !set.has(p.key) && !req.delete_keys.includes(p.key)),
        ...[...set].map(([key, value]) => ({ key, value }))];
      return ok();
    },

    HasCollection(req, ctx) {
      const db = database(req, ctx);
      return { status: ok(), value: db.collections.has(req.collection_name) || db.aliases.has(req.collection_name) };
    },

    ShowCollections(req, ctx) {
      const db = database(req, ctx);
      let list = [...db.collections.values()];
      if (req.collection_names.length > 0) list = req.collection_names.map((n) => collection(db, n));
      if (req.type === 'InMemory') list = list.filter((c) => c.load.state !== 'NotLoad');
      return {
        status: ok(), collection_names: list.map((c) => c.name), collection_ids: list.map((c) => c.id),
        created_timestamps: list.map((c) => c.created), created_utc_timestamps: list.map((c) => physicalMs(c.created)),
        inMemory_percentages: list.map((c) => (c.load.state === 'NotLoad' ? 0 : c.load.progress)),
        query_service_available: list.map((c) => c.load.state === 'Loaded'), shards_num: list.map((c) => c.shards_num),
      };
    },

    // rootcoord's dropCollectionTask: dropping a missing collection (or database) is a success ("make dropping
    // collection idempotent"), so this never answers code 100; an alias, or a collection that still has aliases, is
    // refused.
    DropCollection(req, ctx) {
      const name = req.collection_name;
      const db = databases.get(req.db_name || ctx.dbHeader || DEFAULT_DB);
      if (!db) return ok();
      if (db.aliases.has(name)) throw Errors.unexpected(`cannot drop the collection via alias = ${name}`);
      const c = db.collections.get(name);
      if (!c) return ok();
      const names = aliasesOf(db, c);
      if (names.length > 0) {
        throw Errors.unexpected(`unable to drop the collection [${name}] because it has associated aliases [${names.join(' ')}], please remove all aliases before dropping the collection`);
      }
      db.collections.delete(name);
      // datacoord marks the collection's segments Dropped.
      counters.droppedSegments += c.sealed.length + (c.growing ? 1 : 0);
      return ok();
    },

    // The proxy asks datacoord for the indexes first (none at all: 700), then checks every vector field has one.
    // One query node: querycoord cannot spawn a second replica (its message comes back through the proxy's wrap).
    LoadCollection(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      if (c.indexes.size === 0) throw Errors.indexNotFoundForCollection(req.collection_name);
      const unindexed = vectorFields(c).filter((f) => !c.indexes.has(f.name)).map((f) => f.name);
      if (unindexed.length > 0) throw Errors.unexpected(`there is no vector index on field: [${unindexed.join(' ')}], please create index firstly`);
      const replicas = req.replica_number > 0 ? req.replica_number : 1;
      if (replicas > 1) {
        throw Errors.unexpected(`call query coordinator LoadCollection: failed to spawn replica for collection: resource group node not enough[rg=${DEFAULT_RESOURCE_GROUP}][currentNodeNum=1][expectedNodeNum=${replicas}]`);
      }
      if (c.load.state === 'NotLoad') c.load = { state: 'Loading', progress: 0, replicaID: tso() };
      return ok();
    },

    // Each poll of a loading collection moves it on: progress 0, then 50, then 100 (loaded).
    GetLoadingProgress(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      if (c.load.state === 'NotLoad') throw Errors.collectionNotLoaded(c.id);
      const progress = c.load.progress;
      advanceLoad(c);
      return { status: ok(), progress: String(progress), refresh_progress: String(progress) };
    },

    GetLoadState(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      const state = c.load.state === 'NotLoad' ? 'LoadStateNotLoad' : c.load.progress < 100 ? 'LoadStateLoading' : 'LoadStateLoaded';
      advanceLoad(c);
      return { status: ok(), state };
    },

    ReleaseCollection(req, ctx) {
      collection(database(req, ctx), req.collection_name).load = { state: 'NotLoad', progress: 0 };
      return ok();
    },

    // row_count is what Milvus reports: rows of flushed segments, deleted or replaced ones included (they only go
    // at compaction, which the peer never runs). Exact counts come from count(*).
    GetCollectionStatistics(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      return { status: ok(), stats: [{ key: 'row_count', value: String(flushedRows(c)) }] };
    },

    CreateIndex(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      const field = fieldByName(c, req.field_name);
      if (!field) throw Errors.unexpected(`cannot create index on non-exist field: ${req.field_name}`);
      const params = {};
      for (const { key, value } of req.extra_params) {
        if (key !== 'params') {
          params[key] = value;
          continue;
        }
        let parsed;
        try {
          parsed = JSON.parse(value);
        } catch (e) {
          throw Errors.unexpected(`invalid character in index params: ${value}`);
        }
        need(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `extra_params params is not a JSON object: ${value}`);
        for (const [k, v] of Object.entries(parsed)) params[k] = String(v);
      }
      const spec = indexSpec(c, field, params);
      const name = req.index_name || field.name;
      // The user's extra_params come back from DescribeIndex as sent; AutoIndex with a metric only as the pair.
      const userParams = spec.index_type === 'AUTOINDEX' && spec.metric_type
        ? [{ key: 'index_type', value: 'AUTOINDEX' }, { key: 'metric_type', value: spec.metric_type }]
        : req.extra_params;
      const key = indexKey(field.name, spec);
      const existing = c.indexes.get(key);
      if (existing) {
        const same = existing.index_name === name && JSON.stringify(existing.params) === JSON.stringify(params);
        if (same) return ok();
        throw Errors.unexpected('CreateIndex failed: at most one distinct index is allowed per field');
      }
      if ([...c.indexes.values()].some((i) => i.index_name === name)) {
        throw Errors.unexpected('CreateIndex failed: index already exist, but parameters are inconsistent');
      }
      c.indexes.set(key, { key, index_name: name, indexID: tso(), field_name: field.name, params, userParams, ...spec });
      return ok();
    },

    DescribeIndex(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      const found = [...c.indexes.values()].filter((i) => (!req.field_name || i.field_name === req.field_name)
        && (!req.index_name || i.index_name === req.index_name));
      if (found.length === 0) throw req.index_name ? Errors.indexNotFound(req.index_name) : Errors.indexNotFoundForCollection(req.collection_name);
      // Milvus counts the rows of flushed segments, all indexed at once here.
      return {
        status: ok(),
        index_descriptions: found.map((i) => ({
          index_name: i.index_name, indexID: i.indexID, field_name: i.field_name, params: i.userParams,
          indexed_rows: String(flushedRows(c)), total_rows: String(flushedRows(c)), pending_index_rows: '0',
          state: 'Finished', index_state_fail_reason: '',
        })),
      };
    },

    // The proxy refuses a loaded (or loading) collection; datacoord drops the index named, or the only one when
    // none is named, and a missing index is a success.
    DropIndex(req, ctx) {
      checkName(req.collection_name, 'name');
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      if (c.load.state !== 'NotLoad') throw Errors.unexpected('index cannot be dropped, collection is loaded, please release it first');
      const found = [...c.indexes.values()].filter((i) => !req.index_name || i.index_name === req.index_name);
      if (found.length > 1) throw Errors.indexDuplicate(req.index_name);
      for (const i of found) c.indexes.delete(i.key);
      return ok();
    },

    // querycoord: no replicas (not loaded, or an unknown id) is a success with none; shard leaders appear once the
    // load has finished.
    GetReplicas(req, ctx) {
      const db = database(req, ctx);
      const c = req.collection_name ? collection(db, req.collection_name) : collectionById(db, req.collectionID);
      if (!c || c.load.state === 'NotLoad') return { status: ok(), replicas: [] };
      const loaded = c.load.state === 'Loaded';
      const shardNodes = req.with_shard_nodes && c.sealed.length === 0 ? [] : [NODE_ID];
      return {
        status: ok(),
        replicas: [{
          replicaID: c.load.replicaID, collectionID: c.id, partition_ids: [], node_ids: [NODE_ID],
          resource_group_name: DEFAULT_RESOURCE_GROUP, num_outbound_node: {},
          shard_replicas: loaded ? channels(c).map((ch) => ({
            leaderID: NODE_ID, leader_addr: QUERY_NODE_ADDRESS, dm_channel_name: ch.virtual, node_ids: shardNodes,
          })) : [],
        }],
      };
    },

    // ---------------------------------------------------------------- aliases (rootcoord's meta_table.go)

    CreateAlias(req, ctx) {
      checkName(req.alias, 'alias');
      checkName(req.collection_name, 'name');
      const db = database(req, ctx);
      collection(db, req.collection_name);
      if (db.collections.has(req.alias)) throw Errors.aliasNameConflict(db.name, req.alias);
      // An alias cannot name another alias.
      if (!db.collections.has(req.collection_name)) throw Errors.collectionNotFound(req.collection_name, db.name);
      const current = db.aliases.get(req.alias);
      if (current === req.collection_name) return ok();
      if (current !== undefined) throw Errors.aliasAlreadyExist(db.name, req.alias, current);
      db.aliases.set(req.alias, req.collection_name);
      return ok();
    },

    AlterAlias(req, ctx) {
      checkName(req.alias, 'alias');
      checkName(req.collection_name, 'name');
      const db = database(req, ctx);
      if (db.collections.has(req.alias)) throw Errors.aliasNameConflict(db.name, req.alias);
      if (!db.collections.has(req.collection_name)) throw Errors.collectionNotFoundNoDb(req.collection_name);
      if (!db.aliases.has(req.alias)) throw Errors.aliasNotFound(db.name, req.alias);
      db.aliases.set(req.alias, req.collection_name);
      return ok();
    },

    // Dropping a missing alias is a success (the catalog removes keys that are not there).
    DropAlias(req, ctx) {
      database(req, ctx).aliases.delete(req.alias);
      return ok();
    },

    DescribeAlias(req, ctx) {
      checkName(req.alias, 'alias');
      const db = database(req, ctx);
      if (!db.aliases.has(req.alias)) throw Errors.aliasNotFound(db.name, req.alias);
      return { status: ok(), db_name: db.name, alias: req.alias, collection: db.aliases.get(req.alias) };
    },

    // Every alias of the database, or of one collection (named by its own name: an alias names none). Milvus lists
    // them in map order; the peer sorts them.
    ListAliases(req, ctx) {
      if (req.collection_name) checkName(req.collection_name, 'name');
      const db = database(req, ctx);
      let list = [...db.aliases.keys()].sort(compareStrings);
      if (req.collection_name) {
        const c = db.collections.get(req.collection_name);
        if (!c) throw Errors.collectionNotFoundNoDb(req.collection_name);
        list = aliasesOf(db, c);
      }
      return { status: ok(), db_name: db.name, collection_name: req.collection_name, aliases: list };
    },

    Insert(req, ctx) {
      return write('Insert', database(req, ctx), req);
    },

    Upsert(req, ctx) {
      const db = database(req, ctx);
      if (rateLimited < options.rateLimitFirst) {
        rateLimited += 1;
        throw Errors.rateLimit();
      }
      return write('Upsert', db, req);
    },

    // Milvus's "simple delete" (pk in [...] / pk == v) needs no load and counts the keys it names, present or not;
    // any other expression is a query for the matching entities (the collection must be loaded) and counts them.
    Delete(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      partitions([req.partition_name]);
      if (!req.expr.trim()) throw Errors.invalid('delete plan can\'t be empty or always true');
      const filter = parseFilter(c, req.expr, req.expr_template_values);
      let keys = primaryKeyTerms(req.expr, c.pk.name, filter.templates);
      if (keys) {
        keys = keys.map(String);
      } else {
        requireLoaded(c);
        keys = matchingRows(c, filter).map(([key]) => key);
      }
      for (const key of keys) c.rows.delete(key);
      return { status: ok(), IDs: idsOf(c, keys), delete_cnt: String(keys.length), timestamp: tso() };
    },

    Flush(req, ctx) {
      const db = database(req, ctx);
      need(req.collection_names.length > 0, 'collection_names is empty');
      const targets = req.collection_names.map((n) => [n, collection(db, n)]);
      const each = (f) => Object.fromEntries(targets.map(([n, c]) => [n, f(c)]));
      // datacoord's flushCollection: coll_segIDs are the segments this flush sealed, flush_coll_segIDs the ones
      // flushed before it.
      const sealedNow = new Map();
      const flushedBefore = new Map();
      for (const [, c] of targets) {
        if (sealedNow.has(c)) continue;
        flushedBefore.set(c, c.sealed.map((s) => s.id));
        sealedNow.set(c, c.growing ? [c.growing.id] : []);
        if (c.growing) c.sealed.push(c.growing);
        c.growing = null;
      }
      const ts = tso();
      return {
        status: ok(), db_name: db.name,
        coll_segIDs: each((c) => ({ data: sealedNow.get(c) })), flush_coll_segIDs: each((c) => ({ data: flushedBefore.get(c) })),
        coll_seal_times: each(() => String(Math.floor(Date.now() / 1000))), coll_flush_ts: each(() => ts),
      };
    },

    GetFlushState(req, ctx) {
      const db = database(req, ctx);
      if (req.collection_name) collection(db, req.collection_name);
      return { status: ok(), flushed: true };
    },

    Query(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      partitions(req.partition_names);
      requireLoaded(c);
      const params = kv(req.query_params);
      const limit = parseCount(params.limit, 'limit');
      const offset = parseCount(params.offset, 'offset') || 0;
      if (limit !== undefined && (limit <= 0 || limit + offset >= MAX_TOPK)) {
        throw Errors.invalid(`invalid max query result window, (offset+limit) should be in range [1, ${MAX_TOPK}], but got ${limit + offset}`);
      }
      const counting = req.output_fields.includes('count(*)');
      if (counting) {
        if (req.output_fields.length > 1) throw Errors.unexpected('count(*) cannot be mixed with other output fields');
        if (limit !== undefined || offset > 0) throw Errors.invalid('count entities with pagination is not allowed');
        const n = matchingRows(c, parseFilter(c, req.expr, req.expr_template_values)).length;
        return { status: ok(), collection_name: req.collection_name, output_fields: ['count(*)'], fields_data: [countColumn(n)], primary_field_name: c.pk.name };
      }
      if (!req.expr.trim() && limit === undefined) throw Errors.unexpected('empty expression should be used with limit');
      const names = outputFields(c, req.output_fields);
      if (!names.includes(c.pk.name)) names.push(c.pk.name);
      // Results in primary-key order, which is what paging with limit/offset (and iterators) rely on.
      let rows = matchingRows(c, parseFilter(c, req.expr, req.expr_template_values)).sort(([a], [b]) => comparePks(c, a, b));
      rows = rows.slice(offset, limit === undefined ? undefined : offset + limit);
      return {
        status: ok(), collection_name: req.collection_name, output_fields: names, primary_field_name: c.pk.name,
        fields_data: names.map((name) => writeColumn(fieldByName(c, name), rows.map(([, row]) => row.values[name]))),
      };
    },

    Search(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collection_name);
      const queries = searchVectors(req);
      partitions(req.partition_names);
      requireLoaded(c);
      const p = kv(req.search_params);
      const annsField = p.anns_field || (vectorFields(c).length === 1 ? vectorFields(c)[0].name : '');
      const field = fieldByName(c, annsField);
      if (!field || field.data_type !== 'FloatVector') throw Errors.invalid(`failed to get field schema by name: fieldName(${annsField}) not found`);
      if (queries.type !== 'FloatVector') throw Errors.invalid(`the placeholder type ${queries.type} does not match the FloatVector field ${field.name}`);
      queries.values.forEach((v, i) => {
        if (v.length !== field.dim * 4) throw Errors.unexpected(`vector dimension mismatch, expected vector size(byte) ${field.dim * 4}, actual ${v.length} (query ${i})`);
      });
      if (queries.values.length > MAX_TOPK) throw Errors.invalid(`nq (number of search vector per search request) should be in range [1, ${MAX_TOPK}], but got ${queries.values.length}`);
      const topk = parseCount(p.topk ?? p.limit, 'topk');
      if (topk === undefined) throw Errors.invalid('topk not found in search_params');
      if (topk < 1 || topk > MAX_TOPK) throw Errors.invalid(`topk [${topk}] is invalid, it should be in range [1, ${MAX_TOPK}], but got ${topk}`);
      const offset = parseCount(p.offset, 'offset') || 0;
      if (offset < 0 || topk + offset > MAX_TOPK) throw Errors.invalid(`topk+offset [${topk + offset}] is invalid, it should be in range [1, ${MAX_TOPK}]`);
      const decimals = parseCount(p.round_decimal, 'round_decimal') ?? -1;
      if (decimals !== -1 && (decimals < 0 || decimals > 6)) throw Errors.invalid(`round_decimal ${decimals} is invalid, should be -1 or an integer in range [0, 6]`);
      let searchParams = {};
      if (p.params) {
        try {
          searchParams = JSON.parse(p.params);
        } catch (e) {
          throw Errors.invalid(`search params ${p.params} is not JSON`);
        }
      }
      const index = c.indexes.get(field.name);
      const metric = p.metric_type || index.metric_type;
      if (metric !== index.metric_type) {
        throw Errors.unexpected(`metric type not match: invalid parameter[expected=${index.metric_type}][actual=${metric}]`);
      }
      // HNSW's documented search range: ef in [top_k, int_max].
      if (index.index_type === 'HNSW' && searchParams.ef !== undefined && Number(searchParams.ef) < topk) {
        throw Errors.unexpected(`ef(${searchParams.ef}) should be larger than k(${topk})`);
      }
      const names = outputFields(c, req.output_fields);
      const candidates = matchingRows(c, parseFilter(c, req.dsl, req.expr_template_values));
      const descending = metric !== 'L2';
      const topks = [];
      const hits = [];
      for (const bytes of queries.values) {
        const q = Float32Array.from({ length: field.dim }, (_, d) => bytes.readFloatLE(d * 4));
        const scored = candidates.map(([key, row]) => ({ key, row, score: distance(metric, q, row.values[field.name]) }));
        // Best first; equal scores in primary-key order.
        scored.sort((a, b) => (a.score === b.score ? comparePks(c, a.key, b.key) : (a.score < b.score) !== descending ? -1 : 1));
        const page = scored.slice(offset, offset + topk);
        topks.push(String(page.length));
        hits.push(...page);
      }
      return {
        status: ok(), collection_name: req.collection_name,
        results: {
          num_queries: String(queries.values.length), top_k: String(topk), topks, output_fields: names,
          ids: idsOf(c, hits.map((h) => h.key)), scores: hits.map((h) => roundScore(h.score, decimals)),
          primary_field_name: c.pk.name,
          fields_data: names.map((name) => writeColumn(fieldByName(c, name), hits.map((h) => h.row.values[name]))),
        },
      };
    },

    // ---------------------------------------------------------------- compaction and segments

    // The proxy turns a name (or alias) into the collection id; datacoord's forced mix compaction then plans every
    // flushed, not-compacting segment of each channel and partition; the peer's segments make one plan. Nothing to
    // plan is a success with compactionID -1 and no plans (a collection id that names nothing included).
    ManualCompaction(req, ctx) {
      const db = database(req, ctx);
      if (req.majorCompaction) throw new NotModelled('the stateful peer does not model clustering (major) compaction');
      if (req.segment_ids.length > 0 || req.channel || req.partition_id !== '0') {
        throw new NotModelled('the stateful peer compacts whole collections only (no segment_ids, channel or partition_id)');
      }
      // Neither a name nor an id: datacoord would compact every collection.
      if (!req.collection_name && req.collectionID === '0') throw new NotModelled('the stateful peer compacts one collection at a time');
      const c = req.collection_name ? collection(db, req.collection_name)
        : [...databases.values()].map((d) => collectionById(d, req.collectionID)).find((x) => x);
      const busy = compacting();
      const inputs = c ? c.sealed.filter((segment) => !busy.has(segment.id)).map((segment) => segment.id) : [];
      if (inputs.length === 0) return { status: ok(), compactionID: '-1', compactionPlanCount: 0 };
      const owner = [...databases.values()].find((d) => d.collections.get(c.name) === c);
      const job = { id: tso(), db: owner, c, inputs, plans: 1, polls: 0, done: false };
      compactions.set(job.id, job);
      counters.compactionsTouched = true;
      return { status: ok(), compactionID: job.id, compactionPlanCount: job.plans };
    },

    // A job is Executing at its first poll and Completed from the second on, when its result replaces its inputs.
    // An id datacoord does not know (or -1) has no tasks: Completed, every count 0.
    GetCompactionState(req) {
      const job = compactions.get(req.compactionID);
      const answer = (state, executing, completed) => ({
        status: ok(), state, executingPlanNo: String(executing), timeoutPlanNo: '0', completedPlanNo: String(completed), failedPlanNo: '0',
      });
      if (!job) return answer('Completed', 0, 0);
      if (!job.done && job.polls++ === 0) return answer('Executing', job.plans, 0);
      if (!job.done) finishCompaction(job);
      return answer('Completed', 0, job.plans);
    },

    // datacoord's healthy Flushing/Flushed/Sealed segments: growing ones are not listed, a released collection's are.
    GetPersistentSegmentInfo(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collectionName);
      return {
        status: ok(),
        infos: sortedSegments(c).map((segment) => ({
          segmentID: segment.id, collectionID: c.id, partitionID: c.partitionID, num_rows: String(segment.rows),
          state: 'Flushed', level: 'L1', is_sorted: true, storage_version: '0',
        })),
      };
    },

    // querycoord's view: the sealed segments of the current target, once loaded (none otherwise, a success), each
    // Sealed on node 1 with the index it was loaded with. Milvus 2.5 fills neither mem_size nor the deprecated nodeID.
    GetQuerySegmentInfo(req, ctx) {
      const db = database(req, ctx);
      const c = collection(db, req.collectionName);
      if (c.load.state !== 'Loaded') return { status: ok(), infos: [] };
      const index = vectorFields(c).map((f) => c.indexes.get(f.name)).find((i) => i);
      return {
        status: ok(),
        infos: sortedSegments(c).map((segment) => ({
          segmentID: segment.id, collectionID: c.id, partitionID: c.partitionID, mem_size: '0', num_rows: String(segment.rows),
          index_name: index ? index.index_name : '', indexID: index ? index.indexID : '0', nodeID: '0', state: 'Sealed',
          nodeIds: [NODE_ID], level: 'L1', is_sorted: true, storage_version: '0',
        })),
      };
    },

    // ---------------------------------------------------------------- databases (rootcoord's *_db_task.go)

    // Every database, in creation order (Milvus lists its map in no particular order).
    ListDatabases() {
      const list = [...databases.values()];
      return { status: ok(), db_names: list.map((d) => d.name), created_timestamp: list.map((d) => d.created), db_ids: list.map((d) => d.id) };
    },

    CreateDatabase(req) {
      checkDatabaseName(req.db_name);
      if (databases.size >= MAX_DATABASES) throw Errors.databaseNumLimitExceeded(MAX_DATABASES);
      if (databases.has(req.db_name)) throw Errors.unexpected(`database already exist: ${req.db_name}`);
      databases.set(req.db_name, newDatabase(req.db_name, tso(), req.properties));
      return ok();
    },

    // "default" is refused, a missing database is a success, one with collections is refused (Milvus 2.5 does not
    // drop them for you).
    DropDatabase(req) {
      checkDatabaseName(req.db_name);
      if (req.db_name === DEFAULT_DB) throw Errors.unexpected('can not drop default database');
      const db = databases.get(req.db_name);
      if (!db) return ok();
      if (db.collections.size > 0) throw Errors.unexpected(`database:${req.db_name} not empty, must drop all collections before drop database`);
      databases.delete(req.db_name);
      return ok();
    },

    // No name check; rootcoord reads an empty name as "default".
    DescribeDatabase(req) {
      const name = req.db_name || DEFAULT_DB;
      const db = databases.get(name);
      if (!db) throw Errors.databaseNotFound(name);
      return { status: ok(), db_name: db.name, dbID: db.id, created_timestamp: db.created, properties: db.properties };
    },
  };

  function advanceLoad(c) {
    if (c.load.state !== 'Loading') return;
    c.load.progress = Math.min(100, c.load.progress + 50);
    if (c.load.progress === 100) c.load.state = 'Loaded';
  }

  let unavailable = 0;
  function respond(name, req, Req, Res, ctx) {
    // Milvus reads GetFlushState's collection_name as optional (the segment ids say what to check).
    // ListAliases names a collection only to filter, GetReplicas may name it by id instead.
    // ManualCompaction may name its collection by id only.
    checkEnvelope(name, req, Req, ['GetFlushState', 'ListAliases', 'GetReplicas', 'ManualCompaction']);
    if (name === 'Search' && unavailable < options.unavailableFirst) {
      unavailable += 1;
      throw new Unavailable(`injected: Search call ${unavailable} of the first ${options.unavailableFirst} is unavailable`);
    }
    return handlers[name](req, ctx);
  }

  // What /metrics reports (peer/metrics.js): per collection, its load and segments; datacoord's dropped segments and
  // compaction tasks.
  function snapshot() {
    const jobs = [...compactions.values()];
    const plans = (list) => list.reduce((sum, j) => sum + j.plans, 0);
    return {
      collections: [...databases.values()].flatMap((db) => [...db.collections.values()].map((c) => ({
        db: db.name, name: c.name, id: c.id, loaded: c.load.state === 'Loaded',
        growingRows: c.growing ? c.growing.rows : null, sealedRows: c.sealed.map((segment) => segment.rows),
      }))),
      droppedSegments: counters.droppedSegments,
      compactions: counters.compactionsTouched
        ? { executing: plans(jobs.filter((j) => !j.done)), done: plans(jobs.filter((j) => j.done)) } : null,
    };
  }

  return { respond, snapshot };
}

class Unavailable extends Error {}

module.exports = { createStatefulMode, NotModelled, Unavailable };
