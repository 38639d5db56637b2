// S3-protocol server of the Hindsight test lab: s3rver (filesystem-backed) on a loopback address.
//
//   node lab/s3-server.mjs --address 127.0.0.15 --port 9000 --directory /var/lib/hindsight-lab/s3 \
//     --access-key hindsight --secret-key hindsight-secret --bucket hindsight-lab --bucket hindsight-e2e \
//     --pidfile /run/hindsight-lab/s3/s3.pid
//
// What s3rver does and does not do, as the lab's tests should know it:
// - ListMultipartUploads and AbortMultipartUpload are added by this wrapper (s3rver lacks them).
// - Path-style addressing (http://127.0.0.15:9000/<bucket>/<key>); clients set forcePathStyle.
// - An unknown access key id is refused (InvalidAccessKeyId). SigV4 signatures are NOT checked,
//   so a wrong secret goes unnoticed: test bad credentials with a wrong access key id.
// - CompleteMultipartUpload joins the parts in the kernel (copy_file_range) and gives
//   S3's multipart ETag (md5 of the parts' md5s, "-N"); s3rver itself re-reads and re-hashes the
//   whole object, seconds per GiB that no real S3 spends and that benchmarks would count.
// - s3rver stores `aws-chunked` request bodies verbatim. Current AWS SDKs send streamed uploads
//   that way (STREAMING-* payloads with trailing checksums), so this wrapper decodes them first —
//   and checks a trailing CRC32/SHA-1/SHA-256 like S3 does (BadDigest on mismatch).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Transform } from 'node:stream';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const S3Error = require('s3rver/lib/models/error');

const { values: opts } = parseArgs({
  options: {
    address: { type: 'string', default: '127.0.0.15' },
    port: { type: 'string', default: '9000' },
    directory: { type: 'string', default: '/var/lib/hindsight-lab/s3' },
    'access-key': { type: 'string', default: 'hindsight' },
    'secret-key': { type: 'string', default: 'hindsight-secret' },
    bucket: { type: 'string', multiple: true, default: [] },
    pidfile: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

AWSAccount.DUMMY_ACCOUNT.createKeyPair(opts['access-key'], opts['secret-key']);

/** Decodes an aws-chunked body; records the trailing checksum verdict in `state`. */
function awsChunkedDecoder(state) {
  let buf = Buffer.alloc(0);
  let remaining = 0; // bytes of chunk data still to pass through
  let skipCrlf = 0; // CRLF after a chunk's data
  let done = false; // saw the 0-size chunk; now reading trailers
  const crc = { value: 0 };
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const trailers = {};
  return new Transform({
    transform(chunk, _enc, cb) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        for (;;) {
          if (remaining > 0) {
            if (!buf.length) break;
            const take = Math.min(remaining, buf.length);
            const data = buf.subarray(0, take);
            crc.value = zlib.crc32(data, crc.value);
            sha1.update(data);
            sha256.update(data);
            this.push(data);
            buf = buf.subarray(take);
            remaining -= take;
            if (remaining === 0) skipCrlf = 2;
            continue;
          }
          if (skipCrlf > 0) {
            if (buf.length < skipCrlf) break;
            buf = buf.subarray(skipCrlf);
            skipCrlf = 0;
            continue;
          }
          const eol = buf.indexOf('\r\n');
          if (eol < 0) break;
          const line = buf.subarray(0, eol).toString('latin1');
          buf = buf.subarray(eol + 2);
          if (done) {
            if (line === '') continue;
            const i = line.indexOf(':');
            if (i > 0) trailers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
            continue;
          }
          const size = parseInt(line.split(';')[0], 16);
          if (!Number.isFinite(size) || size < 0) throw new Error(`bad aws-chunked size line: ${line}`);
          if (size === 0) done = true;
          else remaining = size;
        }
        cb();
      } catch (err) {
        cb(err);
      }
    },
    flush(cb) {
      const expected = {
        'x-amz-checksum-crc32': () => {
          const b = Buffer.alloc(4);
          b.writeUInt32BE(crc.value >>> 0);
          return b.toString('base64');
        },
        'x-amz-checksum-sha1': () => sha1.digest('base64'),
        'x-amz-checksum-sha256': () => sha256.digest('base64'),
      };
      for (const [name, compute] of Object.entries(expected)) {
        if (trailers[name] && trailers[name] !== compute()) state.badDigest = name;
      }
      cb();
    },
  });
}

mkdirSync(opts.directory, { recursive: true });
const server = new S3rver({
  address: opts.address,
  port: Number(opts.port),
  directory: opts.directory,
  silent: !opts.verbose,
  vhostBuckets: false,
  configureBuckets: opts.bucket.map((name) => ({ name })),
});

// copy_file_range(2) joins files in the kernel, 3-4x faster than cat's read/write here (650 MB:
// 0.33 s vs 1.19 s); Node has no binding for it, Python does. Without python3, cat.
const JOIN_PY = `import os, sys
dst = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
for name in sys.argv[2:]:
    src = os.open(name, os.O_RDONLY)
    left = os.fstat(src).st_size
    while left > 0:
        n = os.copy_file_range(src, dst, left)
        if n == 0: raise OSError('copy_file_range returned 0')
        left -= n
    os.close(src)
os.close(dst)`;

function joinFiles(out, files) {
  const run = (cmd, args) => new Promise((resolve, reject) => execFile(cmd, args, (err) => (err ? reject(err) : resolve())));
  return run('python3', ['-c', JOIN_PY, out, ...files]).catch(() => run('sh', ['-c', 'out=$1; shift; exec cat -- "$@" > "$out"', 'join-parts', out, ...files]));
}

// CompleteMultipartUpload as S3 does it: the parts are joined without being read again by this
// process. s3rver has already checked that every listed part exists with the ETag given.
server.store.putObjectMultipart = async function putObjectMultipart(bucket, uploadId, parts) {
  const uploadDir = path.join(this.getResourcePath(bucket, undefined, 'uploads'), path.basename(uploadId));
  const key = await readFile(path.join(uploadDir, 'key'), 'utf8');
  const metadata = JSON.parse(await readFile(path.join(uploadDir, 'metadata'), 'utf8'));
  const sorted = [...parts].sort((a, b) => a.number - b.number);
  const files = sorted.map((p) => path.join(uploadDir, String(p.number)));
  const objectPath = this.getResourcePath(bucket, key, 'object');
  mkdirSync(path.dirname(objectPath), { recursive: true });
  await joinFiles(objectPath, files);
  const size = (await stat(objectPath)).size;
  const partsMd5 = createHash('md5');
  for (const p of sorted) partsMd5.update(Buffer.from(p.etag, 'hex'));
  const md5 = `${partsMd5.digest('hex')}-${sorted.length}`;
  await this.putMetadata(bucket, key, metadata, md5);
  await rm(uploadDir, { recursive: true, force: true });
  return { md5, size };
};

// Runs before s3rver's own middleware (Koa composes the list when the server starts).
server.middleware.unshift(async function decodeAwsChunked(ctx, next) {
  const h = ctx.req.headers;
  const streaming = /^STREAMING-/.test(h['x-amz-content-sha256'] ?? '');
  const encodings = (h['content-encoding'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!streaming && !encodings.includes('aws-chunked')) return next();
  const state = {};
  const decoded = ctx.req.pipe(awsChunkedDecoder(state));
  ctx.req.on('error', (err) => decoded.destroy(err));
  if (h['x-amz-decoded-content-length'] !== undefined) h['content-length'] = h['x-amz-decoded-content-length'];
  else delete h['content-length'];
  const rest = encodings.filter((e) => e !== 'aws-chunked');
  if (rest.length) h['content-encoding'] = rest.join(',');
  else delete h['content-encoding'];
  delete h['x-amz-decoded-content-length'];
  delete h['x-amz-trailer'];
  ctx.req = decoded;
  await next();
  if (state.badDigest) {
    if (ctx.method === 'PUT' && ctx.params?.key && !ctx.query.uploadId) {
      await ctx.store.deleteObject(ctx.params.bucket, ctx.params.key).catch(() => {});
    }
    throw new S3Error('BadDigest', `The ${state.badDigest} you specified did not match the calculated checksum.`);
  }
});

// s3rver has no ListMultipartUploads (NotImplemented) nor AbortMultipartUpload (MethodNotAllowed),
// which tests of "no orphan multipart upload" need. Its filesystem store keeps each upload in
// <bucket>/<uploads dir>/<uploadId>/ (a `key` file, then the parts): both are answered from there.
server.middleware.unshift(async function multipartUploads(ctx, next) {
  const [, bucket, ...rest] = decodeURIComponent(ctx.path).split('/');
  const key = rest.join('/');
  const listing = ctx.method === 'GET' && bucket && !key && 'uploads' in ctx.query;
  const abort = ctx.method === 'DELETE' && bucket && key && typeof ctx.query.uploadId === 'string';
  if (!listing && !abort) return next();
  const dir = ctx.store.getResourcePath(bucket, undefined, 'uploads');
  if (abort) {
    const upload = path.join(dir, path.basename(ctx.query.uploadId));
    if (!existsSync(upload)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
    rmSync(upload, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
  const uploads = (existsSync(dir) ? readdirSync(dir) : [])
    .map((id) => {
      try {
        return { id, key: readFileSync(path.join(dir, id, 'key'), 'utf8'), at: statSync(path.join(dir, id)).mtime.toISOString() };
      } catch {
        return null;
      }
    })
    .filter((u) => u && u.key.startsWith(prefix));
  const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  ctx.type = 'application/xml';
  ctx.body =
    `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Bucket>${esc(bucket)}</Bucket><Prefix>${esc(prefix)}</Prefix><IsTruncated>false</IsTruncated>` +
    uploads.map((u) => `<Upload><Key>${esc(u.key)}</Key><UploadId>${esc(u.id)}</UploadId><Initiated>${u.at}</Initiated></Upload>`).join('') +
    `</ListMultipartUploadsResult>`;
});

const address = await server.run();
if (opts.pidfile) writeFileSync(opts.pidfile, `${process.pid}\n`);
console.log(
  `s3rver listening on http://${address.address}:${address.port} (data ${opts.directory}; ` +
    `buckets ${opts.bucket.join(', ') || '-'}; access key ${opts['access-key']})`,
);

let closing = false;
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, async () => {
    if (closing) return;
    closing = true;
    console.log(`${sig}: closing`);
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    await server.close().catch(() => {});
    if (opts.pidfile) rmSync(opts.pidfile, { force: true });
    process.exit(0);
  });
}
