'use strict';
// The object storage of --bulk: s3rver 3.7.1 (an S3 API written in Node) in this process, on 127.0.0.1:<ephemeral>,
// over a fresh temporary folder (removed when the peer exits), with Milvus's default bucket (minio.bucketName
// "a-bucket", configs/milvus.yaml). Path-style addressing only (http://127.0.0.1:<port>/a-bucket/<key>).
//
// What s3rver does and does not check (its lib/middleware/authentication.js and lib/controllers/object.js):
//   - a signed request must name its one access key, S3RVER (secret S3RVER), else 403 InvalidAccessKeyId; it does
//     not compute SigV4 signatures at all, so this front end does, as MinIO does: a header-signed request with
//     a wrong secret answers 403 SignatureDoesNotMatch;
//   - unsigned requests are served (MinIO would refuse them on a private bucket); the import jobs read with them;
//   - it stores a body as it arrives: an aws-chunked body (UseChunkEncoding, streaming SigV4, checksum trailers)
//     would be stored with its chunk framing, so it is refused here with 501 NotImplemented rather than corrupted;
//   - x-amz-checksum-* headers and Content-MD5 are neither checked nor kept.

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const S3rver = require('s3rver');

const BUCKET = 'a-bucket';
const ACCESS_KEY = 'S3RVER'; // s3rver's only account (lib/models/account.js)
const SECRET_KEY = 'S3RVER';

const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');
const hmac = (key, s) => crypto.createHmac('sha256', key).update(s).digest();

// The SigV4 check of a request signed in its Authorization header (the S3 flavour: the path is signed as sent, not
// encoded again). Null when the request passes to s3rver: correctly signed, unsigned, presigned (query), V2, or
// another access key (s3rver refuses that one itself).
function signatureProblem(req) {
  try {
    return verify(req);
  } catch (e) {
    return 'SignatureDoesNotMatch'; // a malformed escape in the path or query
  }
}

function verify(req) {
  const auth = req.headers.authorization || '';
  if (!auth.startsWith('AWS4-HMAC-SHA256 ')) return null;
  const parts = Object.fromEntries(auth.slice(17).split(',').map((p) => {
    const [key, ...value] = p.trim().split('=');
    return [key, value.join('=')];
  }));
  const [accessKey, day, region, service, terminator] = (parts.Credential || '').split('/');
  if (accessKey !== ACCESS_KEY) return null;
  const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s);
  const query = rawQuery.split('&').filter((p) => p !== '').map((p) => {
    const [key, ...value] = p.split('=');
    return [rfc3986(decodeURIComponent(key)), rfc3986(decodeURIComponent(value.join('=')))];
  }).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
  const signed = (parts.SignedHeaders || '').split(';');
  const headers = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonical = [req.method, rawPath, query, headers, parts.SignedHeaders,
    req.headers['x-amz-content-sha256'] || sha256('')].join('\n'); // without the header: the hash of an empty body
  const scope = [day, region, service, terminator].join('/');
  const toSign = ['AWS4-HMAC-SHA256', req.headers['x-amz-date'] || '', scope, sha256(canonical)].join('\n');
  let key = `AWS4${SECRET_KEY}`;
  for (const part of [day, region, service, terminator]) key = hmac(key, part || '');
  return hmac(key, toSign).toString('hex') === parts.Signature ? null : 'SignatureDoesNotMatch';
}

const CHUNKED = (req) => /aws-chunked/i.test(req.headers['content-encoding'] || '')
  || /^STREAMING-/.test(req.headers['x-amz-content-sha256'] || '');

function s3Error(res, req, status, code, message) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// Starts s3rver; resolves to { port, get(key) }: get reads an object with a plain GET, null when there is none.
async function startObjectStore() {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'milvusops-peer-s3-'));
  process.on('exit', () => fs.rmSync(directory, { recursive: true, force: true }));
  const s3 = new S3rver({ silent: true, directory, vhostBuckets: false, configureBuckets: [{ name: BUCKET }] });
  await s3.configureBuckets();
  const serve = s3.callback();
  const server = http.createServer((req, res) => {
    if (signatureProblem(req)) {
      s3Error(res, req, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    } else if (CHUNKED(req)) {
      s3Error(res, req, 501, 'NotImplemented', 'The peer\'s S3 API (s3rver) stores aws-chunked bodies undecoded: send the body plain (AWSSDK: UseChunkEncoding = false).');
    } else {
      serve(req, res);
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  function get(key) {
    const url = `/${BUCKET}/${key.split('/').map(rfc3986).join('/')}`;
    return new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: url }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode === 200) resolve(body);
          else if (res.statusCode === 404) resolve(null);
          else reject(new Error(`GET ${url}: HTTP ${res.statusCode} ${body.toString('utf8').slice(0, 200)}`));
        });
      }).on('error', reject);
    });
  }

  return { port, get, close: () => server.close() };
}

module.exports = { startObjectStore, BUCKET, ACCESS_KEY, SECRET_KEY };
