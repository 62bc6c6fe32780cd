'use strict';
// Validation shared by both modes: a request that fails here is malformed (our client built it wrong), and the
// peer answers gRPC INVALID_ARGUMENT with the reason rather than a Milvus Status.

const { T, toObject } = require('./official');

class Invalid extends Error {}

function need(ok, reason) {
  if (!ok) throw new Invalid(reason);
}

const kv = (list) => Object.fromEntries((list || []).map((p) => [p.key, p.value]));

// The MsgType each request's base must carry when it sets one.
const MSG_TYPES = {
  Connect: 'Connect', CreateCollection: 'CreateCollection', DescribeCollection: 'DescribeCollection',
  HasCollection: 'HasCollection', ShowCollections: 'ShowCollections', DropCollection: 'DropCollection',
  LoadCollection: 'LoadCollection', ReleaseCollection: 'ReleaseCollection',
  GetCollectionStatistics: 'GetCollectionStatistics', CreateIndex: 'CreateIndex', DescribeIndex: 'DescribeIndex',
  Insert: 'Insert', Upsert: 'Upsert', Delete: 'Delete', Flush: 'Flush', Query: 'Retrieve', Search: 'Search',
  GetReplicas: 'GetReplicas', DropIndex: 'DropIndex', CreateAlias: 'CreateAlias', AlterAlias: 'AlterAlias',
  DropAlias: 'DropAlias', DescribeAlias: 'DescribeAlias', ListAliases: 'ListAliases', CreateDatabase: 'CreateDatabase',
  DropDatabase: 'DropDatabase', ListDatabases: 'ListDatabases', DescribeDatabase: 'DescribeDatabase',
};

// base.msg_type (when a base is sent) and a non-empty collection_name where the request has one, except in the
// methods of `optional`.
function checkEnvelope(method, req, type, optional = []) {
  if (type.fields.base && req.base) {
    const expected = MSG_TYPES[method];
    if (expected) need(req.base.msg_type === expected, `base.msg_type is ${req.base.msg_type}, expected ${expected}`);
  }
  if (type.fields.collection_name && method !== 'ShowCollections' && !optional.includes(method)) {
    need(typeof req.collection_name === 'string' && req.collection_name.length > 0, 'collection_name is empty');
  }
}

function decodeSchema(bytes) {
  const type = T('milvus.proto.schema.CollectionSchema');
  try {
    return toObject(type, type.decode(bytes));
  } catch (e) {
    throw new Invalid(`schema bytes do not decode as the official CollectionSchema: ${e.message}`);
  }
}

function decodePlaceholderGroup(bytes) {
  const type = T('milvus.proto.common.PlaceholderGroup');
  try {
    return toObject(type, type.decode(bytes));
  } catch (e) {
    throw new Invalid(`placeholder_group does not decode as the official PlaceholderGroup: ${e.message}`);
  }
}

// The search vectors of a request: nq must equal the number of placeholder values, one float32 vector each.
function searchVectors(req) {
  need(req.search_input === 'placeholder_group', 'search_input is not placeholder_group');
  need(req.dsl_type === 'BoolExprV1', `dsl_type is ${req.dsl_type}, expected BoolExprV1`);
  const group = decodePlaceholderGroup(req.placeholder_group);
  need(group.placeholders.length === 1, `${group.placeholders.length} placeholders, expected 1`);
  const ph = group.placeholders[0];
  need(ph.tag === '$0', `placeholder tag ${ph.tag}, expected $0`);
  const nq = Number(req.nq);
  need(nq === ph.values.length, `nq is ${req.nq} but the placeholder holds ${ph.values.length} values`);
  return { type: ph.type, values: ph.values.map((v) => Buffer.from(v)) };
}

// How many values a column carries (not counting valid_data).
function valueCount(col, where) {
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

function parseJsonText(bytes) {
  const text = Buffer.from(bytes).toString('utf8');
  return { text, value: JSON.parse(text) };
}

module.exports = { Invalid, need, kv, MSG_TYPES, checkEnvelope, decodeSchema, searchVectors, valueCount, parseJsonText };
