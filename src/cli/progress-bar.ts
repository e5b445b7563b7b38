// Shows progress events on stderr: a redrawn bar with rate and ETA on a terminal, or one JSON object per line for
// machines (`--progress=json`); nothing when stderr is not a terminal unless asked.

import type { ProgressEvent, ProgressListener } from '../importers/progress.ts';

export type ProgressMode = 'auto' | 'bar' | 'json' | 'off';

/** `--progress` → 'bar', `--progress=json` → 'json', absent → 'auto'. */
export function progressModeOf(flag: unknown): ProgressMode {
  if (flag === undefined || flag === false) return 'auto';
  if (flag === true || flag === 'bar') return 'bar';
  if (flag === 'json') return 'json';
  if (flag === 'off' || flag === 'none') return 'off';
  return 'bar';
}

const BAR_WIDTH = 24;
/** Redraws at most this often: a terminal cannot show more, and writes cost time. */
const REDRAW_MS = 100;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** One line of the bar (no colours: it is redrawn in place). */
export function progressLine(e: ProgressEvent): string {
  const frac = e.total !== undefined && e.total > 0 ? Math.min(1, e.done / e.total) : undefined;
  const bar =
    frac === undefined
      ? ''
      : `[${'#'.repeat(Math.round(frac * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ${(frac * 100).toFixed(0).padStart(3)}% `;
  const eta = e.etaMs === undefined ? '' : ` ETA ${duration(e.etaMs)}`;
  const name = e.item.length > 40 ? `…${e.item.slice(-39)}` : e.item;
  return `${e.phase} ${bar}${count(e.trades)} trades, ${count(e.inserted)} new, ${count(e.rate)}/s${eta} ${name}`;
}

export interface ProgressOutput {
  readonly listener: ProgressListener | undefined;
  /** Ends the bar's line. */
  done(): void;
}

export function progressOutput(
  mode: ProgressMode,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressOutput {
  const effective = mode === 'auto' ? (stream.isTTY === true ? 'bar' : 'off') : mode;
  if (effective === 'off') return { listener: undefined, done: () => undefined };
  if (effective === 'json') {
    return {
      listener: (e) => stream.write(JSON.stringify({ progress: e }) + '\n'),
      done: () => undefined,
    };
  }
  let last = 0;
  let drawn = false;
  return {
    listener: (e) => {
      const now = performance.now();
      const final = e.total !== undefined && e.done >= e.total;
      if (!final && now - last < REDRAW_MS) return;
      last = now;
      drawn = true;
      const line = progressLine(e);
      stream.write(stream.isTTY === true ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done: () => {
      if (drawn && stream.isTTY === true) stream.write('\n');
      drawn = false;
    },
  };
}
