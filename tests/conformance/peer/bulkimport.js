'use strict';
// --bulk (with --stateful): Milvus 2.5's bulk import over its REST API v2, reading Parquet files that a client put into
// the S3 API of peer/objectstore.js. Our reading of the 2.5 branch (sources in tests/conformance/README.md), small:
//   POST /v2/vectordb/jobs/import/create, /get_progress, /describe (the same handler), /list
//   (internal/distributed/proxy/httpserver/handler_v2.go, request_v2.go, constant.go).
// Answers are HTTP 200 with {"code":0,"data":{...}} or {"code":C,"message":M} (the merr code and reason, as the
// gRPC Status carries them); a missing or wrong credential is HTTP 401 {"code":1800,...}
// (internal/distributed/proxy/service.go authenticate). Keys are written sorted, as Go writes a map.
//
// A job reads every file as soon as it is created, and, like the peer's loads, moves on per poll (get_progress or
// describe; list only looks): Pending (progress 0), then Importing (50), then Completed (100, its rows inserted
// through the stateful mode's own Insert path) or Failed with a reason and no row written: Milvus makes an import's
// segments visible only when the whole job completes (internal/datacoord/import_checker.go).

const http = require('http');
const { root, SERVICE, T, toObject } = require('./official');
const { MilvusFailure, Errors } = require('./status');
const { readColumn } = require('./columns');
const { kv } = require('./validate');
const { NotModelled } = require('./stateful');
const { startObjectStore } = require('./objectstore');

const PREFIX = '/v2/vectordb/jobs/import/';
const MAX_FILES = 1024; // dataCoord.import.maxImportFileNumPerReq

const importFailed = (message) => new MilvusFailure(2100, `${message}: importing data failed`); // merr.ErrImportFailed

// ------------------------------------------------------------------ requests (gin's binding of request_v2.go)

class BadRequest extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const jsonKind = (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);

// The request types, their JSON fields (Go type), and which are `binding:"required"`.
const REQUESTS = {
  create: { type: 'ImportReq', fields: { dbName: 'string', collectionName: 'string', partitionName: 'string', files: '[][]string', options: 'map[string]string' }, required: { collectionName: 'CollectionName', files: 'Files' } },
  get_progress: { type: 'JobIDReq', fields: { jobId: 'string' }, required: { jobId: 'JobID' } },
  describe: { type: 'JobIDReq', fields: { jobId: 'string' }, required: { jobId: 'JobID' } },
  list: { type: 'OptionalCollectionNameReq', fields: { dbName: 'string', collectionName: 'string' }, required: {} },
};

// encoding/json's type errors ("cannot unmarshal X into Go struct field T.f of type G"): 1801; then the validator's
// required fields (a missing or empty string, a missing or null list): 1802.
function bind(action, text) {
  const spec = REQUESTS[action];
  const format = (why) => new BadRequest(1801, `can only accept json format request, ${why}`);
  if (text.trim() === '') throw format('the request body should be nil, however {} is valid');
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw format(`error: ${e.message}`);
  }
  if (body === null) body = {};
  if (jsonKind(body) !== 'object') throw format(`error: json: cannot unmarshal ${jsonKind(body)} into Go value of type httpserver.${spec.type}`);
  const mismatch = (value, goType, field) => format(`error: json: cannot unmarshal ${jsonKind(value)} into Go struct field ${spec.type}.${field} of type ${goType}`);
  for (const [field, goType] of Object.entries(spec.fields)) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (goType === 'string' && typeof value !== 'string') throw mismatch(value, goType, field);
    if (goType === 'map[string]string') {
      if (jsonKind(value) !== 'object') throw mismatch(value, goType, field);
      const bad = Object.values(value).find((v) => v !== null && typeof v !== 'string');
      if (bad !== undefined) throw mismatch(bad, 'string', field);
    }
    if (goType === '[][]string') {
      if (!Array.isArray(value)) throw mismatch(value, goType, field);
      const inner = value.find((v) => v !== null && !Array.isArray(v));
      if (inner !== undefined) throw mismatch(inner, '[]string', field);
      const leaf = value.flatMap((v) => v || []).find((v) => v !== null && typeof v !== 'string');
      if (leaf !== undefined) throw mismatch(leaf, 'string', field);
    }
  }
  // A null list in files is an empty one, a null string an empty one (encoding/json leaves the zero value).
  if (Array.isArray(body.files)) body.files = body.files.map((paths) => (paths || []).map((p) => p ?? ''));
  const missing = Object.entries(spec.required).filter(([field]) => body[field] === undefined || body[field] === null || body[field] === '')
    .map(([, goName]) => `Key: '${spec.type}.${goName}' Error:Field validation for '${goName}' failed on the 'required' tag`);
  if (missing.length > 0) throw new BadRequest(1802, `missing required parameters, error: ${missing.join('\n')}`);
  return body;
}

// importutilv2.GetFileType: one extension per file group, one Parquet (JSON, CSV) file per group. Go's filepath.Ext.
function fileType(paths) {
  const ext = (p) => {
    const base = p.slice(p.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    return dot < 0 ? '' : base.slice(dot);
  };
  const first = ext(paths[0]);
  const other = paths.findIndex((p) => ext(p) !== first);
  if (other >= 0) throw importFailed(`inconsistency in file types, (${paths[0]}) vs (${paths[other]})`);
  const single = { '.json': 'JSON', '.parquet': 'Parquet', '.csv': 'CSV' }[first];
  if (single && paths.length !== 1) throw importFailed(`for ${single} import, accepts only one file`);
  if (!single && first !== '.npy') throw importFailed(`unexpected file type, files=[${paths.join(' ')}]`);
  if (first !== '.parquet') throw new NotModelled(`the stateful peer imports Parquet files only, not ${paths.join(', ')}`);
}

// ------------------------------------------------------------------ Parquet (internal/util/importutilv2/parquet)

// The Arrow type pqarrow gives a Parquet column, as Arrow's DataType.String() writes it.
function arrowType(node) {
  const e = node.element;
  const logical = e.logical_type?.type;
  if (node.children.length > 0) {
    if (logical !== 'LIST' && e.converted_type !== 'LIST') return { id: 'struct', text: 'struct' };
    // <list> (LIST) > repeated group > element, or the two-level form <list> (LIST) > repeated element.
    const repeated = node.children[0];
    const item = repeated.children.length === 1 ? repeated.children[0] : repeated;
    const elem = arrowType(item);
    const nullable = item.element.repetition_type === 'OPTIONAL' ? ', nullable' : '';
    return { id: 'list', elem, text: `list<${item.element.name}: ${elem.text}${nullable}>` };
  }
  const named = (id) => ({ id, text: id });
  switch (e.type) {
    case 'BOOLEAN': return named('bool');
    case 'INT32': case 'INT64': {
      const converted = /^(U?)INT_(8|16|32|64)$/.exec(e.converted_type || '');
      const bits = logical === 'INTEGER' ? e.logical_type.bitWidth : converted ? Number(converted[2]) : e.type === 'INT32' ? 32 : 64;
      const unsigned = logical === 'INTEGER' ? !e.logical_type.isSigned : !!(converted && converted[1]);
      return named(`${unsigned ? 'u' : ''}int${bits}`);
    }
    case 'FLOAT': return named('float32');
    case 'DOUBLE': return named('float64');
    case 'BYTE_ARRAY': {
      const text = ['STRING', 'JSON', 'ENUM'].includes(logical) || ['UTF8', 'JSON', 'ENUM'].includes(e.converted_type);
      return named(text ? 'utf8' : 'binary');
    }
    default: return named(String(e.type).toLowerCase());
  }
}

// What a Milvus field reads as (convertToArrowDataType in util.go).
const FIELD_ARROW = { Bool: 'bool', Int8: 'int8', Int16: 'int16', Int32: 'int32', Int64: 'int64', Float: 'float32', Double: 'float64', VarChar: 'utf8', JSON: 'utf8' };
const ARITHMETIC = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'];
const FLOATING = ['float32', 'float64'];

// isArrowDataTypeConvertible (util.go): which Arrow types a Milvus field accepts.
function convertible(src, dst) {
  switch (src.id) {
    case 'bool': case 'utf8': case 'uint8': return dst.id === src.id;
    case 'int8': return ARITHMETIC.includes(dst.id);
    case 'int16': return ARITHMETIC.includes(dst.id) && dst.id !== 'int8';
    case 'int32': return ARITHMETIC.includes(dst.id) && !['int8', 'int16'].includes(dst.id);
    case 'int64': return FLOATING.includes(dst.id) || dst.id === 'int64';
    case 'float32': case 'float64': return FLOATING.includes(dst.id);
    case 'list': return dst.id === 'list' && convertible(src.elem, dst.elem);
    default: return false;
  }
}

const fieldArrow = (f) => (f.data_type === 'FloatVector' ? { id: 'list', elem: { id: 'float32' } } : { id: FIELD_ARROW[f.data_type] });

// isSchemaEqual and CreateFieldReaders (util.go): every field that is not nullable has a column of a type it
// accepts; every column names a field.
function checkColumns(fields, columns) {
  const byName = new Map(columns.map((c) => [c.element.name, c]));
  for (const f of fields) {
    const column = byName.get(f.name);
    if (!column) {
      if (f.nullable) continue;
      throw importFailed(`schema not equal, err=field '${f.name}' not in arrow schema: importing data failed`);
    }
    const type = arrowType(column);
    if (!convertible(type, fieldArrow(f))) {
      throw importFailed(`schema not equal, err=field '${f.name}' type mis-match, milvus data type '${f.data_type}', arrow data type get '${type.text}': importing data failed`);
    }
  }
  const extra = columns.find((c) => !fields.some((f) => f.name === c.element.name));
  if (extra) throw importFailed(`the field: ${extra.element.name} is not in schema, if it's a dynamic field, please reformat data by bulk_writer`);
}

// The FieldData of one field, in the form an InsertRequest carries it: a nullable field's data holds its valid rows
// only, with one valid_data flag per row. The reader's own checks come first (field_reader.go): a null in a field
// that is not nullable, a vector whose length is not the dim (checkVectorAligned; a null vector has length 0).
function fieldData(f, values) {
  const base = { field_name: f.name, type: f.data_type };
  if (f.data_type === 'FloatVector') {
    const bad = values.find((v) => (v ? v.length : 0) !== f.dim);
    if (bad !== undefined) {
      throw importFailed(`length of vector is not aligned: expected ${f.dim} but got ${bad ? bad.length : 0}, data type: FloatVector`);
    }
    return { ...base, vectors: { dim: f.dim, float_vector: { data: values.flatMap((v) => Array.from(v, Number)) } } };
  }
  const present = values.filter((v) => v !== null && v !== undefined);
  if (!f.nullable && present.length !== values.length) throw Errors.invalid('not nullable, but has null value');
  const key = { Bool: 'bool_data', Int8: 'int_data', Int16: 'int_data', Int32: 'int_data', Int64: 'long_data', Float: 'float_data', Double: 'double_data', VarChar: 'string_data', JSON: 'json_data' }[f.data_type];
  const convert = { Int64: String, JSON: (v) => Buffer.from(v, 'utf8') }[f.data_type] || ((v) => (typeof v === 'bigint' ? Number(v) : v));
  const column = { ...base, scalars: { [key]: { data: present.map(convert) } } };
  if (f.nullable) column.valid_data = values.map((v) => v !== null && v !== undefined);
  return column;
}

// ------------------------------------------------------------------ the REST service

async function startBulk({ mode, token, log }) {
  const { parquetMetadata, parquetSchema, parquetReadObjects } = await import('hyparquet');
  const store = await startObjectStore();
  const strict = new TextDecoder('utf-8', { fatal: true });
  const service = root.lookupService(SERVICE);

  // One call into the stateful mode, with the request as peer.js would decode it from the wire.
  function call(name, plain) {
    const method = service.methods[name];
    const Req = method.resolvedRequestType;
    const req = toObject(Req, Req.decode(Req.encode(Req.fromObject(plain)).finish()));
    return mode.respond(name, req, Req, method.resolvedResponseType, { dbHeader: '' });
  }

  // The collection as the proxy's meta cache finds it (an alias names its collection): 800 for a missing database,
  // 100 for a missing collection.
  function lookup(db, name) {
    if (!call('HasCollection', { db_name: db, collection_name: name }).value) throw Errors.collectionNotFound(name, db);
    const described = call('DescribeCollection', { db_name: db, collection_name: name });
    const fields = described.schema.fields.map((f) => {
      const params = kv(f.type_params);
      return { ...f, dim: Number(params.dim), max_length: Number(params.max_length) };
    });
    return { id: described.collectionID, name: described.schema.name, fields };
  }

  const jobs = new Map(); // id -> job, in creation order
  let lastId = 0n;
  // Job ids come from Milvus's global id allocator (TSO-like): int64, written as a decimal string. A job takes one
  // id for itself and one per file (datacoord's AllocN(files + 1)).
  const newIds = (files) => {
    const next = BigInt(Date.now()) << 18n;
    const first = next > lastId ? next : lastId + 1n;
    lastId = first + BigInt(files);
    return first;
  };

  // The preimport and import tasks' work (internal/datanode/importv2/task_preimport.go): read each file, check its
  // columns and rows against the schema as Insert checks them. A failure's reason is "error: <why>, file: <file>".
  async function readFiles(job) {
    const requests = [];
    for (const file of job.files) {
      const where = `file: id:${file.id} paths:"${file.key}"`;
      try {
        const bytes = await store.get(file.key);
        if (!bytes) throw importFailed('new parquet reader failed, err=The specified key does not exist.');
        file.size = bytes.length;
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
        let metadata;
        try {
          metadata = parquetMetadata(buffer);
        } catch (e) {
          throw importFailed(`new parquet reader failed, err=${e.message}`);
        }
        checkColumns(job.fields, parquetSchema(metadata).children);
        const rows = await parquetReadObjects({
          file: buffer, metadata, parsers: { stringFromBytes: (b) => b && strict.decode(b), jsonFromBytes: (b) => b && strict.decode(b) },
        });
        file.rows = rows.length;
        if (rows.length === 0) continue;
        const present = job.fields.filter((f) => rows[0][f.name] !== undefined);
        const plain = { db_name: job.db, collection_name: job.target, num_rows: rows.length, fields_data: present.map((f) => fieldData(f, rows.map((r) => r[f.name]))) };
        const Req = T('milvus.proto.milvus.InsertRequest');
        const req = toObject(Req, Req.decode(Req.encode(Req.fromObject(plain)).finish()));
        // The same column checks as Insert (peer/columns.js): VarChar length, JSON, integer range, NaN, ...
        for (const col of req.fields_data) readColumn(job.fields.find((f) => f.name === col.field_name), col, rows.length, 'Import');
        requests.push(plain);
      } catch (e) {
        const why = e instanceof MilvusFailure ? e.status.reason : e.message;
        return { ok: false, reason: `error: ${why}, ${where}` };
      }
    }
    return { ok: true, requests, totalRows: job.files.reduce((sum, f) => sum + f.rows, 0) };
  }

  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z'); // Go's "2006-01-02T15:04:05Z07:00", in UTC

  // The job's end: its rows go in through Insert, or it fails (a collection dropped meanwhile: import_checker.go's
  // checkCollection), in which case its tasks fail with it.
  function finish(job, read) {
    if (!read.ok) return Object.assign(job, { state: 'Failed', reason: read.reason });
    let current = null;
    try {
      current = lookup(job.db, job.target);
    } catch (e) {
      if (!(e instanceof MilvusFailure)) throw e;
    }
    if (!current || current.id !== job.collectionId) {
      return Object.assign(job, { state: 'Failed', reason: `collection ${job.collectionId} dropped`, tasksFailed: true });
    }
    try {
      for (const plain of read.requests) call('Insert', plain);
      // Milvus writes an import's rows into Flushed segments of their own; the peer seals its growing segment (rows
      // inserted before the import's included), so that row_count counts them as Milvus's does.
      if (read.requests.length > 0) call('Flush', { db_name: job.db, collection_names: [job.target] });
    } catch (e) {
      // Not reached: every request passed the same checks when its file was read.
      if (!(e instanceof MilvusFailure)) throw e;
      return Object.assign(job, { state: 'Failed', reason: e.status.reason, tasksFailed: true });
    }
    return Object.assign(job, { state: 'Completed', completeTime: now() });
  }

  // GetJobProgress and GetTaskProgresses (import_util.go) as handler_v2.go's getImportJobProcess writes them.
  // Details come from import tasks, which exist once the files have been read (preimport): none before, none when
  // the reading failed. A file's name is Go's %v of its paths: "[key]".
  function progress(job, read) {
    const total = read && read.ok ? read.totalRows : 0;
    const completed = job.state === 'Completed';
    const details = !read || !read.ok || job.state === 'Pending' ? [] : job.files.map((f) => ({
      fileName: `[${f.key}]`, fileSize: f.size, progress: completed ? 100 : 0, completeTime: job.completeTime,
      state: completed ? 'Completed' : job.tasksFailed ? 'Failed' : 'InProgress', importedRows: completed ? f.rows : 0, totalRows: f.rows,
      ...(job.tasksFailed ? { reason: job.reason } : {}),
    }));
    return {
      jobId: job.id, collectionName: job.collectionName, completeTime: job.completeTime, state: job.state,
      progress: { Pending: 0, Importing: 50, Completed: 100, Failed: 0 }[job.state],
      importedRows: completed ? total : 0, totalRows: job.state === 'Failed' ? 0 : total,
      ...(job.reason ? { reason: job.reason } : {}),
      fileSize: details.reduce((sum, d) => sum + d.fileSize, 0), details,
    };
  }

  const actions = {
    // The proxy's ImportV2 (internal/proxy/impl.go), then datacoord's (internal/datacoord/services.go). Milvus does
    // not look for the files here: a missing one fails the job when it is read.
    create(body, db) {
      const target = lookup(db, body.collectionName);
      if (body.partitionName && body.partitionName !== '_default') throw Errors.partitionNotFound(body.partitionName);
      const options = body.options || {};
      if (['backup', 'l0_import'].some((k) => k in options)) throw new NotModelled('the stateful peer does not model backup or L0 imports');
      const files = body.files.filter((paths) => paths && paths.length > 0);
      if (files.length === 0) throw Errors.invalid('import request is empty');
      if (files.length > MAX_FILES) throw importFailed(`The max number of import files should not exceed ${MAX_FILES}, but got ${files.length}`);
      files.forEach(fileType);
      const id = newIds(files.length);
      const job = {
        id: String(id), db, collectionName: body.collectionName, target: target.name, collectionId: target.id, fields: target.fields,
        files: files.map(([key], i) => ({ id: String(id + BigInt(i) + 1n), key, size: 0, rows: 0 })),
        state: 'Pending', polls: 0, reason: '', completeTime: '', tasksFailed: false,
      };
      job.read = readFiles(job).catch((e) => ({ ok: false, reason: `error: ${e.message}` }));
      jobs.set(job.id, job);
      return { jobId: job.id };
    },

    // Each poll moves the job on: Pending, then Importing, then its end.
    async get_progress(body) {
      const job = findJob(body.jobId);
      job.polls += 1;
      const read = job.polls > 1 ? await job.read : null;
      if (job.polls === 2) job.state = 'Importing';
      if (job.polls === 3) finish(job, read);
      return progress(job, read);
    },

    // Every job, or those of one collection (the proxy's ListImports names no database when no collection is given).
    list(body, db) {
      const id = body.collectionName ? lookup(db, body.collectionName).id : null;
      return {
        records: [...jobs.values()].filter((j) => id === null || j.collectionId === id).map((j) => ({
          jobId: j.id, collectionName: j.collectionName, state: j.state, progress: progress(j, null).progress, ...(j.reason ? { reason: j.reason } : {}),
        })),
      };
    },
  };
  actions.describe = actions.get_progress;

  // datacoord's GetImportProgress: the id must parse as an int64, then name a job.
  function findJob(text) {
    if (!/^[+-]?[0-9]+$/.test(text) || BigInt(text) > 2n ** 63n - 1n || BigInt(text) < -(2n ** 63n)) {
      const why = /^[+-]?[0-9]+$/.test(text) ? 'value out of range' : 'invalid syntax';
      // fmt.Sprint("parse job id failed, err=%w", err): Sprint does not format, so "%w" stays and err follows it.
      throw importFailed(`parse job id failed, err=%wstrconv.ParseInt: parsing ${JSON.stringify(text)}: ${why}`);
    }
    const job = jobs.get(BigInt(text).toString());
    if (!job) throw importFailed(`import job does not exist, jobID=${BigInt(text)}`);
    return job;
  }

  // Milvus's REST credential is the one the gRPC token carries base64-encoded: "Bearer user:password" (or an API
  // key), or HTTP Basic with the same user and password.
  const credential = token === null ? null : Buffer.from(token, 'base64').toString('utf8');
  const authorized = (header) => credential === null || header === `Bearer ${credential}`
    || (credential.includes(':') && header === `Basic ${Buffer.from(credential).toString('base64')}`);

  const sorted = (v) => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);

  async function answer(req, body) {
    const path = new URL(req.url, 'http://peer').pathname;
    if (!authorized(req.headers.authorization)) return [401, { code: 1800, message: 'user hasn\'t authenticated' }];
    const action = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : '';
    if (req.method !== 'POST' || !Object.hasOwn(REQUESTS, action)) return [404, null];
    try {
      const request = bind(action, body);
      const db = request.dbName || req.headers['db-name'] || 'default';
      return [200, { code: 0, data: await actions[action](request, db) }];
    } catch (e) {
      if (e instanceof BadRequest) return [200, { code: e.code, message: e.message }];
      if (e instanceof MilvusFailure) return [200, { code: e.status.code, message: e.status.reason }];
      if (e instanceof NotModelled) return [501, { code: 65535, message: `the peer does not model this: ${e.message}` }];
      return [500, { code: 65535, message: `peer error: ${e.stack || e}` }];
    }
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString('utf8')).then(([status, json]) => {
      const path = new URL(req.url, 'http://peer').pathname;
      // gin's answer for a route nobody registered is plain text.
      const text = json ? JSON.stringify(sorted(json)) : '404 page not found';
      log(`HTTP ${req.method} ${path} ${status}${json ? ` ${json.code}` : ''}${status >= 500 ? ` ${json.message.replace(/\s+/g, ' ')}` : ''}`);
      res.writeHead(status, { 'Content-Type': json ? 'application/json; charset=utf-8' : 'text/plain', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    }));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return { s3Port: store.port, restPort: server.address().port, close: () => { server.close(); store.close(); } };
}

module.exports = { startBulk };
