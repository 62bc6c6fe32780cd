#!/usr/bin/env node
// Self-test of the stateful peer (peer.js --stateful) driven by the OFFICIAL Milvus node SDK (MilvusClient from
// @zilliz/milvus2-sdk-node): if the SDK Milvus publishes can create, index, load, write, read, search and drop
// against the peer, and gets the answers Milvus semantics call for, the peer is a usable stand-in.
//
// Usage: node peer-selftest.js      exit 0 and "SELFTEST OK" on success; exit 1 with the failed check and the
// peer's last log lines otherwise.
'use strict';

const { spawn } = require('child_process');
const path = require('path');
const assert = require('assert/strict');
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');

const TOKEN = 'root:Milvus';
const HEADER = Buffer.from(TOKEN).toString('base64'); // the SDK sends base64(token) as `authorization`
const COLLECTION = 'selftest_patterns';
const DIM = 8;

const peerLog = [];
let checks = 0;
let step = 'starting the peer';

function startPeer() {
  const peer = spawn(process.execPath, [path.join(__dirname, 'peer.js'), '--stateful', '--token', HEADER], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the peer did not print LISTENING within 15 s')), 15000);
    let pending = '';
    peer.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        peerLog.push(line);
        const m = /^LISTENING (\d+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({ peer, port: Number(m[1]) });
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

async function selfTest(port) {
  const address = `127.0.0.1:${port}`;
  step = 'connect';
  const client = new MilvusClient({ address, token: TOKEN, logLevel: 'error' });
  await client.connectPromise;
  equal((await client.getVersion()).version, 'v2.5.27', 'GetVersion');
  check((await client.checkHealth()).isHealthy, 'CheckHealth');

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
  equal(await ids('not (coherence_metrics["missing_key"] == 1)'), ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6'], 'and its negation is true');
  equal(await ids('json_contains(temporal_context["tags"], "seed")'), ['p-1', 'p-5'], 'json_contains');
  equal(await ids('exists temporal_context["window"] && 0.9 < coherence_metrics["quantum_coherence"] <= 1'), ['p-1'], 'exists and a range');
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
  const bad = await failure(client.query({ collection_name: COLLECTION, filter: 'pattern_type = "x"' }));
  check(bad.code === 1100 && /^cannot parse expression/.test(bad.reason), `a bad filter: ${JSON.stringify(bad)}`);
  const emptyNoLimit = await failure(client.query({ collection_name: COLLECTION, filter: '' }));
  check(/empty expression should be used with limit/.test(emptyNoLimit.reason), `an empty filter without limit: ${JSON.stringify(emptyNoLimit)}`);

  step = 'search';
  const queries = [axis(0, 1.5), axis(1)];
  const search = ok(await client.search({
    collection_name: COLLECTION, data: queries, anns_field: 'vector', limit: 3, metric_type: 'L2',
    params: { ef: 64 }, output_fields: ['pattern_id', 'pattern_type', 'coherence_metrics'],
  }), 'Search');
  // Milvus 2.5 returns only the output fields asked for (the SDK reads each hit's key from them).
  equal(search.results.length, 2, 'one result list per query');
  for (let q = 0; q < queries.length; q++) {
    const expected = ROWS.map((r) => ({ id: r.pattern_id, score: l2(queries[q], r.vector) }))
      .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1)).slice(0, 3);
    equal(search.results[q].map((h) => h.pattern_id), expected.map((h) => h.id), `query ${q}: L2 order, ties by primary key`);
    search.results[q].forEach((h, i) => check(Math.abs(h.score - expected[i].score) < 1e-5, `query ${q} hit ${i}: score ${h.score}, expected ${expected[i].score}`));
  }
  equal(search.results[1][0].pattern_type, null, 'a null output field in a hit');
  const filtered = ok(await client.search({ collection_name: COLLECTION, data: [axis(0)], limit: 10, filter: 'pattern_type like "temporal%"', output_fields: ['pattern_id'] }), 'Search with a filter');
  equal(filtered.results.map((h) => h.pattern_id), ['p-6', 'p-5'], 'filtered search');
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

  step = 'release and drop';
  ok(await client.releaseCollection({ collection_name: COLLECTION }), 'ReleaseCollection');
  equal((await failure(client.search({ collection_name: COLLECTION, data: [axis(0)], limit: 1 }))).code, 101, 'Search after release');
  ok(await client.dropCollection({ collection_name: COLLECTION }), 'DropCollection');
  equal((await client.hasCollection({ collection_name: COLLECTION })).value, false, 'HasCollection after drop');
  ok(await client.dropCollection({ collection_name: COLLECTION }), 'DropCollection of a missing collection');
  const missing = await failure(client.describeCollection({ collection_name: COLLECTION }));
  equal(missing.code, 100, `DescribeCollection of a dropped collection: ${JSON.stringify(missing)}`);

  step = 'authentication';
  const intruder = new MilvusClient({ address, token: 'root:wrong', logLevel: 'error', maxRetries: 0 });
  const denied = await failure(intruder.getVersion());
  check(String(denied.reason).includes('authorization') || denied.code === 16, `a wrong token: ${JSON.stringify(denied)}`);
  await intruder.closeConnection();
  await client.closeConnection();
}

async function main() {
  let peer;
  try {
    const started = await startPeer();
    peer = started.peer;
    await selfTest(started.port);
    console.log(`SELFTEST OK (${checks} checks)`);
    return 0;
  } catch (e) {
    console.error(`SELFTEST FAILED at "${step}": ${e.message}`);
    console.error(`peer log (last 40 lines):\n${peerLog.slice(-40).join('\n')}`);
    return 1;
  } finally {
    if (peer) peer.stdin.end();
  }
}

main().then((code) => process.exit(code));
