// Serves the built web UI (web/dist) at / when it exists, a placeholder page pointing at the API otherwise.
// Paths are resolved inside the UI directory only.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function placeholderPage(sourceKind: string): string {
  const mark =
    sourceKind === 'live' ? '' : `<p><strong>Data source: ${sourceKind}</strong> (not live market data)</p>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>orderflow</title></head><body>
<h1>orderflow — Order Flow Service</h1>${mark}
<p>The web UI is not built (no web/dist). The API is up:</p>
<ul>
<li><a href="/api/v1/orderflow/footprint/BTC?timeframe=1h">/api/v1/orderflow/footprint/BTC?timeframe=1h</a></li>
<li><a href="/api/v1/orderflow/volume-profile/BTC?type=VPVR">/api/v1/orderflow/volume-profile/BTC?type=VPVR</a></li>
<li><a href="/api/v1/orderflow/metrics/BTC">/api/v1/orderflow/metrics/BTC</a></li>
<li><a href="/api/v1/orderflow/symbols">/api/v1/orderflow/symbols</a></li>
<li><a href="/api/v1/openapi.json">/api/v1/openapi.json</a> · <a href="/health">/health</a> · <a href="/metrics">/metrics</a></li>
<li>WebSocket: <code>/ws/orderflow</code></li>
</ul></body></html>`;
}

export class WebUi {
  readonly root: string;
  readonly built: boolean;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.built = existsSync(join(this.root, 'index.html'));
  }

  /** The file for a URL path: the asset itself, or index.html for client-side routes; undefined outside root. */
  file(urlPath: string): { body: Buffer; type: string } | undefined {
    if (!this.built) return undefined;
    let rel: string;
    try {
      rel = decodeURIComponent(urlPath.split('?')[0] ?? '/');
    } catch {
      return undefined;
    }
    const path = normalize(join(this.root, rel));
    if (path !== this.root && !path.startsWith(this.root + sep)) return undefined;
    const target = existsSync(path) && statSync(path).isFile() ? path : join(this.root, 'index.html');
    return { body: readFileSync(target), type: TYPES[extname(target)] ?? 'application/octet-stream' };
  }
}
