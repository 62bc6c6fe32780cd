#!/usr/bin/env node
// Self-test of the stateful peer (peer.js --stateful) driven by the OFFICIAL Milvus node SDK (MilvusClient from
// @zilliz/milvus2-sdk-node): if the SDK Milvus publishes can create, index, load, write, read, search and drop
// against the peer, and gets the answers Milvus semantics call for, the peer is a usable stand-in. A second peer,
// started with --unhealthy, checks the health answers (CheckHealth, GetComponentStates, /healthz over --http).
// Databases, segments, compaction and /metrics are checked on the first peer.
//
// Usage: node peer-selftest.js      exit 0 and "SELFTEST OK" on success; exit 1 with the failed check and the
// peer's last log lines otherwise.
'use strict';

const { spawn } = require('child_process');
const http = require('http');
const path = require('path');
const assert = require('assert/strict');
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
// The SDK's own call path, for RPCs (or request shapes) its methods do not offer.
const { promisify } = require('@zilliz/milvus2-sdk-node/dist/milvus/utils/Function');

const TOKEN = 'root:Milvus';
const HEADER = Buffer.from(TOKEN).toString('base64'); // the SDK sends base64(token) as `authorization`
const COLLECTION = 'selftest_patterns';
const OTHER = 'selftest_other';
const ALIAS = 'selftest_live';
const DB = 'selftest_db';
const DIM = 8;

const peerLog = [];
let checks = 0;
let step = 'starting the peer';

// Resolves once the peer printed "LISTENING <port>" as its first line and, with --http, "HTTP <port>" next.
function startPeer(args) {
  const peer = spawn(process.execPath, [path.join(__dirname, 'peer.js'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the peer did not print LISTENING within 15 s')), 15000);
    let pending = '';
    const seen = [];
    const started = {};
    peer.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        peerLog.push(line);
        seen.push(line);
        if (seen.length === 1 && !/^LISTENING \d+$/.test(line)) reject(new Error(`the peer's first line is ${line}`));
        const m = /^(LISTENING|HTTP) (\d+)$/.exec(line);
        if (m) started[m[1]] = Number(m[2]);
        if (started.LISTENING && (started.HTTP || !args.includes('--http')) && !started.done) {
          started.done = true;
          clearTimeout(timer);
          resolve({ peer, port: started.LISTENING, httpPort: started.HTTP });
        }
      }
    });
    peer.stderr.on('data', (chunk) => peerLog.push(`stderr: ${chunk}`));
    peer.on('exit', (code) => reject(new Error(`the peer exited with code ${code}`)));
  });
}

function check(condition, message) {
  checks += 1;
  assert.ok(condition, message);
}

function equal(actual, expected, message) {
  checks += 1;
  assert.deepStrictEqual(actual, expected, message);
}

// The SDK answers failures as a status object (or throws, for some calls); either way, this returns the status.
async function failure(promise) {
  try {
    const res = await promise;
    return res.status || res;
  } catch (e) {
    return { code: e.code, reason: e.details || e.reason || e.message };
  }
}

const ok = (res, what) => {
  const status = res.status || res;
  check(status.error_code === 'Success' && (status.code === 0 || status.code === undefined), `${what}: ${JSON.stringify(status)}`);
  return res;
};

// Known vectors: a unit vector on axis i, scaled.
const axis = (i, scale = 1) => Array.from({ length: DIM }, (_, d) => (d === i ? scale : 0));

const ROWS = [
  { pattern_id: 'p-1', vector: axis(0), pattern_type: 'quantum_correlation', coherence_metrics: { quantum_coherence: 0.95, quantum_stability: 0.94 }, temporal_context: { window: 3, tags: ['seed'] } },
  { pattern_id: 'p-2', vector: axis(0, 2), pattern_type: 'quantum_correlation', coherence_metrics: { quantum_coherence: 0.5 }, temporal_context: { tags: [] } },
  { pattern_id: 'p-3', vector: axis(1), pattern_type: null, coherence_metrics: { quantum_coherence: 0.99 }, temporal_context: null },
  { pattern_id: 'p-4', vector: axis(2), coherence_metrics: null, temporal_context: { window: 7 } }, // pattern_type left out: null
  { pattern_id: 'p-5', vector: axis(0, -1), pattern_type: 'temporal_drift', coherence_metrics: { quantum_coherence: 0.91 }, temporal_context: { tags: ['seed', 'x'] } },
  { pattern_id: 'p-6', vector: axis(1), pattern_type: 'temporal_echo', coherence_metrics: { quantum_coherence: 0.92 }, temporal_context: {} },
];

const l2 = (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);

// GET /healthz; json sends Content-Type: application/json, as Milvus's handler wants for the JSON answer.
function healthz(port, json) {
  return new Promise((resolve, reject) => {
    const headers = json ? { 'Content-Type': 'application/json' } : {};
    http.get({ host: '127.0.0.1', port, path: '/healthz', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

const call = (client, method, request) => promisify(client.channelPool, method, request, 10000);

// GET /metrics: { status, type (the Content-Type), text, samples: Map("name{labels}" -> number), families: Map(name ->
// type) }. Labels are written as the Go client writes them: sorted by name.
function scrape(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        const samples = new Map();
        const families = new Map();
        for (const line of text.split('\n')) {
          const type = /^# TYPE (\S+) (\S+)$/.exec(line);
          if (type) families.set(type[1], type[2]);
          const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
          if (sample) samples.set(sample[1], Number(sample[2]));
        }
        resolve({ status: res.statusCode, type: res.headers['content-type'], text, samples, families });
      });
    }).on('error', reject);
  });
}

// A histogram bucket's `le` comes last.
const series = (name, labels, le) => `${name}{${Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`)
  .concat(le === undefined ? [] : [`le="${le}"`]).join(',')}}`;
const reqCount = (fn, status, db = 'default', collection = COLLECTION) => series('milvus_proxy_req_count',
  { collection_name: collection, db_name: db, function_name: fn, node_id: '1', status });

const HEALTHY_DETAIL = ['rootcoord', 'datacoord', 'indexcoord', 'querycoord', 'querynode', 'datanode', 'indexnode', 'proxy']
  .map((name) => ({ name, code: 1 }));

async function selfTest(port, httpPort) {
  const address = `127.0.0.1:${port}`;
  step = 'connect';
  const client = new MilvusClient({ address, token: TOKEN, logLevel: 'error' });
  await client.connectPromise;
  equal((await client.getVersion()).version, 'v2.5.27', 'GetVersion');
  const health = await client.checkHealth();
  equal([health.isHealthy, health.reasons, health.quota_states], [true, [], []], 'CheckHealth');
  const states = await call(client, 'GetComponentStates', {});
  equal([states.state.role, states.state.state_code, states.state.nodeID, states.subcomponent_states], ['proxy', 'Healthy', '1', []], `GetComponentStates: ${JSON.stringify(states)}`);
  equal(await healthz(httpPort, false), { status: 200, body: 'OK' }, '/healthz as text');
  equal(await healthz(httpPort, true), { status: 200, body: JSON.stringify({ state: 'OK', detail: HEALTHY_DETAIL }) }, '/healthz as JSON');

  step = 'create the collection';
  const fields = [
    { name: 'pattern_id', data_type: DataType.VarChar, is_primary_key: true, max_length: 64 },
    { name: 'vector', data_type: DataType.FloatVector, dim: DIM },
    { name: 'pattern_type', data_type: DataType.VarChar, max_length: 100, nullable: true },
    { name: 'coherence_metrics', data_type: DataType.JSON, nullable: true },
    { name: 'temporal_context', data_type: DataType.JSON, nullable: true },
  ];
  ok(await client.createCollection({ collection_name: COLLECTION, fields, consistency_level: 'Strong' }), 'CreateCollection');
  ok(await client.createCollection({ collection_name: COLLECTION, fields, consistency_level: 'Strong' }), 'CreateCollection again, same parameters');
  const widerFields = fields.map((f) => (f.name === 'vector' ? { ...f, dim: 16 } : f));
  const duplicate = await failure(client.createCollection({ collection_name: COLLECTION, fields: widerFields, consistency_level: 'Strong' }));
  check(/create duplicate collection with different parameters/.test(duplicate.reason), `CreateCollection, other parameters: ${JSON.stringify(duplicate)}`);
  equal((await client.hasCollection({ collection_name: COLLECTION })).value, true, 'HasCollection');
  const described = ok(await client.describeCollection({ collection_name: COLLECTION }), 'DescribeCollection');
  equal(described.schema.fields.map((f) => [f.name, f.data_type, f.nullable]), [
    ['pattern_id', 'VarChar', false], ['vector', 'FloatVector', false], ['pattern_type', 'VarChar', true],
    ['coherence_metrics', 'JSON', true], ['temporal_context', 'JSON', true]], 'DescribeCollection fields');
  equal(described.consistency_level, 'Strong', 'DescribeCollection consistency level');
  check((await client.showCollections()).data.some((c) => c.name === COLLECTION), 'ShowCollections');

  step = 'index and load';
  const notLoaded = await failure(client.query({ collection_name: COLLECTION, filter: 'pattern_id != ""' }));
  equal(notLoaded.code, 101, `Query before load: ${JSON.stringify(notLoaded)}`);
  const noIndex = await failure(client.describeIndex({ collection_name: COLLECTION, field_name: 'vector' }));
  equal(noIndex.code, 700, `DescribeIndex before CreateIndex: ${JSON.stringify(noIndex)}`);
  const gpu = await failure(client.createIndex({ collection_name: COLLECTION, field_name: 'vector', index_type: 'GPU_CAGRA', metric_type: 'L2', params: { graph_degree: 32 } }));
  equal([gpu.code, gpu.reason], [1100, 'invalid parameter[expected=valid index][actual=invalid index type: GPU_CAGRA]'], 'GPU index on a CPU image');
  ok(await client.createIndex({ collection_name: COLLECTION, field_name: 'vector', index_type: 'HNSW', metric_type: 'L2', params: { M: 16, efConstruction: 200 } }), 'CreateIndex');
  const index = ok(await client.describeIndex({ collection_name: COLLECTION, field_name: 'vector' }), 'DescribeIndex');
  const indexParams = Object.fromEntries(index.index_descriptions[0].params.map((p) => [p.key, p.value]));
  equal([indexParams.index_type, indexParams.metric_type, JSON.parse(indexParams.params)], ['HNSW', 'L2', { M: 16, efConstruction: 200 }], 'DescribeIndex params');
  equal(index.index_descriptions[0].state, 'Finished', 'DescribeIndex state');
  ok(await client.loadCollectionSync({ collection_name: COLLECTION }), 'LoadCollection and poll GetLoadingProgress');
  equal((await client.getLoadState({ collection_name: COLLECTION })).state, 'LoadStateLoaded', 'GetLoadState');

  step = 'upsert with nulls';
  const upserted = ok(await client.upsert({ collection_name: COLLECTION, data: ROWS }), 'Upsert');
  equal(Number(upserted.upsert_cnt), ROWS.length, 'Upsert count');
  equal(upserted.IDs.str_id.data, ROWS.map((r) => r.pattern_id), 'Upsert ids');

  step = 'query';
  const count = async (filter) => Number((await client.count({ collection_name: COLLECTION, filter })).data);
  equal(await count(''), 6, 'count(*)');
  equal(await count('pattern_type like "temporal%"'), 2, 'count(*) with like');
  const ids = async (filter, extra = {}) => (await client.query({ collection_name: COLLECTION, filter, output_fields: ['pattern_id'], ...extra })).data.map((r) => r.pattern_id);
  equal(await ids('pattern_type == "quantum_correlation" and coherence_metrics["quantum_coherence"] >= 0.9'), ['p-1'], 'Query with a JSON path');
  equal(await ids('pattern_type is null'), ['p-3', 'p-4'], 'Query is null');
  equal(await ids('coherence_metrics is null'), ['p-4'], 'Query JSON is null');
  equal(await ids('coherence_metrics["missing_key"] == 1'), [], 'a missing JSON key compares false');
  equal(await ids('not (coherence_metrics["missing_key"] == 1)'), ['p-1', 'p-2', 'p-3', 'p-5', 'p-6'], 'and its negation is true, except on the null JSON row (not NULL is NULL)');
  equal(await ids('json_contains(temporal_context["tags"], "seed")'), ['p-1', 'p-5'], 'json_contains');
  equal(await ids('exists temporal_context["window"] && 0.9 < coherence_metrics["quantum_coherence"] <= 1.0'), ['p-1'], 'exists and a range');
  equal(await ids('pattern_id in ["p-6", "p-2", "nope"]'), ['p-2', 'p-6'], 'in, results in primary-key order');
  equal(await ids('', { limit: 2, offset: 3 }), ['p-4', 'p-5'], 'limit and offset page in primary-key order');
  const full = await client.query({ collection_name: COLLECTION, filter: 'pattern_id in ["p-3", "p-4", "p-1"]', output_fields: ['*'] });
  ok(full, 'Query all fields');
  const byId = Object.fromEntries(full.data.map((r) => [r.pattern_id, r]));
  equal(byId['p-1'].coherence_metrics, ROWS[0].coherence_metrics, 'JSON comes back');
  equal(byId['p-3'].pattern_type, null, 'a null VarChar comes back null');
  equal(byId['p-4'].pattern_type, null, 'a left-out VarChar comes back null');
  equal(byId['p-4'].coherence_metrics, null, 'a null JSON comes back null');
  equal(byId['p-3'].vector, ROWS[2].vector, 'the vector comes back');
  // Templates: the SDK's exprValues travel as expr_template_values.
  const templated = (filter, exprValues) => ids(filter, { exprValues });
  equal(await templated('pattern_id in {ids} and coherence_metrics["quantum_coherence"] > {min}', { ids: ['p-1', 'p-2', 'p-3'], min: 0.9 }), ['p-1', 'p-3'], 'Query with template values');
  equal(await templated('{low} < coherence_metrics["quantum_coherence"] <= {high}', { low: 0.9, high: 0.95 }), ['p-1', 'p-5', 'p-6'], 'a range with template values');
  const noValue = await failure(client.query({ collection_name: COLLECTION, filter: 'pattern_type == {type}', output_fields: ['pattern_id'] }));
  check(noValue.code === 1100 && /template variable name \{type\} is not found/.test(noValue.reason), `a missing template value: ${JSON.stringify(noValue)}`);
  const bad = await failure(client.query({ collection_name: COLLECTION, filter: 'pattern_type = "x"' }));
  check(bad.code === 1100 && /^cannot parse expression/.test(bad.reason), `a bad filter: ${JSON.stringify(bad)}`);
  const emptyNoLimit = await failure(client.query({ collection_name: COLLECTION, filter: '' }));
  check(/empty expression should be used with limit/.test(emptyNoLimit.reason), `an empty filter without limit: ${JSON.stringify(emptyNoLimit)}`);

  step = 'search';
  const searchesBefore = (await scrape(httpPort)).samples.get(reqCount('Search', 'success')) || 0;
  const queries = [axis(0, 1.5), axis(1)];
  const search = ok(await client.search({
    collection_name: COLLECTION, data: queries, anns_field: 'vector', limit: 3, metric_type: 'L2',
    params: { ef: 64 }, output_fields: ['pattern_id', 'pattern_type', 'coherence_metrics'],
  }), 'Search');
  // Milvus 2.5 returns only the output fields asked for (the SDK reads each hit's key from them).
  equal(search.results.length, 2, 'one result list per query');
  equal((await scrape(httpPort)).samples.get(reqCount('Search', 'success')), searchesBefore + 1, '/metrics counts the Search');
  for (let q = 0; q < queries.length; q++) {
    const expected = ROWS.map((r) => ({ id: r.pattern_id, score: l2(queries[q], r.vector) }))
      .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1)).slice(0, 3);
    equal(search.results[q].map((h) => h.pattern_id), expected.map((h) => h.id), `query ${q}: L2 order, ties by primary key`);
    search.results[q].forEach((h, i) => check(Math.abs(h.score - expected[i].score) < 1e-5, `query ${q} hit ${i}: score ${h.score}, expected ${expected[i].score}`));
  }
  equal(search.results[1][0].pattern_type, null, 'a null output field in a hit');
  const filtered = ok(await client.search({ collection_name: COLLECTION, data: [axis(0)], limit: 10, filter: 'pattern_type like "temporal%"', output_fields: ['pattern_id'] }), 'Search with a filter');
  equal(filtered.results.map((h) => h.pattern_id), ['p-6', 'p-5'], 'filtered search');
  const templatedSearch = ok(await client.search({ collection_name: COLLECTION, data: [axis(0)], limit: 10, filter: 'pattern_type like "temporal%" and pattern_id != {id}', exprValues: { id: 'p-6' }, output_fields: ['pattern_id'] }), 'Search with template values');
  equal(templatedSearch.results.map((h) => h.pattern_id), ['p-5'], 'Search with template values');
  const wrongMetric = await failure(client.search({ collection_name: COLLECTION, data: [axis(0)], limit: 1, metric_type: 'IP' }));
  check(/metric type not match/.test(wrongMetric.reason), `a metric the index does not use: ${JSON.stringify(wrongMetric)}`);

  step = 'replace, delete';
  ok(await client.upsert({ collection_name: COLLECTION, data: [{ ...ROWS[1], pattern_type: 'replaced' }] }), 'Upsert an existing key');
  equal(await count(''), 6, 'an upsert replaces');
  equal(await ids('pattern_type == "replaced"'), ['p-2'], 'the replacement is visible at once');
  const simple = ok(await client.delete({ collection_name: COLLECTION, filter: 'pattern_id in ["p-1", "gone"]' }), 'Delete by primary keys');
  equal(Number(simple.delete_cnt), 2, 'a primary-key delete counts the keys it names');
  const complex = ok(await client.delete({ collection_name: COLLECTION, filter: 'pattern_type is null' }), 'Delete by filter');
  equal(Number(complex.delete_cnt), 2, 'a filter delete counts the entities it matched');
  equal(await count(''), 3, 'count after the deletes');
  ok(await client.flushSync({ collection_names: [COLLECTION] }), 'Flush');

  await segments(client, httpPort);

  step = 'replicas';
  const collectionID = described.collectionID;
  const replicas = ok(await client.getReplicas({ collectionID }), 'GetReplicas').replicas;
  equal(replicas.length, 1, `one replica: ${JSON.stringify(replicas)}`);
  equal([replicas[0].collectionID, replicas[0].node_ids, replicas[0].resource_group_name], [collectionID, ['1'], '__default_resource_group'], 'the replica');
  equal(replicas[0].shard_replicas.map((s) => [s.dm_channel_name, s.leaderID]), [[described.virtual_channel_names[0], '1']], 'the shard leader');
  equal(ok(await call(client, 'GetReplicas', { collection_name: COLLECTION }), 'GetReplicas by name').replicas.length, 1, 'GetReplicas by name');

  await aliases(client);
  await databases(client, address, httpPort);
  await metricsPage(httpPort);

  step = 'drop index';
  const loadedIndex = await failure(client.dropIndex({ collection_name: COLLECTION, field_name: 'vector', index_name: 'vector' }));
  equal([loadedIndex.code, loadedIndex.reason], [65535, 'index cannot be dropped, collection is loaded, please release it first'], 'DropIndex of a loaded collection');

  step = 'release and drop';
  ok(await client.releaseCollection({ collection_name: COLLECTION }), 'ReleaseCollection');
  equal((await failure(client.search({ collection_name: COLLECTION, data: [axis(0)], limit: 1 }))).code, 101, 'Search after release');
  equal(ok(await client.getReplicas({ collectionID }), 'GetReplicas after release').replicas, [], 'no replicas once released');
  const twoReplicas = await failure(call(client, 'LoadCollection', { collection_name: COLLECTION, replica_number: 2 }));
  equal([twoReplicas.code, twoReplicas.reason], [65535, 'call query coordinator LoadCollection: failed to spawn replica for collection: resource group node not enough[rg=__default_resource_group][currentNodeNum=1][expectedNodeNum=2]'], 'two replicas on one query node');
  ok(await client.dropIndex({ collection_name: COLLECTION, field_name: 'vector', index_name: 'vector' }), 'DropIndex');
  const dropped = await failure(client.describeIndex({ collection_name: COLLECTION, field_name: 'vector' }));
  equal([dropped.code, dropped.reason], [700, `index not found[collection=${COLLECTION}]`], 'DescribeIndex after DropIndex');
  const noIndexes = await failure(call(client, 'LoadCollection', { collection_name: COLLECTION }));
  equal([noIndexes.code, noIndexes.reason], [700, `index not found[collection=${COLLECTION}]`], 'LoadCollection without an index');
  ok(await client.dropIndex({ collection_name: COLLECTION, field_name: 'vector', index_name: 'vector' }), 'DropIndex of a missing index');
  ok(await client.dropCollection({ collection_name: COLLECTION }), 'DropCollection');
  equal((await client.hasCollection({ collection_name: COLLECTION })).value, false, 'HasCollection after drop');
  ok(await client.dropCollection({ collection_name: COLLECTION }), 'DropCollection of a missing collection');
  // 2.5's cached DescribeCollection: no code, the legacy error_code and its own text.
  const missing = await failure(client.describeCollection({ collection_name: COLLECTION }));
  equal([missing.code, missing.error_code, missing.reason], [0, 'CollectionNotExists', `can't find collection[database=default][collection=${COLLECTION}]`],
    `DescribeCollection of a dropped collection: ${JSON.stringify(missing)}`);
  const noCollection = await failure(call(client, 'LoadCollection', { collection_name: COLLECTION }));
  equal([noCollection.code, noCollection.reason], [100, `collection not found[database=default][collection=${COLLECTION}]`], 'LoadCollection of a dropped collection');

  step = 'authentication';
  const intruder = new MilvusClient({ address, token: 'root:wrong', logLevel: 'error', maxRetries: 0 });
  const denied = await failure(intruder.getVersion());
  check(String(denied.reason).includes('authorization') || denied.code === 16, `a wrong token: ${JSON.stringify(denied)}`);
  await intruder.closeConnection();
  await client.closeConnection();
}

// Aliases, with COLLECTION loaded and OTHER created here: rootcoord's rules and texts (meta_table.go), and every
// RPC that takes a collection name reads an alias as its collection.
async function aliases(client) {
  step = 'aliases';
  const fail = async (promise, code, reason, what) => {
    const status = await failure(promise);
    equal([status.code, status.reason], [code, reason], what);
  };
  const otherFields = [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'v', data_type: DataType.FloatVector, dim: 2 },
  ];
  ok(await client.createCollection({ collection_name: OTHER, fields: otherFields }), 'CreateCollection (a second one)');
  ok(await client.createAlias({ collection_name: COLLECTION, alias: ALIAS }), 'CreateAlias');
  ok(await client.createAlias({ collection_name: COLLECTION, alias: ALIAS }), 'CreateAlias again, same collection');
  await fail(client.createAlias({ collection_name: OTHER, alias: ALIAS }), 1602,
    `${ALIAS} is alias to another collection: ${COLLECTION}: alias already exist[database=default][alias=${ALIAS}]`, 'CreateAlias taken by another collection');
  await fail(client.createAlias({ collection_name: COLLECTION, alias: OTHER }), 1601,
    `alias and collection name conflict[database=default][alias=${OTHER}]`, 'CreateAlias named as a collection');
  await fail(client.createAlias({ collection_name: 'nope', alias: 'a_nope' }), 100,
    'collection not found[database=default][collection=nope]', 'CreateAlias of a missing collection');
  await fail(client.createAlias({ collection_name: ALIAS, alias: 'a_of_alias' }), 100,
    `collection not found[database=default][collection=${ALIAS}]`, 'CreateAlias of an alias');
  await fail(client.createAlias({ collection_name: COLLECTION, alias: '1live' }), 1100,
    'Invalid collection alias: 1live.  the first character of a collection alias must be an underscore or letter: invalid parameter', 'an alias starting with a digit');
  await fail(client.createAlias({ collection_name: COLLECTION, alias: 'live-1' }), 1100,
    'Invalid collection alias: live-1.  collection alias can only contain numbers, letters and underscores: invalid parameter', 'an alias with a dash');
  await fail(client.createCollection({ collection_name: ALIAS, fields: otherFields }), 65535,
    `collection name [${ALIAS}] conflicts with an existing alias, please choose a unique name`, 'CreateCollection named as an alias');

  const alias = await client.describeAlias({ collection_name: COLLECTION, alias: ALIAS });
  equal([alias.db_name, alias.alias, alias.collection], ['default', ALIAS, COLLECTION], 'DescribeAlias');
  await fail(client.describeAlias({ collection_name: COLLECTION, alias: 'nope' }), 1600,
    'alias not found[database=default][alias=nope]', 'DescribeAlias of a missing alias');
  equal(ok(await client.listAliases({ collection_name: COLLECTION }), 'ListAliases').aliases, [ALIAS], 'ListAliases of a collection');
  equal((await client.listAliases({ collection_name: OTHER })).aliases, [], 'ListAliases of a collection without aliases');
  await fail(client.listAliases({ collection_name: 'nope' }), 100, 'collection not found[collection=nope]', 'ListAliases of a missing collection');
  await fail(client.listAliases({ collection_name: ALIAS }), 100, `collection not found[collection=${ALIAS}]`, 'ListAliases names collections, not aliases');
  equal((await call(client, 'ListAliases', { db_name: 'default' })).aliases, [ALIAS], 'ListAliases of the database');

  // Resolution: DescribeCollection answers with the name asked for and the collection's own schema name.
  const viaAlias = ok(await client.describeCollection({ collection_name: ALIAS }), 'DescribeCollection by alias');
  equal([viaAlias.collection_name, viaAlias.schema.name, viaAlias.aliases], [ALIAS, COLLECTION, [ALIAS]], 'DescribeCollection by alias');
  equal((await client.describeCollection({ collection_name: COLLECTION })).aliases, [ALIAS], 'DescribeCollection lists the aliases');
  equal((await client.hasCollection({ collection_name: ALIAS })).value, true, 'HasCollection by alias');
  equal((await client.getLoadState({ collection_name: ALIAS })).state, 'LoadStateLoaded', 'GetLoadState by alias');
  const direct = await client.search({ collection_name: COLLECTION, data: [axis(1)], limit: 2, output_fields: ['pattern_id'] });
  const aliased = ok(await client.search({ collection_name: ALIAS, data: [axis(1)], limit: 2, output_fields: ['pattern_id'] }), 'Search by alias');
  equal(aliased.results, direct.results, 'Search by alias finds what the collection does');
  equal(Number((await client.count({ collection_name: ALIAS, filter: '' })).data), 3, 'count(*) by alias');
  ok(await client.describeIndex({ collection_name: ALIAS, field_name: 'vector' }), 'DescribeIndex by alias');

  await fail(client.dropCollection({ collection_name: ALIAS }), 65535, `cannot drop the collection via alias = ${ALIAS}`, 'DropCollection by alias');
  await fail(client.dropCollection({ collection_name: COLLECTION }), 65535,
    `unable to drop the collection [${COLLECTION}] because it has associated aliases [${ALIAS}], please remove all aliases before dropping the collection`,
    'DropCollection of a collection with aliases');

  ok(await client.alterAlias({ collection_name: OTHER, alias: ALIAS }), 'AlterAlias');
  equal((await client.describeAlias({ collection_name: OTHER, alias: ALIAS })).collection, OTHER, 'DescribeAlias after AlterAlias');
  equal((await client.describeCollection({ collection_name: ALIAS })).schema.name, OTHER, 'the alias follows');
  await fail(client.alterAlias({ collection_name: OTHER, alias: 'nope' }), 1600, 'alias not found[database=default][alias=nope]', 'AlterAlias of a missing alias');
  await fail(client.alterAlias({ collection_name: 'nope', alias: ALIAS }), 100, 'collection not found[collection=nope]', 'AlterAlias to a missing collection');
  await fail(client.alterAlias({ collection_name: OTHER, alias: COLLECTION }), 1601,
    `alias and collection name conflict[database=default][alias=${COLLECTION}]`, 'AlterAlias named as a collection');

  ok(await client.dropAlias({ alias: ALIAS }), 'DropAlias');
  ok(await client.dropAlias({ alias: ALIAS }), 'DropAlias of a missing alias');
  await fail(client.describeAlias({ collection_name: OTHER, alias: ALIAS }), 1600,
    `alias not found[database=default][alias=${ALIAS}]`, 'DescribeAlias after DropAlias');
  equal((await client.hasCollection({ collection_name: ALIAS })).value, false, 'HasCollection of a dropped alias');
  ok(await client.dropCollection({ collection_name: OTHER }), 'DropCollection once its alias is gone');
}

// Segments and compaction, with COLLECTION loaded and flushed once: 7 rows written (6, then p-2 again), 3 deleted.
async function segments(client, httpPort) {
  step = 'segments';
  const persistent = async () => ok(await client.getPersistentSegmentInfo({ collectionName: COLLECTION }), 'GetPersistentSegmentInfo').infos;
  const rowCount = async () => (await client.getCollectionStatistics({ collection_name: COLLECTION })).data.row_count;
  const flushed = await persistent();
  equal(flushed.map((s) => [s.num_rows, s.state, s.level, s.is_sorted]), [['7', 'Flushed', 'L1', true]], 'one flushed segment counts every row written');
  equal(await rowCount(), '7', 'row_count counts deleted and replaced rows until compaction');
  const loaded = ok(await client.getQuerySegmentInfo({ collectionName: COLLECTION }), 'GetQuerySegmentInfo').infos;
  equal(loaded.map((s) => [s.segmentID, s.num_rows, s.state, s.nodeIds, s.index_name, s.mem_size]),
    [[flushed[0].segmentID, '7', 'Sealed', ['1'], 'vector', '0']], 'the loaded segment');

  // Rows written after the flush sit in a growing segment, which neither list shows.
  ok(await client.insert({ collection_name: COLLECTION, data: [{ ...ROWS[5], pattern_id: 'p-7' }] }), 'Insert after the flush');
  equal((await persistent()).length, 1, 'a growing segment is not persistent');
  let metrics = await scrape(httpPort);
  const collectionID = (await client.describeCollection({ collection_name: COLLECTION })).collectionID;
  const entities = (state) => metrics.samples.get(series('milvus_querynode_entity_num',
    { collection_id: collectionID, collection_name: COLLECTION, db_name: 'default', node_id: '1', segment_state: state }));
  equal([entities('Growing'), entities('Sealed')], [1, 7], 'milvus_querynode_entity_num');
  ok(await client.flushSync({ collection_names: [COLLECTION] }), 'Flush again');
  equal((await persistent()).map((s) => s.num_rows), ['7', '1'], 'two flushed segments');
  const deleted = ok(await client.delete({ collection_name: COLLECTION, filter: 'pattern_id in {ids}', exprValues: { ids: ['p-7', 'gone'] } }), 'Delete the new row, keys as a template value');
  equal(Number(deleted.delete_cnt), 2, 'a primary-key delete with a template value counts the keys it names');
  equal((await persistent()).map((s) => s.num_rows), ['7', '1'], 'a delete leaves num_rows as it was');

  const compaction = ok(await client.compact({ collection_name: COLLECTION }), 'ManualCompaction');
  equal(compaction.compactionPlanCount, 1, 'one plan merges the flushed segments');
  const state = async () => {
    const s = ok(await client.getCompactionState({ compactionID: compaction.compactionID }), 'GetCompactionState');
    return [s.state, s.executingPlanNo, s.completedPlanNo];
  };
  equal(await state(), ['Executing', '1', '0'], 'the first poll finds it executing');
  const busy = ok(await client.compact({ collection_name: COLLECTION }), 'ManualCompaction while compacting');
  equal([busy.compactionID, busy.compactionPlanCount], ['-1', 0], 'segments being compacted are not planned again');
  equal(await state(), ['Completed', '0', '1'], 'then completed');
  const compacted = await persistent();
  equal(compacted.map((s) => s.num_rows), ['3'], 'one segment holds the live rows');
  check(!flushed.some((s) => s.segmentID === compacted[0].segmentID), 'the compacted segment is a new one');
  equal(await rowCount(), '3', 'row_count after compaction');
  const unknown = ok(await client.getCompactionState({ compactionID: '12345' }), 'GetCompactionState of an unknown id');
  equal([unknown.state, unknown.executingPlanNo, unknown.completedPlanNo], ['Completed', '0', '0'], 'an unknown compaction has no plans');
  metrics = await scrape(httpPort);
  equal(metrics.samples.get(series('milvus_datacoord_compaction_task_num', { compaction_type: 'MixCompaction', node_id: '1', status: 'done' })), 1,
    'milvus_datacoord_compaction_task_num counts the finished plan');
  equal(metrics.samples.get(series('milvus_datacoord_segment_num', { segment_is_sorted: 'sorted', segment_level: 'L1', segment_state: 'Dropped' })), 2,
    'milvus_datacoord_segment_num counts the compacted segments as dropped');
  equal(metrics.samples.get(series('milvus_datacoord_stored_rows_num',
    { collection_id: collectionID, collection_name: COLLECTION, db_name: 'default', segment_state: 'Flushed' })), 3, 'milvus_datacoord_stored_rows_num');
  const missing = await failure(client.getPersistentSegmentInfo({ collectionName: 'nope' }));
  equal([missing.code, missing.reason], [100, 'collection not found[database=default][collection=nope]'], 'GetPersistentSegmentInfo of a missing collection');
}

// Databases: rootcoord's rules and texts; collections live in their database, named by db_name or the dbname header.
async function databases(client, address, httpPort) {
  step = 'databases';
  const fail = async (promise, code, reason, what) => {
    const status = await failure(promise);
    equal([status.code, status.reason], [code, reason], what);
  };
  const names = async () => ok(await client.listDatabases(), 'ListDatabases').db_names;
  equal(await names(), ['default'], 'ListDatabases on a fresh standalone');
  ok(await client.createDatabase({ db_name: DB }), 'CreateDatabase');
  await fail(client.createDatabase({ db_name: DB }), 65535, `database already exist: ${DB}`, 'CreateDatabase of an existing database');
  await fail(client.createDatabase({ db_name: '' }), 802, 'database name couldn\'t be empty: invalid database name[database=]', 'an empty name');
  await fail(client.createDatabase({ db_name: '1db' }), 802,
    'the first character of a database name must be an underscore or letter: invalid database name[database=1db]', 'a name starting with a digit');
  await fail(client.createDatabase({ db_name: 'db-1' }), 802,
    'database name can only contain numbers, letters and underscores: invalid database name[database=db-1]', 'a name with a dash');
  await fail(client.createDatabase({ db_name: 'd'.repeat(256) }), 802,
    `the length of a database name must be less than 255 characters: invalid database name[database=${'d'.repeat(256)}]`, 'a name of 256 bytes');
  const listed = await client.listDatabases();
  equal(listed.db_names, ['default', DB], 'ListDatabases lists it');
  equal(listed.db_ids[0], '1', 'the default database has id 1');
  const described = ok(await client.describeDatabase({ db_name: DB }), 'DescribeDatabase');
  equal([described.db_name, described.dbID, described.created_timestamp], [DB, listed.db_ids[1], listed.created_timestamp[1]], 'DescribeDatabase');
  // rootcoord's created time is Unix nanoseconds, not a hybrid timestamp.
  const nanos = BigInt(described.created_timestamp);
  check(nanos > BigInt(Date.now() - 60000) * 1000000n && nanos <= BigInt(Date.now() + 1000) * 1000000n, `created_timestamp is Unix nanoseconds: ${nanos}`);
  await fail(client.describeDatabase({ db_name: 'nope' }), 800, 'database not found[database=nope]', 'DescribeDatabase of a missing database');

  // A collection of the same name in each database; the dbname header picks the database too.
  const fields = [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }];
  ok(await client.createCollection({ db_name: DB, collection_name: OTHER, fields }), 'CreateCollection in another database');
  ok(await client.createCollection({ collection_name: OTHER, fields: [...fields, { name: 'extra', data_type: DataType.Int64, nullable: true }] }), 'the same name in default');
  const inDb = new MilvusClient({ address, token: TOKEN, logLevel: 'error', database: DB });
  await inDb.connectPromise;
  equal((await inDb.showCollections()).data.map((c) => c.name), [OTHER], 'ShowCollections in the header\'s database');
  equal((await inDb.describeCollection({ collection_name: OTHER })).schema.fields.length, 2, 'the header\'s database has its own collection');
  equal((await inDb.describeCollection({ collection_name: OTHER })).db_name, DB, 'DescribeCollection names its database');
  await fail(call(client, 'LoadCollection', { db_name: DB, collection_name: COLLECTION }), 100,
    `collection not found[database=${DB}][collection=${COLLECTION}]`, 'a collection of default is not in the other database');
  await fail(call(client, 'ShowCollections', { db_name: 'nope' }), 800, 'database not found[database=nope]', 'ShowCollections in a missing database');

  await fail(client.dropDatabase({ db_name: 'default' }), 65535, 'can not drop default database', 'DropDatabase of default');
  await fail(client.dropDatabase({ db_name: DB }), 65535, `database:${DB} not empty, must drop all collections before drop database`, 'DropDatabase of a non-empty database');
  ok(await client.dropDatabase({ db_name: 'nope' }), 'DropDatabase of a missing database');
  ok(await inDb.dropCollection({ collection_name: OTHER }), 'DropCollection through the header');
  await inDb.closeConnection();
  ok(await client.dropCollection({ collection_name: OTHER }), 'DropCollection in default');
  ok(await client.dropDatabase({ db_name: DB }), 'DropDatabase');
  equal(await names(), ['default'], 'ListDatabases after DropDatabase');
  await fail(call(client, 'ShowCollections', { db_name: DB }), 800, `database not found[database=${DB}]`, 'a dropped database is gone');

  // rootCoord.maxDatabaseNum: 64 databases, default included.
  const extra = Array.from({ length: 63 }, (_, i) => `selftest_db_${i}`);
  for (const name of extra) ok(await client.createDatabase({ db_name: name }), `CreateDatabase ${name}`);
  await fail(client.createDatabase({ db_name: 'one_too_many' }), 801, 'exceeded the limit number of database[limit=64]', 'the 65th database');
  for (const name of extra) ok(await client.dropDatabase({ db_name: name }), `DropDatabase ${name}`);

  const metrics = await scrape(httpPort);
  equal(metrics.samples.get(reqCount('CreateDatabase', 'success', DB, '')), 1, 'req_count labels CreateDatabase with its database');
  equal(metrics.samples.get(reqCount('ListDatabases', 'total', '', '')), 3, 'req_count of ListDatabases');
}

// /metrics: the Prometheus text format 0.0.4, with Milvus's family names, types and labels.
async function metricsPage(httpPort) {
  step = 'metrics';
  const metrics = await scrape(httpPort);
  equal([metrics.status, metrics.type], [200, 'text/plain; version=0.0.4; charset=utf-8'], '/metrics answers the text format');
  for (const [name, type] of [['milvus_proxy_req_count', 'counter'], ['milvus_proxy_req_latency', 'histogram'], ['milvus_proxy_sq_latency', 'histogram'],
    ['milvus_proxy_mutation_latency', 'histogram'], ['milvus_querynode_entity_num', 'gauge'], ['milvus_querynode_segment_num', 'gauge'],
    ['milvus_datacoord_stored_rows_num', 'gauge'], ['milvus_datacoord_segment_num', 'gauge'], ['milvus_datacoord_compaction_task_num', 'gauge'],
    ['go_info', 'gauge'], ['process_start_time_seconds', 'gauge']]) {
    equal(metrics.families.get(name), type, `# TYPE ${name}`);
    check(metrics.text.includes(`# HELP ${name} `), `# HELP ${name}`);
  }
  const latency = { function_name: 'CreateCollection', node_id: '1' };
  const count = metrics.samples.get(series('milvus_proxy_req_latency_count', latency));
  check(count >= 2, `req_latency counts the successful CreateCollection calls: ${count}`);
  equal(metrics.samples.get(series('milvus_proxy_req_latency_bucket', latency, '+Inf')), count, 'the +Inf bucket holds every observation');
  check(metrics.samples.get(series('milvus_proxy_req_count', { collection_name: '', db_name: 'default', function_name: 'Connect', node_id: '1', status: 'total' })) === undefined,
    'Connect is not counted, as the proxy does not count it');
  check(metrics.samples.get(reqCount('Search', 'fail')) >= 1, 'failed searches count as fail');
  check(peerLog.includes('HTTP GET /metrics 200'), 'the peer logs /metrics');
}

// A second peer: --unhealthy (the query node is Abnormal), without a token.
async function unhealthyTest(port, httpPort) {
  step = 'unhealthy';
  const client = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
  await client.connectPromise;
  const health = await client.checkHealth();
  equal([health.isHealthy, health.reasons, health.quota_states], [false, ['service not ready[QueryNode=1]: Abnormal'], []], `CheckHealth: ${JSON.stringify(health)}`);
  const states = await call(client, 'GetComponentStates', {});
  equal([states.state.role, states.state.state_code, states.subcomponent_states], ['proxy', 'Healthy', []], 'the proxy itself stays Healthy');
  const state = 'Not all components are healthy, 7/8';
  equal(await healthz(httpPort, false), { status: 500, body: state }, '/healthz as text');
  const detail = HEALTHY_DETAIL.map((d) => (d.name === 'querynode' ? { name: d.name, code: 2 } : d));
  equal(await healthz(httpPort, true), { status: 500, body: JSON.stringify({ state, detail }) }, '/healthz as JSON');
  check(peerLog.includes('HTTP GET /healthz 500'), 'the peer logs HTTP requests');
  await client.closeConnection();
}

async function main() {
  const peers = [];
  try {
    const started = await startPeer(['--stateful', '--token', HEADER, '--http']);
    peers.push(started.peer);
    await selfTest(started.port, started.httpPort);
    const unhealthy = await startPeer(['--stateful', '--unhealthy', '--http']);
    peers.push(unhealthy.peer);
    await unhealthyTest(unhealthy.port, unhealthy.httpPort);
    console.log(`SELFTEST OK (${checks} checks)`);
    return 0;
  } catch (e) {
    console.error(`SELFTEST FAILED at "${step}": ${e.message}`);
    console.error(`peer log (last 40 lines):\n${peerLog.slice(-40).join('\n')}`);
    return 1;
  } finally {
    for (const peer of peers) peer.stdin.end();
  }
}

main().then((code) => process.exit(code));
