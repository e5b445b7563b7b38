// Browser tests of the web UI in Debian's Chromium (playwright-core, never a downloaded browser): the page
// loads, the footprint canvas shows exactly the API's bars and cells, controls redraw, clicking a level shows the
// API's numbers and live updates arrive. Served by the real service (OrderflowService + startServer) fed by a
// replay of real Binance trades: the first 80 % before the page loads, the rest while the live test watches.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { unitsToString } from '../../src/core/decimal.ts';
import { sharedDataPath } from '../real-data.ts';
import { buildWeb, CHROMIUM, CHROMIUM_ARGS, ROOT } from './browser.ts';
import { startReplayService, type ReplayService } from './replay-service.ts';

const ARTIFACTS = `${ROOT}artifacts`;
const BTC_FILE =
  'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz';
const ETH_FILE =
  'binance/trade-stream/binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz';

/** Why the browser tests cannot run here, or null. On CI a missing browser or data set is a failure. */
function missing(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (!existsSync(sharedDataPath(BTC_FILE))) return `shared data missing: ${sharedDataPath(BTC_FILE)}`;
  return null;
}
const skipReason = missing();
if (skipReason !== null && process.env.CI) throw new Error(`browser tests must run on CI: ${skipReason}`);

interface DrawnCell {
  start_time: string;
  price: number;
  buy: number;
  sell: number;
  total: number;
  delta: number;
  imbalance: string | null;
  poc: boolean;
  cx: number;
  cy: number;
}
interface Frame {
  symbol: string;
  timeframe: string;
  aggregation: string;
  rowSize: number;
  barCount: number;
  rows: { low: number; high: number };
  bars: { start_time: string; index: number; x: number; cells: number }[];
  cells: DrawnCell[];
}
interface ApiCell {
  price_level: number;
  buy_volume: number;
  sell_volume: number;
  total_volume: number;
  delta: number;
  is_point_of_control: boolean;
  imbalance_side: string | null;
  start_time: string;
  buy_trades: number;
  sell_trades: number;
}
interface FootprintJson {
  success: true;
  data: { row_size: number; bars: ApiCell[]; bar_stats: { start_time: string; close: number }[] };
}

const lastDraw = (page: Page): Promise<Frame | null> =>
  page.evaluate(
    () => (globalThis as unknown as { __orderflow?: { lastDraw: unknown } }).__orderflow?.lastDraw ?? null,
  ) as Promise<Frame | null>;

/**
 * Checks a drawn frame against a footprint body, recomputed here straight from the body: the frame's bars are
 * the body's bars at the same indices, every drawn cell is the body's cell with the same numbers, and every body
 * cell of a drawn bar inside the drawn rows was drawn.
 */
function assertFrameMatches(frame: Frame, body: FootprintJson): void {
  const starts = [
    ...new Set([...body.data.bar_stats.map((b) => b.start_time), ...body.data.bars.map((c) => c.start_time)]),
  ].sort((a, b) => Date.parse(a) - Date.parse(b));
  assert.equal(frame.barCount, starts.length, 'bar count');
  assert.ok(frame.bars.length > 0, 'some bars drawn');
  assert.equal(frame.rowSize, body.data.row_size);
  const byKey = new Map(body.data.bars.map((c) => [`${c.start_time}|${c.price_level}`, c] as const));
  for (const b of frame.bars) assert.equal(b.start_time, starts[b.index], `bar ${b.index}`);
  for (const c of frame.cells) {
    const api = byKey.get(`${c.start_time}|${c.price}`);
    assert.ok(api, `drawn cell ${c.start_time} @ ${c.price} is in the API body`);
    assert.equal(c.buy, api.buy_volume);
    assert.equal(c.sell, api.sell_volume);
    assert.equal(c.total, api.total_volume);
    assert.equal(c.delta, api.delta);
    assert.equal(c.poc, api.is_point_of_control);
    assert.equal(c.imbalance, api.imbalance_side);
  }
  const drawnBars = new Set(frame.bars.map((b) => b.start_time));
  const expected = body.data.bars.filter((c) => {
    const row = Math.round(c.price_level / body.data.row_size);
    return drawnBars.has(c.start_time) && row >= frame.rows.low && row <= frame.rows.high;
  });
  assert.equal(frame.cells.length, expected.length, 'every API cell in view was drawn');
}

describe('web UI in Chromium', { skip: skipReason ?? false }, () => {
  let svc: ReplayService;
  let base: string;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const webDir = await buildWeb();
    svc = await startReplayService([sharedDataPath(BTC_FILE), sharedDataPath(ETH_FILE)], webDir);
    await svc.releaseUntil(0.8);
    base = svc.base;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (e) => {
      throw e;
    });
  });

  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  const api = async (q: Record<string, string>): Promise<FootprintJson> => {
    const res = await fetch(`${base}/api/v1/orderflow/footprint/BTC?${new URLSearchParams(q).toString()}`);
    return (await res.json()) as FootprintJson;
  };

  /**
   * Waits until the chart's latest frame satisfies `check` (run here, throwing when not yet), re-checking after
   * every new draw: live bars reach the page in throttled updates, so a frame may trail the API by one update.
   */
  async function eventuallyFrame(check: (f: Frame) => Promise<void> | void, what: string): Promise<Frame> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const count = await page.evaluate<number>('globalThis.__orderflow?.drawCount ?? 0');
      const f = await lastDraw(page);
      let err: unknown = new Error('no frame yet');
      if (f !== null) {
        try {
          await check(f);
          return f;
        } catch (e) {
          err = e;
        }
      }
      if (Date.now() > deadline) throw new Error(`${what}: ${String(err)}`, { cause: err });
      await page
        .waitForFunction(`(globalThis.__orderflow?.drawCount ?? 0) > ${count}`, undefined, { timeout: 5000 })
        .catch(() => {});
    }
  }

  /** Waits until the chart drew a frame satisfying `pred` (evaluated in the page), then returns it. */
  async function frameWhere(pred: string): Promise<Frame> {
    await page.waitForFunction(
      `(() => { const f = globalThis.__orderflow?.lastDraw; return !!f && f.cells.length > 0 && (${pred}); })()`,
      undefined,
      {
        timeout: 15_000,
      },
    );
    const f = await lastDraw(page);
    assert.ok(f);
    return f;
  }

  test('first paint: the default BTC row of 10 and a view fitted to where the trades are', async () => {
    await page.goto(`${base}/?symbol=BTC&timeframe=1m`);
    const f = await frameWhere("f.timeframe === '1m'");
    // BTC's default step is 10 price units (web/src/lib/row-size.ts), asked for as price_tick_size.
    assert.equal(f.rowSize, 10);
    assert.equal(await page.inputValue('[data-testid=row-size]'), '10');
    assert.equal(await page.inputValue('[data-testid=row-unit]'), 'price');
    const body = await api({ timeframe: '1m', aggregation: 'TIME', price_tick_size: '10' });
    assertFrameMatches(f, body);
    // Fitted: the newest bar is drawn and its last price is inside the drawn rows; every drawn bar shows cells.
    assert.equal(f.bars.at(-1)?.index, f.barCount - 1, 'newest bar in view');
    const closeRow = Math.floor(body.data.bar_stats.at(-1)!.close / 10);
    assert.ok(
      f.rows.low <= closeRow && closeRow <= f.rows.high,
      `last price row ${closeRow} in ${JSON.stringify(f.rows)}`,
    );
    for (const b of f.bars) assert.ok(b.cells > 0, `bar ${b.start_time} shows its cells`);
    assert.equal(await page.locator('[data-testid=follow]').count(), 0, 'following: no Follow button');
    await page.screenshot({ path: `${ARTIFACTS}/ui-first-paint.png` });
  });

  test('panning away shows Follow, which brings the newest bar back', async () => {
    const box = await page.locator('[data-testid=footprint-canvas]').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 3 + 10, { steps: 5 });
    await page.mouse.up();
    await page.locator('[data-testid=follow]').waitFor();
    const away = await lastDraw(page);
    assert.ok(away);
    assert.ok((away.bars.at(-1)?.index ?? -1) < away.barCount - 1, 'the newest bar left the view');
    await page.click('[data-testid=follow]');
    await page.locator('[data-testid=follow]').waitFor({ state: 'detached' });
    const back = await frameWhere('f.bars.length > 0 && f.bars[f.bars.length - 1].index === f.barCount - 1');
    assert.equal(back.rowSize, 10);
  });

  test('the page loads and the footprint shows the API bars and cells', async () => {
    await page.goto(`${base}/?symbol=BTC&timeframe=1m&ticks_per_row=500`);
    const f = await frameWhere("f.timeframe === '1m' && f.rowSize === 5");
    assertFrameMatches(f, await api({ timeframe: '1m', aggregation: 'TIME', ticks_per_row: '500' }));
    assert.ok(f.bars.length >= 5, `several 1m bars in view (${f.bars.length})`);
    // The pixels agree: a traded cell's centre is not the background colour.
    const cell = f.cells.reduce((a, b) => (b.total > a.total ? b : a));
    const px = await page.evaluate<number[]>(`(() => {
      const c = document.querySelector('[data-testid=footprint-canvas]');
      const k = c.width / c.getBoundingClientRect().width;
      return Array.from(c.getContext('2d').getImageData(Math.round(${cell.cx} * k), Math.round(${cell.cy} * k), 1, 1).data);
    })()`);
    assert.notDeepEqual(px.slice(0, 3), [17, 20, 26], 'the biggest cell is painted');
    await page.waitForSelector('[data-testid=metrics-panel] [data-metric=current_price]');
    await page.waitForSelector('[data-testid=profile-summary]');
    await page.screenshot({ path: `${ARTIFACTS}/ui-footprint-1m.png` });
  });

  test('changing timeframe, ticks per row and aggregation redraws what the API returns', async () => {
    await page.selectOption('[data-testid=timeframe]', '5m');
    let f = await frameWhere("f.timeframe === '5m'");
    assertFrameMatches(f, await api({ timeframe: '5m', aggregation: 'TIME', ticks_per_row: '500' }));
    assert.equal(await page.inputValue('[data-testid=row-unit]'), 'ticks');
    await page.fill('[data-testid=row-size]', '100');
    f = await frameWhere("f.timeframe === '5m' && f.rowSize === 1");
    assertFrameMatches(f, await api({ timeframe: '5m', aggregation: 'TIME', ticks_per_row: '100' }));
    await page.screenshot({ path: `${ARTIFACTS}/ui-footprint-5m-row1.png` });
    await page.selectOption('[data-testid=aggregation]', 'TICK_COUNT');
    f = await frameWhere("f.aggregation === 'TICK_COUNT'");
    assertFrameMatches(
      f,
      await api({ timeframe: '5m', aggregation: 'TICK_COUNT', ticks_per_row: '100', ticks_per_bar: '1000' }),
    );
    await page.selectOption('[data-testid=aggregation]', 'VOLUME');
    f = await frameWhere("f.aggregation === 'VOLUME'");
    assertFrameMatches(
      f,
      await api({ timeframe: '5m', aggregation: 'VOLUME', ticks_per_row: '100', volume_per_bar: '10' }),
    );
    await page.screenshot({ path: `${ARTIFACTS}/ui-footprint-volume-bars.png` });
    // Back to the first settings for the next tests.
    await page.selectOption('[data-testid=aggregation]', 'TIME');
    await page.selectOption('[data-testid=timeframe]', '1m');
    await page.fill('[data-testid=row-size]', '500');
    f = await frameWhere("f.aggregation === 'TIME' && f.timeframe === '1m' && f.rowSize === 5");
    assertFrameMatches(f, await api({ timeframe: '1m', aggregation: 'TIME', ticks_per_row: '500' }));
  });

  test("clicking a price level shows the API's numbers for it", async () => {
    const f = await frameWhere("f.rowSize === 5 && f.timeframe === '1m'");
    const body = await api({ timeframe: '1m', aggregation: 'TIME', ticks_per_row: '500' });
    const target = f.cells.reduce((a, b) => (b.total > a.total ? b : a));
    const box = await page.locator('[data-testid=footprint-canvas]').boundingBox();
    assert.ok(box);
    await page.mouse.click(box.x + target.cx, box.y + target.cy);
    const details = page.locator('[data-testid=level-details]');
    await details.waitFor();
    const field = (k: string) => details.locator(`[data-field=${k}]`).innerText();
    const cell = body.data.bars.find(
      (c) => c.start_time === target.start_time && c.price_level === target.price,
    );
    assert.ok(cell);
    assert.equal(await field('price_level'), String(cell.price_level));
    assert.equal(await field('start_time'), cell.start_time);
    assert.equal(await field('buy_volume'), String(cell.buy_volume));
    assert.equal(await field('sell_volume'), String(cell.sell_volume));
    assert.equal(await field('total_volume'), String(cell.total_volume));
    assert.equal(await field('delta'), String(cell.delta));
    assert.equal(await field('buy_trades'), String(cell.buy_trades));
    assert.equal(await field('sell_trades'), String(cell.sell_trades));
    await page.screenshot({ path: `${ARTIFACTS}/ui-level-details.png` });
  });

  test('live updates arrive over the WebSocket and the chart matches the API afterwards', async () => {
    const before = await lastDraw(page);
    assert.ok(before);
    const applied = await page.evaluate(
      () => (globalThis as unknown as { __orderflow: { updatesApplied: number } }).__orderflow.updatesApplied,
    );
    await page.waitForFunction(`document.querySelector('[data-testid=ws-status]')?.textContent === 'Live'`);
    // The rest of the recording is replayed into the service: ~20% of the trades, crossing into new minutes.
    await svc.releaseUntil(1);
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { __orderflow: { updatesApplied: number } }).__orderflow.updatesApplied > n,
      applied,
    );
    const body = await api({ timeframe: '1m', aggregation: 'TIME', ticks_per_row: '500' });
    const total = new Set(body.data.bar_stats.map((b) => b.start_time)).size;
    assert.ok(total > before.barCount, 'new bars exist after the replay');
    const f = await eventuallyFrame((fr) => assertFrameMatches(fr, body), 'the live chart matches the API');
    // The view followed the right edge: the newest bar is drawn.
    assert.equal(f.bars.at(-1)?.index, total - 1);
    // The status bar decodes the columnar tick batches: it shows the exact price of the last BTC trade replayed
    // (the replay emits in pacing-key order, ties in file order).
    const btc = svc.trades.get('binance:BTCUSDT')!;
    const key = (t: (typeof btc)[number]) => t.recvTs ?? t.ts;
    const lastTrade = btc.reduce((a, t) => (key(t) >= key(a) ? t : a));
    const inst = (await svc.service.store.getInstrument('binance', 'BTCUSDT'))!;
    const want = `BTC ${unitsToString(lastTrade.price, inst.price)}`;
    await page.waitForFunction(
      `document.querySelector('[data-testid=last-trade]')?.textContent === ${JSON.stringify(want)}`,
    );
    await page.waitForSelector('[data-testid=alerts-list] li, [data-testid=alerts-empty]');
    await page.screenshot({ path: `${ARTIFACTS}/ui-live.png` });
  });

  test('light theme and another symbol', async () => {
    await page.click('[data-testid=theme-toggle]');
    await page.selectOption('[data-testid=symbol-picker]', 'ETH');
    const f = await frameWhere("f.symbol === 'ETH'");
    const res = await fetch(
      `${base}/api/v1/orderflow/footprint/ETH?timeframe=1m&aggregation=TIME&ticks_per_row=500`,
    );
    assertFrameMatches(f, (await res.json()) as FootprintJson);
    await page.screenshot({ path: `${ARTIFACTS}/ui-eth-light.png` });
  });

  test('an unknown symbol shows the error state', async () => {
    await page.goto(`${base}/?symbol=NOPE&timeframe=1m&compact=1`);
    const err = page.locator('[data-testid=footprint-chart] [data-testid=error]');
    await err.waitFor();
    assert.match(await err.innerText(), /UNKNOWN_SYMBOL/);
  });
});
