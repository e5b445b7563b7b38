// Browser test of the alert list's signals and the Indicators panel in Chromium, against the real service fed by a
// replay of real Binance trades with a custom indicator configured: after 80 % of the recording the list shows
// exactly the signals REST returns and the panel the latest REST indicator values; during the rest, every live
// `signal` message the page receives appears in the list and the panel follows `indicator_update`.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadIndicators } from '../../src/indicators/indicator-config.ts';
import { sharedDataPath } from '../real-data.ts';
import { buildWeb, CHROMIUM, CHROMIUM_ARGS, ROOT } from './browser.ts';
import { startReplayService, type ReplayService } from './replay-service.ts';

const BTC_FILE =
  'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz';
const MAX_ALERTS = 200;
const INDICATOR = 'absorption_ratio';

function missing(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (!existsSync(sharedDataPath(BTC_FILE))) return `shared data missing: ${sharedDataPath(BTC_FILE)}`;
  return null;
}
const skipReason = missing();
if (skipReason !== null && process.env.CI) throw new Error(`browser tests must run on CI: ${skipReason}`);

interface Signal {
  symbol: string;
  kind: string;
  direction: string;
  time: string;
  bar_start: string;
  price: number;
  evidence: Record<string, unknown>;
}
interface IndicatorBar {
  bar_start: string;
  values: Record<string, Record<string, number | boolean | null>>;
}

/** A signal's identity, written out here from the API fields (not the UI's helper). */
const idOf = (s: Signal): string => [s.kind, s.direction, s.time, s.bar_start, s.price].join('|');

/** Polls `check` (throwing while not yet true) until it passes or 15 s elapse; each retry waits for the page. */
async function eventually(page: Page, check: () => Promise<void>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${String(e)}`, { cause: e });
    }
    // Next animation frame of the page: lets queued WebSocket messages and React renders run.
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(null)))');
  }
}

describe('signals and indicators in the web UI (Chromium)', { skip: skipReason ?? false }, () => {
  let svc: ReplayService;
  let browser: Browser;
  let page: Page;
  const live: { signals: Signal[]; indicators: (IndicatorBar & { symbol: string })[] } = {
    signals: [],
    indicators: [],
  };

  before(async () => {
    const webDir = await buildWeb();
    const indicators = await loadIndicators(
      [{ module: 'examples/absorption-ratio-indicator.ts', options: { period: 3 } }],
      ROOT,
    );
    svc = await startReplayService([sharedDataPath(BTC_FILE)], webDir, { indicators });
    await svc.releaseUntil(0.8);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (e) => {
      throw e;
    });
    // Every stream message the page receives, as the service sent it.
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (typeof f.payload !== 'string') return;
        const m = JSON.parse(f.payload) as { type: string; data: unknown };
        if (m.type === 'signal') live.signals.push(m.data as Signal);
        if (m.type === 'indicator_update') live.indicators.push(m.data as IndicatorBar & { symbol: string });
      }),
    );
  });

  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  const rest = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${svc.base}/api/v1/orderflow/${path}`);
    const body = (await res.json()) as { success: boolean; data: T };
    assert.equal(body.success, true, path);
    return body.data;
  };
  const listed = (): Promise<{ key: string; text: string }[]> =>
    page.evaluate(`[...document.querySelectorAll('[data-testid=alerts-list] li[data-kind=signal]')].map((e) =>
      ({ key: e.getAttribute('data-signal-key') ?? '', text: e.textContent ?? '' }))`);

  test('the alert list shows exactly the REST signals of the replayed data, newest first', async () => {
    await page.goto(`${svc.base}/?symbol=BTC&timeframe=1m`);
    await page.waitForSelector('[data-testid=alerts-list][data-signals=loaded]');
    // The replay is parked: nothing live can arrive while the list is compared.
    const body = await rest<{ signals: Signal[]; count: number }>('signals/BTC?timeframe=1m');
    assert.equal(body.count, body.signals.length);
    assert.ok(body.signals.length > 0, 'the real data yields signals, so the comparison says something');
    const expected = [...new Map(body.signals.map((s) => [idOf(s), s])).values()].sort(
      (a, b) => Date.parse(b.time) - Date.parse(a.time),
    );
    const shown = await listed();
    // The newest MAX_ALERTS, compared as sets (signals of equal time may come in any order) ...
    const cut = expected.slice(0, MAX_ALERTS);
    const lastTime = cut.at(-1)?.time;
    const mustShow = cut.filter((s) => expected.length <= MAX_ALERTS || s.time !== lastTime).map(idOf);
    assert.equal(shown.length, Math.min(MAX_ALERTS, expected.length));
    const shownKeys = new Set(shown.map((s) => s.key));
    for (const k of mustShow) assert.ok(shownKeys.has(k), `signal ${k} is listed`);
    for (const k of shownKeys)
      assert.ok(
        expected.some((s) => idOf(s) === k),
        `listed ${k} is a REST signal`,
      );
    // ... in time order, each line naming its kind, direction and price.
    const times = shown.map((s) => Date.parse(s.key.split('|')[2]!));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! >= times[i]!, 'newest first');
    for (const s of shown) {
      const sig = expected.find((e) => idOf(e) === s.key)!;
      assert.ok(s.text.includes(sig.kind.replaceAll('_', ' ')), s.text);
      assert.ok(s.text.includes(sig.direction), s.text);
      assert.ok(s.text.includes(`@ ${sig.price}`), s.text);
    }
    await page.screenshot({ path: `${ROOT}artifacts/ui-signals.png` });
  });

  test('the Indicators panel shows the latest REST indicator values', async () => {
    await page.waitForSelector('[data-testid=indicators-panel][data-state=loaded]');
    const body = await rest<{ indicators: string[]; bars: IndicatorBar[] }>('indicators/BTC?timeframe=1m');
    assert.deepEqual(body.indicators, [INDICATOR]);
    const last = body.bars.at(-1);
    assert.ok(last);
    await assertPanelShows(last);
  });

  async function assertPanelShows(bar: IndicatorBar): Promise<void> {
    const row = page.locator(`[data-testid=indicators-panel] [data-indicator=${INDICATOR}]`);
    assert.equal(await row.locator('dt').getAttribute('title'), `bar ${bar.bar_start}`);
    const values = bar.values[INDICATOR];
    assert.ok(values);
    for (const [k, v] of Object.entries(values)) {
      const text = (await row.locator(`[data-output=${k}]`).innerText()).trim();
      assert.ok(text.startsWith(`${k} `), text);
      const shownValue = text.slice(k.length + 1);
      if (typeof v === 'number')
        assert.ok(Math.abs(Number(shownValue) - v) <= 1e-5 * Math.max(1, Math.abs(v)), text);
      else assert.equal(shownValue, v === null ? '—' : String(v));
    }
  }

  test('live: signal messages join the list and indicator_update refreshes the panel', async (t) => {
    await page.waitForFunction(`document.querySelector('[data-testid=ws-status]')?.textContent === 'Live'`);
    const before = new Set((await listed()).map((s) => s.key));
    await svc.releaseUntil(1);
    // Bars closed during the replay: the REST bars after the last one shown so far, except the forming one.
    const body = await rest<{ bars: IndicatorBar[] }>('indicators/BTC?timeframe=1m');
    const lastClosed = body.bars.at(-2);
    assert.ok(lastClosed);
    await eventually(
      page,
      async () => {
        assert.ok(
          live.indicators.some((u) => u.symbol === 'BTC' && u.bar_start === lastClosed.bar_start),
          `indicator_update for ${lastClosed.bar_start} received`,
        );
        const dt = page.locator(`[data-testid=indicators-panel] [data-indicator=${INDICATOR}] dt`);
        assert.equal(await dt.getAttribute('title'), `bar ${lastClosed.bar_start}`);
      },
      'the panel follows indicator_update',
    );
    // The live value is the one the message carried (the channel's row size, so not necessarily REST's).
    const lastLive = live.indicators.filter((u) => u.bar_start === lastClosed.bar_start).at(-1)!;
    assert.ok(lastLive.values[INDICATOR]);
    // A bar's signals are sent before its indicator_update, so every live signal has arrived by now.
    const liveSignals = live.signals.filter((s) => s.symbol === 'BTC');
    if (liveSignals.length === 0) {
      t.skip('the replay produced no live signal');
      return;
    }
    await eventually(
      page,
      async () => {
        const keys = new Set((await listed()).map((s) => s.key));
        for (const s of liveSignals.slice(-20)) assert.ok(keys.has(idOf(s)), `live ${idOf(s)} is listed`);
      },
      'live signals appear in the alert list',
    );
    // Everything listed is either REST history shown before or a live message.
    const liveKeys = new Set(liveSignals.map(idOf));
    for (const s of await listed())
      assert.ok(before.has(s.key) || liveKeys.has(s.key), `listed ${s.key} came from REST or the stream`);
    await page.screenshot({ path: `${ROOT}artifacts/ui-signals-live.png` });
  });
});
