// Content negotiation (RFC 9110 §12.5.3 q-values) and compress-once: each body is compressed once per encoding,
// concurrent requests share that one compression, and the bytes inflate back to the body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { chooseEncoding, COMPRESS_MIN_BYTES, EncodedBodies } from '../../src/api/encoded-body.ts';

test('chooseEncoding: brotli, then gzip, when accepted with q > 0; small bodies and no header go as they are', () => {
  const big = COMPRESS_MIN_BYTES;
  const cases: [string | undefined, number, string][] = [
    [undefined, big, 'identity'],
    ['gzip', big - 1, 'identity'],
    ['gzip', big, 'gzip'],
    ['gzip, deflate, br, zstd', big, 'br'],
    ['GZIP, BR', big, 'br'],
    ['br;q=0, gzip', big, 'gzip'],
    ['br;q=0.5, gzip;q=0.8', big, 'gzip'],
    ['br;q=0.8, gzip;q=0.8', big, 'br'],
    ['gzip;q=0', big, 'identity'],
    ['identity', big, 'identity'],
    ['*', big, 'br'],
    ['*;q=0, gzip', big, 'gzip'],
    ['deflate', big, 'identity'],
    ['', big, 'identity'],
    ['gzip;q=nonsense', big, 'identity'],
  ];
  for (const [header, size, want] of cases)
    assert.equal(chooseEncoding(header, size), want, `${header} ${size}`);
});

test('each body is compressed once per encoding, shared by concurrent requests, and inflates back', async () => {
  const enc = new EncodedBodies();
  const body = Buffer.from(
    JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ price: i, qty: i % 7 })) }),
  );
  const [a, b] = await Promise.all([enc.get(body, 'gzip', 'reused'), enc.get(body, 'gzip', 'reused')]);
  assert.equal(a, b, 'the same Buffer');
  assert.equal(enc.compressions, 1);
  assert.deepEqual(gunzipSync(a), body);
  const br = await enc.get(body, 'br', 'once');
  assert.deepEqual(brotliDecompressSync(br), body);
  assert.equal(enc.compressions, 2);
  assert.equal(await enc.get(body, 'br', 'once'), br);
  assert.equal(enc.compressions, 2, 'served from the stored form');
  assert.equal(await enc.get(body, 'identity', 'once'), body);
  // Another Buffer with the same bytes is another body (forms are keyed by the cached Buffer itself).
  await enc.get(Buffer.from(body), 'gzip', 'once');
  assert.equal(enc.compressions, 3);
});
