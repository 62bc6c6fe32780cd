'use strict';
// The OFFICIAL Milvus definitions (protobufjs JSON shipped by @zilliz/milvus2-sdk-node): every request the peer
// reads and every response it writes goes through these types.

const protobuf = require('protobufjs');

const DEFINITIONS = '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js';
const SERVICE = 'milvus.proto.milvus.MilvusService';

const json = require(DEFINITIONS);
const root = protobuf.Root.fromJSON(json.default || json);
root.resolveAll();

const T = (name) => root.lookupType(name);

// One plain-object view for every decoded message: enum names, 64-bit integers as decimal strings, defaults filled.
const OBJECT = { enums: String, longs: String, defaults: true, arrays: true, objects: true, oneofs: true };

function toObject(type, message) {
  return type.toObject(message, OBJECT);
}

// The RPCs MilvusOps' .proto subset declares; both modes serve exactly these.
const METHODS = ['Connect', 'CheckHealth', 'GetVersion', 'CreateCollection', 'DescribeCollection', 'HasCollection',
  'ShowCollections', 'DropCollection', 'AlterCollection', 'LoadCollection', 'GetLoadState', 'GetLoadingProgress', 'ReleaseCollection',
  'GetCollectionStatistics', 'CreateIndex', 'DescribeIndex', 'Insert', 'Upsert', 'Delete', 'Flush', 'GetFlushState',
  'Query', 'Search', 'GetComponentStates', 'GetReplicas', 'DropIndex', 'CreateAlias', 'AlterAlias', 'DropAlias',
  'DescribeAlias', 'ListAliases', 'ManualCompaction', 'GetCompactionState', 'GetPersistentSegmentInfo', 'GetQuerySegmentInfo',
  'ListDatabases', 'CreateDatabase', 'DropDatabase', 'DescribeDatabase'];

module.exports = { root, T, SERVICE, METHODS, OBJECT, toObject };
