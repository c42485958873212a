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
 * Drops the `uncertain` rows from the output (`--retry-uncertain`), so they
 * are verified again and each input row keeps one output row. The file is
 * replaced atomically.
 */
export async function dropUncertainRows(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  const parser = createReadStream(path).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true }),
  );
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let status = -1;
  let dropped = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (status === -1) {
        status = record.indexOf('status');
        writeSync(fd, `\uFEFF${stringify([record])}`);
      } else if (record[status] === 'uncertain') dropped++;
      else writeSync(fd, stringify([record]));
    }
  } finally {
    closeSync(fd);
  }
  if (dropped > 0) renameSync(tmp, path);
  else rmSync(tmp);
  return dropped;
}
