'use strict';
// Milvus Status values as a 2.5 server writes them: `code` is the merr code, `error_code` the deprecated enum that
// merr's oldCode() derives from it, `retriable` the code's retry flag.

const LEGACY = { 8: 'RateLimit', 100: 'CollectionNotExists', 200: 'MetaFailed', 700: 'IndexNotExist', 1100: 'IllegalArgument' };
const RETRIABLE = new Set([1, 2, 8, 103]);

const ok = () => ({ code: 0, error_code: 'Success', reason: '' });

function status(code, reason) {
  return { code, error_code: LEGACY[code] || 'UnexpectedError', reason, retriable: RETRIABLE.has(code), detail: reason };
}

// A request Milvus would answer with a failed Status; the handler's response becomes { status } (or the Status).
class MilvusFailure extends Error {
  constructor(code, reason, written = status(code, reason)) {
    super(reason);
    this.status = written;
  }
}

const fail = (code, reason) => new MilvusFailure(code, reason);

// The merr texts: "<message>[key=value]...", and WrapErrParameterInvalid's "[expected=..][actual=..]".
const Errors = {
  // The proxy's meta cache (most RPCs) names the database; rootcoord's alias checks do not.
  collectionNotFound: (name, db = 'default') => fail(100, `collection not found[database=${db}][collection=${name}]`),
  collectionNotFoundNoDb: (name) => fail(100, `collection not found[collection=${name}]`),
  collectionNotLoaded: (id) => fail(101, `collection not loaded[collection=${id}]`),
  collectionNotFullyLoaded: (id) => fail(103, `collection not fully loaded[collection=${id}]`),
  indexNotFound: (name) => fail(700, `index not found[indexName=${name}]`),
  indexNotFoundForCollection: (name) => fail(700, `index not found[collection=${name}]`),
  indexDuplicate: (name) => fail(702, `index duplicates[indexName=${name}]`),
  aliasNotFound: (db, alias) => fail(1600, `alias not found[database=${db}][alias=${alias}]`),
  aliasNameConflict: (db, alias) => fail(1601, `alias and collection name conflict[database=${db}][alias=${alias}]`),
  aliasAlreadyExist: (db, alias, other) =>
    fail(1602, `${alias} is alias to another collection: ${other}: alias already exist[database=${db}][alias=${alias}]`),
  partitionNotFound: (name) => fail(200, `partition not found[partition=${name}]`),
  databaseNotFound: (db) => fail(800, `database not found[database=${db}]`),
  databaseNumLimitExceeded: (limit) => fail(801, `exceeded the limit number of database[limit=${limit}]`),
  // WrapErrDatabaseNameInvalid(name, reason): errors.Wrap puts the reason first.
  databaseNameInvalid: (db, reason) => fail(802, `${reason}: invalid database name[database=${db}]`),
  invalid: (message) => fail(1100, `${message}: invalid parameter`),
  invalidExpected: (expected, actual, message) =>
    fail(1100, `${message ? `${message}: ` : ''}invalid parameter[expected=${expected}][actual=${actual}]`),
  cannotParse: (expr, message) => fail(1100, `cannot parse expression: ${expr}, error: ${message}: invalid parameter`),
  rateLimit: () => fail(8, 'request is rejected by grpc RateLimiter middleware, please retry later: rate limit exceeded[rate=1]'),
  unexpected: (message) => fail(65535, message),
  // DescribeCollection's cached service provider (proxy/service_provider.go) rewrites "collection not found" for
  // PyMilvus: no code, the legacy error_code and its own text.
  cannotFindCollection: (db, name) => {
    const reason = `can't find collection[database=${db}][collection=${name}]`;
    return new MilvusFailure(0, reason, { code: 0, error_code: 'CollectionNotExists', reason, extra_info: { is_input_error: 'true' } });
  },
};

module.exports = { ok, status, MilvusFailure, Errors };
