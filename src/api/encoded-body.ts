// Content negotiation for serialized REST bodies: the client's Accept-Encoding picks brotli, gzip or identity, and
// each compressed form of a body is made once, off the event loop (zlib's thread pool), then reused for as long as
// the body Buffer lives — cached bodies are served without compressing again and a burst shares one compression.

import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

/** Bodies smaller than this go as they are (compression would save less than it costs). */
export const COMPRESS_MIN_BYTES = 4096;

export type BodyEncoding = 'br' | 'gzip' | 'identity';

/** How hard to compress: bodies served many times repay the slowest settings; others take the fast ones. */
export type CompressionEffort = 'reused' | 'once';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** `reused` brotli: quality 9 with a 16 MiB window halves a day footprint's gzip size (q11 costs ~100× more). */
const BROTLI_QUALITY: Record<CompressionEffort, number> = { reused: 9, once: 4 };
const BROTLI_WINDOW_BITS = 24;
const GZIP_LEVEL: Record<CompressionEffort, number> = { reused: 9, once: 6 };

/** q-value of a coding in an Accept-Encoding header (0 when absent or refused). */
function quality(header: string, coding: string): number {
  let wildcard = 0;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const n = name.trim().toLowerCase();
    if (n !== coding && n !== '*') continue;
    let q = 1;
    for (const p of params) {
      const [k = '', v = ''] = p.split('=');
      // A q-value that is not a number refuses the coding: identity always works.
      if (k.trim().toLowerCase() === 'q') q = /^\s*[\d.]+\s*$/.test(v) ? Number(v) : 0;
    }
    if (n === coding) return Number.isFinite(q) ? q : 0;
    wildcard = Number.isFinite(q) ? q : 0;
  }
  return wildcard;
}

/** The encoding to send a body of `size` bytes in: brotli, then gzip, when accepted and worth it. */
export function chooseEncoding(acceptEncoding: string | undefined, size: number): BodyEncoding {
  if (acceptEncoding === undefined || size < COMPRESS_MIN_BYTES) return 'identity';
  const br = quality(acceptEncoding, 'br');
  const gzq = quality(acceptEncoding, 'gzip');
  if (br > 0 && br >= gzq) return 'br';
  if (gzq > 0) return 'gzip';
  return 'identity';
}

/** Compressed forms of body Buffers, dropped with the Buffer (the response cache owns the bodies' lifetime). */
export class EncodedBodies {
  private readonly forms: Record<'br' | 'gzip', WeakMap<Buffer, Promise<Buffer>>> = {
    br: new WeakMap(),
    gzip: new WeakMap(),
  };
  compressions = 0;

  /** The body in `encoding`; compressed at most once per body and encoding. */
  get(body: Buffer, encoding: BodyEncoding, effort: CompressionEffort): Promise<Buffer> {
    if (encoding === 'identity') return Promise.resolve(body);
    const forms = this.forms[encoding];
    let form = forms.get(body);
    if (form === undefined) {
      this.compressions++;
      form =
        encoding === 'br'
          ? brotli(body, {
              params: {
                [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY[effort],
                [zlib.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS,
                [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
                [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
              },
            })
          : gz(body, { level: GZIP_LEVEL[effort], memLevel: 9 });
      forms.set(body, form);
      // A failed compression is not kept: the next request tries again.
      form.catch(() => forms.delete(body));
    }
    return form;
  }
}
