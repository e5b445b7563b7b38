// Progress events of long imports/downloads: what is done, the rate and the ETA, independent of how they are shown
// (a TTY bar or JSON lines; see src/cli/progress-bar.ts).

export interface ProgressEvent {
  /** What is being worked on ("import", "download", "export", "validate"). */
  readonly phase: string;
  /** File, URL or instrument. */
  readonly item: string;
  /** Units done and expected (bytes of the file; total undefined when unknown). */
  readonly done: number;
  readonly total?: number;
  /** Trades parsed so far, and newly stored. */
  readonly trades: number;
  readonly inserted: number;
  readonly elapsedMs: number;
  /** Trades per second so far. */
  readonly rate: number;
  /** Estimated milliseconds left (from the bytes rate); undefined when the total is unknown. */
  readonly etaMs?: number;
}

export type ProgressListener = (e: ProgressEvent) => void;

/** Builds progress events from the running counts of one task; the clock is read only here. */
export class ProgressTracker {
  private readonly t0 = performance.now();

  constructor(
    private readonly phase: string,
    private readonly item: string,
    private readonly listener: ProgressListener | undefined,
    private readonly total?: number,
  ) {}

  emit(done: number, trades: number, inserted: number): void {
    if (this.listener === undefined) return;
    const elapsedMs = performance.now() - this.t0;
    const rate = elapsedMs > 0 ? (trades * 1000) / elapsedMs : 0;
    const eta =
      this.total !== undefined && done > 0 && elapsedMs > 0
        ? Math.max(0, ((this.total - done) * elapsedMs) / done)
        : undefined;
    this.listener({
      phase: this.phase,
      item: this.item,
      done,
      ...(this.total === undefined ? {} : { total: this.total }),
      trades,
      inserted,
      elapsedMs,
      rate,
      ...(eta === undefined ? {} : { etaMs: eta }),
    });
  }

  get elapsedMs(): number {
    return performance.now() - this.t0;
  }
}
