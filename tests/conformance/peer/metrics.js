'use strict';
// Milvus's management port (:9091) `/metrics`: the Prometheus text exposition format 0.0.4, as a 2.5 standalone
// serves it (cmd/roles/roles.go: promhttp over Milvus's registry), with a few of its families. Names, HELP texts and
// label names are pkg/metrics/*.go's; values come from the peer itself:
//   - milvus_proxy_req_count, milvus_proxy_req_latency, milvus_proxy_sq_latency, milvus_proxy_mutation_latency: the
//     calls the peer answered and how long its handlers took, recorded where the proxy records them (impl.go): only
//     the RPCs whose proxy handler counts, "total" plus "success" or "fail", latencies in whole milliseconds on
//     success only;
//   - milvus_querynode_entity_num, milvus_querynode_segment_num, milvus_datacoord_stored_rows_num,
//     milvus_datacoord_segment_num, milvus_datacoord_compaction_task_num: the mode's snapshot() of its collections,
//     segments and compactions (the default mode's is fixed);
//   - go_info, go_goroutines and process_*: the Go runtime's families, filled from the node process (go_goroutines
//     is the peer's count of active libuv resources, a stand-in).
// Families are sorted by name, series by label values and labels by name, as the Go client writes them; a family
// with no series is left out, as the registry leaves it out.

const NODE_ID = '1';
const DATANODE_ID = '1';
const NULL_NODE_ID = '-1'; // datacoord's NullNodeID, the node of a pending compaction task
const GO_VERSION = 'go1.24.11'; // the 2.5 branch's go.mod
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
// pkg/metrics/metrics.go `buckets`: prometheus.ExponentialBuckets(1, 2, 18), milliseconds.
const BUCKETS = Array.from({ length: 18 }, (_, i) => 2 ** i);

// The RPCs whose proxy handler records milvus_proxy_req_count (Connect, CheckHealth, GetVersion, GetFlushState,
// GetComponentStates, GetReplicas, ManualCompaction and GetCompactionState do not).
const COUNTED = new Set(['CreateCollection', 'DescribeCollection', 'HasCollection', 'ShowCollections', 'DropCollection',
  'LoadCollection', 'GetLoadState', 'GetLoadingProgress', 'ReleaseCollection', 'GetCollectionStatistics', 'CreateIndex',
  'DescribeIndex', 'DropIndex', 'Insert', 'Upsert', 'Delete', 'Flush', 'Query', 'Search', 'CreateAlias', 'AlterAlias',
  'DropAlias', 'DescribeAlias', 'ListAliases', 'GetPersistentSegmentInfo', 'GetQuerySegmentInfo', 'ListDatabases',
  'CreateDatabase', 'DropDatabase', 'DescribeDatabase']);
// Search and Query observe milvus_proxy_sq_latency, the writes milvus_proxy_mutation_latency, instead of req_latency.
const SEARCH_QUERY = { Search: 'search', Query: 'query' };
const MUTATIONS = { Insert: 'insert', Delete: 'delete', Upsert: 'upsert' };
// The handlers that label their count with an empty collection_name.
const NO_COLLECTION_LABEL = new Set(['ShowCollections', 'Flush', 'DescribeAlias', 'DropAlias', 'ListDatabases',
  'CreateDatabase', 'DropDatabase', 'DescribeDatabase']);
// The RPCs whose db_name is the database they act on (the database interceptor leaves them alone).
const DATABASE_TARGETS = new Set(['CreateDatabase', 'DropDatabase', 'DescribeDatabase']);

const HELP = {
  go_goroutines: ['gauge', 'Number of goroutines that currently exist.'],
  go_info: ['gauge', 'Information about the Go environment.'],
  milvus_datacoord_compaction_task_num: ['gauge', 'Number of compaction tasks currently'],
  milvus_datacoord_segment_num: ['gauge', 'number of segments'],
  milvus_datacoord_stored_rows_num: ['gauge', 'number of stored rows of healthy segment'],
  milvus_proxy_mutation_latency: ['histogram', 'latency of insert or delete successfully'],
  milvus_proxy_req_count: ['counter', 'count of operation executed'],
  milvus_proxy_req_latency: ['histogram', 'latency of each request'],
  milvus_proxy_sq_latency: ['histogram', 'latency of search or query successfully'],
  milvus_querynode_entity_num: ['gauge', 'number of entities which can be searched/queried, clustered by collection, partition and state'],
  milvus_querynode_segment_num: ['gauge', 'number of segments loaded, clustered by its collection, partition, state and # of indexed fields'],
  process_cpu_seconds_total: ['counter', 'Total user and system CPU time spent in seconds.'],
  process_resident_memory_bytes: ['gauge', 'Resident memory size in bytes.'],
  process_start_time_seconds: ['gauge', 'Start time of the process since unix epoch in seconds.'],
};

// A float as Go's strconv.FormatFloat(f, 'g', -1, 64) writes it (expfmt's writeFloat): the shortest digits, in
// exponent form when the exponent is below -4 or at least 6 (1e+06, 1.70000000012e+09).
function goFloat(value) {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return '0';
  const [mantissa, exp] = value.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(value);
}

const escapeLabel = (value) => String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (text) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

// Labels sorted by name, then `extra` (the histogram's `le`) last.
function labelText(labels, extra = []) {
  const pairs = Object.keys(labels).sort().map((k) => [k, labels[k]]).concat(extra);
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

// Series order: label values in label-name order, compared as strings.
function compareSeries(a, b) {
  const keys = Object.keys(a.labels).sort();
  for (const k of keys) {
    if (a.labels[k] !== b.labels[k]) return a.labels[k] < b.labels[k] ? -1 : 1;
  }
  return 0;
}

const seriesKey = (labels) => JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));

function createMetrics({ snapshot }) {
  const counts = new Map(); // series key -> { labels, value }
  const histograms = new Map(); // family -> Map(series key -> { labels, buckets, sum, count })
  // Gauges that Milvus moves with Inc/Dec keep their series once created, at 0 when nothing is left.
  const remembered = new Map(); // family -> Map(series key -> labels)

  function count(labels) {
    const key = seriesKey(labels);
    if (!counts.has(key)) counts.set(key, { labels, value: 0 });
    counts.get(key).value += 1;
  }

  function observe(family, labels, ms) {
    if (!histograms.has(family)) histograms.set(family, new Map());
    const series = histograms.get(family);
    const key = seriesKey(labels);
    if (!series.has(key)) series.set(key, { labels, buckets: BUCKETS.map(() => 0), sum: 0, count: 0 });
    const h = series.get(key);
    BUCKETS.forEach((le, i) => {
      if (ms <= le) h.buckets[i] += 1;
    });
    h.sum += ms;
    h.count += 1;
  }

  // One answered call: outcome "success" or "fail"; ms the handler's time.
  function record(method, req, dbHeader, outcome, ms) {
    if (!COUNTED.has(method)) return;
    let db;
    if (method === 'ListDatabases') db = '';
    else if (DATABASE_TARGETS.has(method)) db = req.db_name;
    else db = req.db_name || req.dbName || dbHeader || 'default';
    const collection = NO_COLLECTION_LABEL.has(method) ? '' : req.collection_name || req.collectionName || '';
    const labels = { node_id: NODE_ID, function_name: method, db_name: db, collection_name: collection };
    count({ ...labels, status: 'total' });
    count({ ...labels, status: outcome });
    if (outcome !== 'success') return;
    // The proxy observes whole milliseconds (tr.ElapseSpan().Milliseconds()).
    const whole = Math.floor(ms);
    if (SEARCH_QUERY[method]) {
      observe('milvus_proxy_sq_latency', { node_id: NODE_ID, query_type: SEARCH_QUERY[method], db_name: db, collection_name: collection }, whole);
    } else if (MUTATIONS[method]) {
      observe('milvus_proxy_mutation_latency', { node_id: NODE_ID, msg_type: MUTATIONS[method], db_name: db, collection_name: collection }, whole);
    } else {
      observe('milvus_proxy_req_latency', { node_id: NODE_ID, function_name: method }, whole);
    }
  }

  // The current value of each series of an Inc/Dec gauge, plus 0 for the ones it had before.
  function incDecGauge(family, current) {
    if (!remembered.has(family)) remembered.set(family, new Map());
    const known = remembered.get(family);
    for (const s of current) known.set(seriesKey(s.labels), s.labels);
    const values = new Map(current.map((s) => [seriesKey(s.labels), s.value]));
    return [...known].map(([key, labels]) => ({ labels, value: values.get(key) || 0 }));
  }

  function stateFamilies(state) {
    const families = {};
    const sum = (list) => list.reduce((a, b) => a + b, 0);
    const loaded = state.collections.filter((c) => c.loaded);
    // querynode: per loaded collection, its growing rows and its sealed segments' rows (deleted ones included).
    families.milvus_querynode_entity_num = loaded.flatMap((c) => [
      { state: 'Growing', value: c.growingRows || 0 }, { state: 'Sealed', value: sum(c.sealedRows) },
    ].map(({ state: s, value }) => ({
      labels: { db_name: c.db, collection_name: c.name, node_id: NODE_ID, collection_id: c.id, segment_state: s }, value,
    })));
    families.milvus_querynode_segment_num = incDecGauge('milvus_querynode_segment_num', loaded.flatMap((c) => [
      { state: 'Growing', value: c.growingRows === null ? 0 : 1 }, { state: 'Sealed', value: c.sealedRows.length },
    ].filter((s) => s.value > 0).map(({ state: s, value }) => ({
      labels: { node_id: NODE_ID, collection_id: c.id, segment_state: s, segment_level: 'L1' }, value,
    }))));
    // datacoord: a growing segment's num_rows stays 0 until a sync writes it, so its stored rows read 0.
    families.milvus_datacoord_stored_rows_num = state.collections.flatMap((c) => [
      ...(c.growingRows === null ? [] : [{ state: 'Growing', value: 0 }]),
      ...(c.sealedRows.length === 0 ? [] : [{ state: 'Flushed', value: sum(c.sealedRows) }]),
    ].map(({ state: s, value }) => ({
      labels: { db_name: c.db, collection_id: c.id, collection_name: c.name, segment_state: s }, value,
    })));
    const segments = (s, sorted, value) => ({ labels: { segment_state: s, segment_level: 'L1', segment_is_sorted: sorted }, value });
    families.milvus_datacoord_segment_num = incDecGauge('milvus_datacoord_segment_num', [
      segments('Growing', 'unsorted', state.collections.filter((c) => c.growingRows !== null).length),
      segments('Flushed', 'sorted', sum(state.collections.map((c) => c.sealedRows.length))),
      segments('Dropped', 'sorted', state.droppedSegments),
    ].filter((s) => s.value > 0));
    const task = (node, status, value) => ({ labels: { node_id: node, compaction_type: 'MixCompaction', status }, value });
    families.milvus_datacoord_compaction_task_num = state.compactions ? [
      task(NULL_NODE_ID, 'pending', 0), task(DATANODE_ID, 'executing', state.compactions.executing),
      ...(state.compactions.done > 0 ? [task(DATANODE_ID, 'done', state.compactions.done)] : []),
    ] : [];
    return families;
  }

  function page() {
    const gauges = stateFamilies(snapshot());
    const cpu = process.cpuUsage();
    const started = Math.round((Date.now() / 1000 - process.uptime()) * 100) / 100;
    const families = {
      ...gauges,
      go_goroutines: [{ labels: {}, value: process.getActiveResourcesInfo().length }],
      go_info: [{ labels: { version: GO_VERSION }, value: 1 }],
      milvus_proxy_req_count: [...counts.values()],
      process_cpu_seconds_total: [{ labels: {}, value: (cpu.user + cpu.system) / 1e6 }],
      process_resident_memory_bytes: [{ labels: {}, value: process.memoryUsage().rss }],
      process_start_time_seconds: [{ labels: {}, value: started }],
    };
    for (const [family, series] of histograms) families[family] = [...series.values()];
    const lines = [];
    for (const name of Object.keys(families).sort()) {
      const series = families[name].slice().sort(compareSeries);
      if (series.length === 0) continue;
      const [type, help] = HELP[name];
      lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
      for (const s of series) {
        if (type !== 'histogram') {
          lines.push(`${name}${labelText(s.labels)} ${goFloat(s.value)}`);
          continue;
        }
        BUCKETS.forEach((le, i) => lines.push(`${name}_bucket${labelText(s.labels, [['le', goFloat(le)]])} ${s.buckets[i]}`));
        lines.push(`${name}_bucket${labelText(s.labels, [['le', '+Inf']])} ${s.count}`);
        lines.push(`${name}_sum${labelText(s.labels)} ${goFloat(s.sum)}`, `${name}_count${labelText(s.labels)} ${s.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  // GET /metrics (promhttp answers any method the same way).
  function serve(req, res, log) {
    const body = page();
    log(`HTTP ${req.method} /metrics 200`);
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  return { record, serve, page };
}

module.exports = { createMetrics, goFloat, BUCKETS };
