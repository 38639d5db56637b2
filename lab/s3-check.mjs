// Smoke test of the lab's S3 server with SigV4-signed requests (no SDK needed):
// PUT/GET/DELETE of a plain body and of an aws-chunked body with a trailing CRC32 (the way current
// AWS SDKs stream uploads), plus: an unknown access key must be refused.
//   node lab/s3-check.mjs --endpoint http://127.0.0.15:9000 --access-key hindsight \
//     --secret-key hindsight-secret --bucket hindsight-lab
import { createHash, createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const { values: opts } = parseArgs({
  options: {
    endpoint: { type: 'string', default: 'http://127.0.0.15:9000' },
    'access-key': { type: 'string', default: 'hindsight' },
    'secret-key': { type: 'string', default: 'hindsight-secret' },
    bucket: { type: 'string', multiple: true, default: ['hindsight-lab'] },
    region: { type: 'string', default: 'us-east-1' },
  },
});

const sha256hex = (d) => createHash('sha256').update(d).digest('hex');
const hmac = (k, d) => createHmac('sha256', k).update(d).digest();

async function s3(method, path, { body, headers = {}, accessKey = opts['access-key'], payloadHash } = {}) {
  const url = new URL(path, opts.endpoint);
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const hash = payloadHash ?? sha256hex(body ?? '');
  const all = { ...headers, host: url.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': hash };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const canonical = [
    method,
    url.pathname,
    [...url.searchParams].sort().map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
    names.map((n) => `${n}:${lower[n].trim()}\n`).join(''),
    names.join(';'),
    hash,
  ].join('\n');
  const scope = `${day}/${opts.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
  let key = hmac(`AWS4${opts['secret-key']}`, day);
  for (const part of [opts.region, 's3', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const auth = `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  const { host: _host, ...sent } = lower;
  const res = await fetch(url, { method, body, headers: { ...sent, authorization: auth } });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function expect(cond, what) {
  if (!cond) {
    console.error(`s3-check: FAILED: ${what}`);
    process.exit(1);
  }
}

for (const bucket of opts.bucket) {
  const list = await s3('GET', `/${bucket}?list-type=2&max-keys=1`);
  expect(list.status === 200, `list ${bucket}: HTTP ${list.status} ${list.text.slice(0, 200)}`);
}

const bucket = opts.bucket[0];
const key = `lab-check/${process.pid}-résumé.txt`;
const path = `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
const body = Buffer.from(`hindsight lab check ${new Date().toISOString()}\n`.repeat(50));

let r = await s3('PUT', path, { body });
expect(r.status === 200, `PUT: HTTP ${r.status} ${r.text.slice(0, 200)}`);
r = await s3('GET', path);
expect(r.status === 200 && r.text === body.toString(), `GET returns what was PUT (HTTP ${r.status})`);

// aws-chunked with a trailing checksum, as @aws-sdk/client-s3 streams bodies of unknown length.
const crc = Buffer.alloc(4);
crc.writeUInt32BE(zlib.crc32(body) >>> 0);
const half = body.length >> 1;
const chunked = Buffer.concat([
  Buffer.from(`${half.toString(16)}\r\n`), body.subarray(0, half), Buffer.from('\r\n'),
  Buffer.from(`${(body.length - half).toString(16)}\r\n`), body.subarray(half), Buffer.from('\r\n'),
  Buffer.from(`0\r\nx-amz-checksum-crc32:${crc.toString('base64')}\r\n\r\n`),
]);
r = await s3('PUT', path, {
  body: chunked,
  payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  headers: {
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': body.length,
    'x-amz-trailer': 'x-amz-checksum-crc32',
  },
});
expect(r.status === 200, `aws-chunked PUT: HTTP ${r.status} ${r.text.slice(0, 200)}`);
r = await s3('GET', path);
expect(r.text === body.toString(), 'GET after an aws-chunked PUT returns the decoded body');
expect(!(r.headers.get('content-encoding') ?? '').includes('aws-chunked'), 'no aws-chunked content-encoding stored');

// Paged ListObjectsV2 (a truncated page carries a continuation token; s3rver makes it with DES,
// which Node 22's OpenSSL 3 refuses unless the legacy provider is on: see s3.sh).
// (Not a key that extends the first one: s3rver's file store orders "a.txt.2" before "a.txt".)
const second = `/${bucket}/lab-check/${process.pid}-second.txt`;
r = await s3('PUT', second, { body });
expect(r.status === 200, `PUT: HTTP ${r.status} ${r.text.slice(0, 200)}`);
r = await s3('GET', `/${bucket}?list-type=2&max-keys=1&prefix=${encodeURIComponent(`lab-check/${process.pid}-`)}`);
const token = r.text.match(/<NextContinuationToken>([^<]+)</)?.[1];
expect(r.status === 200 && r.text.includes('<IsTruncated>true</IsTruncated>') && token, `paged list: HTTP ${r.status} ${r.text.slice(0, 200)}`);
r = await s3('GET', `/${bucket}?list-type=2&max-keys=1&prefix=${encodeURIComponent(`lab-check/${process.pid}-`)}&continuation-token=${encodeURIComponent(token)}`);
expect(r.status === 200 && r.text.includes('-second.txt</Key>'), `second page: HTTP ${r.status} ${r.text.slice(0, 600)}`);
await s3('DELETE', second);

r = await s3('DELETE', path);
expect(r.status === 204, `DELETE: HTTP ${r.status}`);

r = await s3('GET', `/${bucket}?list-type=2`, { accessKey: 'not-a-lab-key' });
expect(r.status === 403 && r.text.includes('InvalidAccessKeyId'), `unknown access key refused (HTTP ${r.status})`);

console.log(`s3-check: ok (${opts.endpoint}, buckets ${opts.bucket.join(', ')})`);
