#!/usr/bin/env node
// The LIVE conformance peer: a gRPC server for milvus.proto.milvus.MilvusService built from the OFFICIAL Milvus
// definitions that @zilliz/milvus2-sdk-node ships (protobufjs JSON), served with @grpc/grpc-js over real HTTP/2.
// MilvusOps' generated C# client talks to it (tests/MilvusOps.Engine.Tests/Milvus/LivePeerTests.cs,
// StatefulPeerTests.cs).
//
// Every request is decoded with the official types and validated; a malformed request answers INVALID_ARGUMENT
// with the reason. Responses are encoded with the official types. Two modes:
//   - default: stateless, one fixed collection (peer/fixed.js);
//   - --stateful: an in-memory Milvus 2.5 stand-in that keeps collections, indexes and entities (peer/stateful.js).
//
// Usage: node peer.js [--token <authorization value>] [--http] [--server-version V] [--stateful [--gpu]
//                     [--unavailable-first N] [--rate-limit-first N] [--unhealthy] [--bulk]]
//   --token T               every call must carry the metadata header `authorization: T`, else UNAUTHENTICATED
//   --http                  also serve Milvus's management port (its :9091) over HTTP: /healthz (peer/healthz.js)
//                           and /metrics (peer/metrics.js)
//   --server-version V      report version V, as a 2.6 or 3.0 server would: the stateless mode (default v2.5.4) checks
//                           filters in that line's dialect; the stateful mode (a 2.5 model, default v2.5.27) takes JSON
//                           path indexes from 2.6 on, and is 2.5 in everything else
//   --gpu                   accept the GPU_* index types (a CPU Milvus image refuses them)
//   --unavailable-first N   the first N Search calls fail with gRPC UNAVAILABLE
//   --rate-limit-first N    the first N Upsert calls answer Status code 8 (rate limit, retriable)
//   --unhealthy             the query node is Abnormal: CheckHealth answers isHealthy false, /healthz 500
//   --bulk                  also an S3 API (s3rver, bucket a-bucket; peer/objectstore.js) and Milvus's bulk-import
//                           REST API (/v2/vectordb/jobs/import/*; peer/bulkimport.js), each on 127.0.0.1:<ephemeral>
// Prints "LISTENING <port>" once bound to 127.0.0.1:<ephemeral> (always the first line); with --http the next line
// is "HTTP <port>", the HTTP port on 127.0.0.1; with --bulk the next lines are "S3 <port>" and "REST <port>".
// Then one line per call:
//   "CALL <Method> OK" | "CALL <Method> INVALID <reason>" | "CALL <Method> STATUS <code> <reason>" |
//   "CALL <Method> UNAVAILABLE" | "CALL <Method> UNIMPLEMENTED <reason>" | "CALL <Method> UNAUTHENTICATED",
// and one per HTTP request: "HTTP <verb> <path> <status>" (e.g. "HTTP GET /healthz 200", "HTTP GET /metrics 200"); a
// REST request adds the answer's code: "HTTP POST /v2/vectordb/jobs/import/create 200 0" (a 5xx its message too).
// Exits when stdin closes (the test that started it is gone) or on SIGTERM/SIGINT.
'use strict';

const grpc = require('@grpc/grpc-js');
const http = require('http');
const { root, SERVICE, METHODS, toObject } = require('./peer/official');
const { Invalid } = require('./peer/validate');
const { MilvusFailure } = require('./peer/status');
const fixed = require('./peer/fixed');
const { createStatefulMode, NotModelled, Unavailable } = require('./peer/stateful');
const { healthzHandler } = require('./peer/healthz');
const { createMetrics } = require('./peer/metrics');
const { startBulk } = require('./peer/bulkimport');

function parseArgs(argv) {
  const options = { token: null, http: false, serverVersion: null, stateful: false, gpu: false, unavailableFirst: 0, rateLimitFirst: 0, unhealthy: false, bulk: false };
  const count = (flag, value) => {
    if (!/^[0-9]+$/.test(value || '')) usage(`${flag} needs a count, got ${value}`);
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--token':
        if (argv[i + 1] === undefined) usage('--token needs a value');
        options.token = argv[++i];
        break;
      case '--http':
        options.http = true;
        break;
      case '--server-version':
        if (!argv[i + 1]) usage('--server-version needs a version');
        options.serverVersion = argv[++i];
        break;
      case '--stateful':
        options.stateful = true;
        break;
      case '--unhealthy':
        options.unhealthy = true;
        break;
      case '--gpu':
        options.gpu = true;
        break;
      case '--bulk':
        options.bulk = true;
        break;
      case '--unavailable-first':
        options.unavailableFirst = count(argv[i], argv[++i]);
        break;
      case '--rate-limit-first':
        options.rateLimitFirst = count(argv[i], argv[++i]);
        break;
      default:
        usage(`unknown argument ${argv[i]}`);
    }
  }
  const statefulOnly = options.gpu || options.unavailableFirst > 0 || options.rateLimitFirst > 0 || options.unhealthy || options.bulk;
  if (statefulOnly && !options.stateful) usage('--gpu, --unavailable-first, --rate-limit-first, --unhealthy and --bulk need --stateful');
  return options;
}

function usage(problem) {
  console.error(`peer.js: ${problem}\nusage: node peer.js [--token T] [--http] [--server-version V] [--stateful [--gpu] [--unavailable-first N] [--rate-limit-first N] [--unhealthy] [--bulk]]`);
  process.exit(2);
}

const options = parseArgs(process.argv.slice(2));
const mode = options.stateful
  ? createStatefulMode(options)
  : { respond: (name, req, Req, Res) => fixed.respond(name, req, Req, Res, { serverVersion: options.serverVersion ?? undefined }), snapshot: fixed.snapshot };
// The proxy's request counts and latencies, and the mode's collections and segments, for /metrics.
const metrics = createMetrics({ snapshot: mode.snapshot });

function log(line) {
  process.stdout.write(`${line}\n`);
}

const oneLine = (text) => String(text).replace(/\s+/g, ' ');

const service = root.lookupService(SERVICE);
const definition = {};
const implementation = {};

for (const name of METHODS) {
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
    if (options.token !== null) {
      const auth = call.metadata.get('authorization');
      if (auth.length !== 1 || auth[0] !== options.token) {
        log(`CALL ${name} UNAUTHENTICATED`);
        callback({ code: grpc.status.UNAUTHENTICATED, details: 'the authorization header is missing or wrong' });
        return;
      }
    }
    const started = process.hrtime.bigint();
    const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
    let req = {};
    let dbHeader = call.metadata.get('dbname')[0];
    dbHeader = dbHeader === undefined ? '' : String(dbHeader);
    try {
      req = toObject(Req, call.request);
      const response = mode.respond(name, req, Req, Res, { dbHeader });
      metrics.record(name, req, dbHeader, 'success', elapsedMs());
      log(`CALL ${name} OK`);
      callback(null, response);
    } catch (e) {
      // Milvus's rate limiter refuses a call before the proxy's handler counts it.
      if (e instanceof Invalid || (e instanceof MilvusFailure && e.status.code !== 8)) metrics.record(name, req, dbHeader, 'fail', elapsedMs());
      if (e instanceof MilvusFailure) {
        log(`CALL ${name} STATUS ${e.status.code} ${oneLine(e.status.reason)}`);
        callback(null, Res.fields.status ? { status: e.status } : e.status);
      } else if (e instanceof Invalid) {
        log(`CALL ${name} INVALID ${oneLine(e.message)}`);
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `${name}: ${e.message}` });
      } else if (e instanceof Unavailable) {
        log(`CALL ${name} UNAVAILABLE`);
        callback({ code: grpc.status.UNAVAILABLE, details: e.message });
      } else if (e instanceof NotModelled) {
        log(`CALL ${name} UNIMPLEMENTED ${oneLine(e.message)}`);
        callback({ code: grpc.status.UNIMPLEMENTED, details: `${name}: ${e.message}` });
      } else {
        log(`CALL ${name} ERROR ${e.stack || e}`);
        callback({ code: grpc.status.INTERNAL, details: `${name}: peer error: ${e.message}` });
      }
    }
  };
}

// Milvus's own limits (proxy.grpc.serverMaxRecvSize 64 MB, serverMaxSendSize 256 MB), not grpc-js's 4 MB default.
const server = new grpc.Server({
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 256 * 1024 * 1024,
});
server.addService(definition, implementation);

// With --http, the HTTP port is bound first, so that both ports are there once LISTENING is printed.
const healthz = healthzHandler(options, log);
const serveHttp = (req, res) => (new URL(req.url, 'http://peer').pathname === '/metrics' ? metrics.serve(req, res, log) : healthz(req, res));
const httpServer = options.http ? http.createServer(serveHttp) : null;
function bindHttp(then) {
  if (!httpServer) return then(null);
  httpServer.on('error', (err) => {
    console.error(`cannot bind HTTP: ${err.message}`);
    process.exit(2);
  });
  return httpServer.listen(0, '127.0.0.1', () => then(httpServer.address().port));
}

// With --bulk, s3rver and the REST API start before the gRPC port too.
let bulk = null;
function startBulkServers(then) {
  if (!options.bulk) return then();
  return startBulk({ mode, token: options.token, log }).then((started) => {
    bulk = started;
    then();
  }, (err) => {
    console.error(`cannot start --bulk: ${err.stack || err.message}`);
    process.exit(2);
  });
}

bindHttp((httpPort) => startBulkServers(() => {
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      console.error(`cannot bind: ${err.message}`);
      process.exit(2);
    }
    log(`LISTENING ${port}`);
    if (httpPort !== null) log(`HTTP ${httpPort}`);
    if (bulk) {
      log(`S3 ${bulk.s3Port}`);
      log(`REST ${bulk.restPort}`);
    }
  });
}));

function stop() {
  server.forceShutdown();
  if (httpServer) httpServer.close();
  if (bulk) bulk.close();
  process.exit(0); // the s3rver folder goes on exit (peer/objectstore.js)
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
