import type { BatchTally } from '../run/batch-tally.js';

/** What the progress display is told besides the counts. */
export interface ProgressSettings {
  /** Data rows in the input (for "done of total" and the ETA). */
  readonly total: number;
  readonly rate?: number;
  /** Price per billed call, to show the spend. */
  readonly price?: number;
  /** A live bar on a terminal; a line every few seconds otherwise. */
  readonly tty: boolean;
  readonly stream: NodeJS.WritableStream;
}

const BAR_WIDTH = 24;

/**
 * Shows a run's progress on stderr: on a terminal a live bar (rows done of
 * total, rate, ETA, billed calls, spend); off one (CI, logs) a plain line
 * every few seconds.
 */
export class ProgressReporter {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tally: BatchTally,
    private readonly settings: ProgressSettings,
  ) {}

  start(): void {
    this.timer = setInterval(
      () => this.draw(),
      this.settings.tty ? 200 : 5_000,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.settings.tty) {
      this.draw();
      this.settings.stream.write('\n');
    }
  }

  /** The progress line, as drawn. */
  line(): string {
    const { tally, settings } = this;
    const done = tally.written + tally.resumed;
    const seconds = Math.max(tally.elapsedMs() / 1000, 0.001);
    const perSecond = tally.written / seconds;
    const left = Math.max(0, settings.total - done);
    const eta = perSecond > 0 ? Math.round(left / perSecond) : undefined;
    const share = settings.total > 0 ? Math.min(1, done / settings.total) : 0;
    const filled = Math.round(share * BAR_WIDTH);
    const bar = settings.tty
      ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] `
      : '';
    const spend =
      settings.price === undefined
        ? ''
        : `, spend ${(tally.billed * settings.price).toFixed(2)}`;
    return (
      `${bar}${done}/${settings.total} rows (${Math.round(share * 100)}%), ` +
      `${perSecond.toFixed(1)} rows/s, ETA ${eta === undefined ? '?' : `${eta} s`}, billed ${tally.billed}${spend}`
    );
  }

  private draw(): void {
    const prefix = this.settings.tty ? '\r\x1b[2K' : '';
    const suffix = this.settings.tty ? '' : '\n';
    this.settings.stream.write(`${prefix}${this.line()}${suffix}`);
  }
}

/** Call starts per second, first to last: what `--rate` bounds. */
function paceOf(perSecond: number | undefined): string {
  return perSecond === undefined
    ? 'under two calls'
    : `${perSecond.toFixed(1)} call starts/s, first to last`;
}

/** The end-of-run summary table. */
export function summaryTable(
  tally: BatchTally,
  rate: number | undefined,
  price: number | undefined,
): string {
  const seconds = tally.elapsedMs() / 1000;
  const rows: Array<[string, string]> = [
    ...[...tally.byStatus.entries()]
      .toSorted(([a], [b]) => a.localeCompare(b))
      .map(([status, n]): [string, string] => [`status ${status}`, String(n)]),
    ['rows answered in this run', String(tally.written)],
    ['rows already done (resumed)', String(tally.resumed)],
    ['billed calls', String(tally.billed)],
    ...(price === undefined
      ? []
      : [['spend', (tally.billed * price).toFixed(2)] as [string, string]]),
    ['upstream calls', String(tally.calls)],
    ['duplicates saved', String(tally.duplicatesSaved)],
    ['invalid rows', String(tally.invalid)],
    ['malformed lines', String(tally.malformed)],
    ['uncertain rows', String(tally.uncertain)],
    ['elapsed', `${seconds.toFixed(1)} s`],
    ['rows per second', (tally.written / Math.max(seconds, 0.001)).toFixed(1)],
    [
      'upstream call pace',
      paceOf(tally.callsPerSecond()) + (rate ? ` (--rate ${rate}/s)` : ''),
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `| ${'measure'.padEnd(width)} | value |`,
    `| ${'-'.repeat(width)} | ----- |`,
    ...rows.map(([label, value]) => `| ${label.padEnd(width)} | ${value} |`),
  ].join('\n');
}
