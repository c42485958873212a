import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { type Answer, type AnswerPool } from '../output/result-row.js';

/** The rows an earlier run already answered, by row number. */
export async function readPreviousOutput(
  path: string,
  pool: AnswerPool,
): Promise<Map<number, Answer>> {
  const done = new Map<number, Answer>();
  if (!existsSync(path)) return done;
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      columns: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }),
  );
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    const row = Number(record.row);
    if (!Number.isInteger(row) || row < 1) continue;
    done.set(
      row,
      pool.intern({
        status: record.status ?? '',
        code: record.code ?? '',
        carrier: record.carrier ?? '',
        detail: record.detail ?? '',
        error: record.error ?? '',
        mayHaveBilled: record.may_have_billed === 'true',
      }),
    );
  }
  return done;
}

/**
 * Drops the output rows `drop` picks (`--retry-uncertain`: the `uncertain`
 * ones; `--retry-errors`: errors that cost nothing), so they are verified
 * again and each input row keeps one output row. The file is replaced
 * atomically. Returns the row numbers dropped.
 */
export async function dropRows(
  path: string,
  drop: (record: Readonly<Record<string, string>>) => boolean,
): Promise<number[]> {
  if (!existsSync(path)) return [];
  const parser = createReadStream(path).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true }),
  );
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let header: string[] | undefined;
  const dropped: number[] = [];
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = cells;
        writeSync(fd, `\uFEFF${stringify([cells])}`);
        continue;
      }
      const record = Object.fromEntries(
        header.map((name, i) => [name, cells[i]]),
      );
      if (drop(record)) dropped.push(Number(record.row));
      else writeSync(fd, stringify([cells]));
    }
  } finally {
    closeSync(fd);
  }
  if (dropped.length > 0) renameSync(tmp, path);
  else rmSync(tmp);
  return dropped;
}
