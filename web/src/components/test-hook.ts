// The browser test hook `window.__orderflow`: what the footprint charts last drew (expanded on demand, so the
// hook costs nothing per frame) and their draw times, for the browser tests and the frame-time benchmark.

import { describeFrame, type DrawnFrame, type FrameDescription } from '../lib/footprint-draw.ts';

export interface OrderflowTestHook {
  /** The most recent frame of any footprint chart. */
  readonly lastDraw: FrameDescription | null;
  /** Most recent frame per chart id. */
  frame(id: string): FrameDescription | null;
  drawCount: number;
  /** Recent draw durations in ms (ring of the last DRAW_TIMES_KEPT). */
  drawTimes: number[];
  /** Live updates merged into a chart model. */
  updatesApplied: number;
}

const DRAW_TIMES_KEPT = 5000;
const frames = new Map<string, DrawnFrame>();
let last: DrawnFrame | null = null;

const hook: OrderflowTestHook = {
  get lastDraw() {
    return last === null ? null : describeFrame(last);
  },
  frame(id) {
    const f = frames.get(id);
    return f === undefined ? null : describeFrame(f);
  },
  drawCount: 0,
  drawTimes: [],
  updatesApplied: 0,
};

export function testHook(): OrderflowTestHook {
  const w = window as unknown as { __orderflow?: OrderflowTestHook };
  w.__orderflow ??= hook;
  return w.__orderflow;
}

export function recordDraw(id: string, f: DrawnFrame, ms: number): void {
  const h = testHook();
  frames.set(id, f);
  last = f;
  h.drawCount++;
  h.drawTimes.push(ms);
  if (h.drawTimes.length > DRAW_TIMES_KEPT) h.drawTimes.splice(0, h.drawTimes.length - DRAW_TIMES_KEPT);
}

export function forgetChart(id: string): void {
  const f = frames.get(id);
  frames.delete(id);
  if (f === last) last = null;
}
