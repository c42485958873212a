import { BatchTally } from '../run/batch-tally.js';
import { summaryTable } from './progress-reporter.js';

/** The value of one row of the summary. */
function row(table: string, label: string): string | undefined {
  return new RegExp(`^\\| ${label} +\\| (.*) \\|$`, 'm').exec(table)?.[1];
}

describe('the batch summary', () => {
  it('gives the pace --rate bounds: 13 calls paced at 10/s read 10.0, not 10.8', () => {
    const tally = new BatchTally();
    // The pacer's slots: 0, 100, …, 1200 ms (13 calls span 12 intervals).
    for (let i = 0; i < 13; i++) tally.callStarted(tally.startedAt + i * 100);
    const table = summaryTable(tally, 10, undefined);
    expect(row(table, 'upstream call pace')).toBe(
      '10.0 call starts/s, first to last (--rate 10/s)',
    );
    expect(row(table, 'upstream calls')).toBe('13');
    expect(table).not.toContain('achieved');
  });

  it('says so under two calls, and gives rows per second', () => {
    const tally = new BatchTally();
    tally.callStarted();
    tally.count('consistent');
    const table = summaryTable(tally, undefined, undefined);
    expect(row(table, 'upstream call pace')).toBe('under two calls');
    expect(Number(row(table, 'rows per second'))).toBeGreaterThan(0);
  });
});
