// UI frame time in Debian's Chromium: the footprint with ~300 bars × 80+ rows on screen, 20 live updates a second,
// panned with the mouse; reports draw time and frame interval p50/p99 (goal: < 16 ms a frame), then the draw
// time while wheel-zooming (every frame a new column width: the worst case for the chart's column cache).
// Workload: a seeded synthetic market (every bar trades both sides at 80 consecutive prices) served by the
// stand-in service; the UI is the production build.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseIncrement } from '../src/core/decimal.ts';
import type { Scale } from '../src/core/instrument.ts';
import { StandInServer, syntheticMarket } from '../test/web/stand-in-server.ts';
import { buildWeb, CHROMIUM, CHROMIUM_ARGS } from '../test/web/browser.ts';

const BARS = 300;
const ROWS = 80;
const UPDATES_PER_SECOND = 20;
const PAN_STEPS = 240;
const ZOOM_STEPS = 40;

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2));
};

export async function benchUiFrameTime(): Promise<Record<string, unknown>> {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is missing` };
  const webDir = await buildWeb();
  const scale: Scale = { price: parseIncrement('0.01'), qty: parseIncrement('0.00001'), volumeUnit: 'base' };
  const market = syntheticMarket(scale, BARS, ROWS, Date.UTC(2024, 7, 8) * 1000);
  const server = new StandInServer(new Map([['BENCH', market]]), webDir);
  server.lite = true;
  const base = await server.listen(0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // Footprint only (compact), 5 px columns: ~300 bars across 1510 px of plot; one tick per row (80 rows), not
    // the default row size, which would merge the synthetic rows.
    await page.goto(`${base}/?symbol=BENCH&timeframe=1m&ticks_per_row=1&compact=1&bar_spacing=5&height=900`);
    await page.waitForFunction(`(globalThis.__orderflow?.lastDraw?.cells.length ?? 0) > 0`);
    await page.waitForFunction(`document.querySelector('[data-testid=ws-status]')?.textContent === 'Live'`);
    const frame0 = await page.evaluate<{ bars: number; rows: number; cells: number }>(
      `(() => { const f = globalThis.__orderflow.lastDraw; return { bars: f.bars.length, rows: f.rows.high - f.rows.low + 1, cells: f.cells.length }; })()`,
    );
    server.startUpdates('BENCH', UPDATES_PER_SECOND, 2);
    await page.evaluate(`(() => {
      const h = globalThis.__orderflow;
      h.drawTimes.length = 0;
      h.benchFrames = [];
      h.benchRun = true;
      let last = performance.now();
      const loop = (t) => { h.benchFrames.push(t - last); last = t; if (h.benchRun) requestAnimationFrame(loop); };
      requestAnimationFrame(loop);
    })()`);
    const updates0 = await page.evaluate<number>('globalThis.__orderflow.updatesApplied');
    const box = await page.locator('[data-testid=footprint-canvas]').boundingBox();
    if (box === null) throw new Error('no canvas');
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 3;
    const t0 = performance.now();
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 0; i < PAN_STEPS; i++) {
      // Back and forth, diagonally: both axes pan.
      const phase = Math.floor(i / 60) % 2 === 0 ? 1 : -1;
      await page.mouse.move(cx + phase * (i % 60) * 6, cy + phase * (i % 60) * 2);
    }
    await page.mouse.up();
    const seconds = (performance.now() - t0) / 1000;
    const r = await page.evaluate<{ draws: number[]; frames: number[]; updates: number }>(
      `(() => { const h = globalThis.__orderflow; h.benchRun = false; return { draws: h.drawTimes.slice(), frames: h.benchFrames.slice(1), updates: h.updatesApplied }; })()`,
    );
    // Then wheel zoom (time axis) in and out: every frame has a new column width, so nothing is reusable.
    await page.evaluate(`(() => { globalThis.__orderflow.drawTimes.length = 0; })()`);
    for (let i = 0; i < ZOOM_STEPS; i++) {
      await page.mouse.wheel(0, Math.floor(i / 20) % 2 === 0 ? -40 : 40);
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    }
    const zoomDraws = await page.evaluate<number[]>('globalThis.__orderflow.drawTimes.slice()');
    return {
      workload: `synthetic market, ${BARS} history bars x ${ROWS} rows, ${UPDATES_PER_SECOND} footprint updates/s, mouse pan`,
      on_screen: frame0,
      pan_seconds: Number(seconds.toFixed(2)),
      draws: r.draws.length,
      live_updates_applied: r.updates - updates0,
      draw_ms_p50: pct(r.draws, 50),
      draw_ms_p99: pct(r.draws, 99),
      frame_interval_ms_p50: pct(r.frames, 50),
      frame_interval_ms_p99: pct(r.frames, 99),
      zoom_draws: zoomDraws.length,
      zoom_draw_ms_p50: pct(zoomDraws, 50),
      zoom_draw_ms_p99: pct(zoomDraws, 99),
      goal_ms: 16,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  console.log(JSON.stringify(await benchUiFrameTime(), null, 2));
