import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import type { InputEncoding } from './encoding.js';
import { UnreadableInputError } from './unreadable-input.error.js';

/** The header, one data row, or a line that could not be read as CSV. */
export type InputLine =
  | { readonly header: readonly string[] }
  | { readonly row: number; readonly fields: readonly string[] }
  | { readonly row: number; readonly malformed: string };

function problemOf(error: unknown): string {
  const code = error instanceof CsvError ? error.code : '';
  if (code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_INVALID_CLOSING_QUOTE')
    return 'unbalanced quote';
  return 'not valid CSV';
}

/**
 * The longest line read: three fields and an id fit in a few hundred
 * characters, so 4096 is plenty. A longer line is a malformed row, read past
 * without ever holding it whole (a 200 MB field must not exhaust the heap,
 * nor block the event loop while calls are in flight).
 */
export const MAX_LINE_CHARS = 4096;

/** Stands for a line longer than `MAX_LINE_CHARS`. */
const TOO_LONG = Symbol('line too long');

/** Splits text into lines (`\n` or `\r\n`), never holding more than `max` characters of one. */
async function* cappedLines(
  text: AsyncIterable<string>,
  max: number,
): AsyncGenerator<string | typeof TOO_LONG> {
  let current = '';
  let overflow = false;
  let pending = false;
  const end = (): string | typeof TOO_LONG =>
    overflow ? TOO_LONG : current.replace(/\r$/, '');
  for await (const chunk of text) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      const piece = chunk.slice(start, newline === -1 ? undefined : newline);
      if (!overflow && current.length + piece.length > max) {
        overflow = true;
        current = '';
      } else if (!overflow) {
        current += piece;
      }
      pending = true;
      if (newline === -1) break;
      yield end();
      current = '';
      overflow = false;
      pending = false;
      start = newline + 1;
    }
  }
  if (pending && (overflow || current !== '')) yield end();
}

/**
 * Streams the input: the header, then each data row numbered from 1, one
 * line at a time (memory stays flat). GB18030 is decoded when asked and a
 * UTF-8 byte order mark is dropped. Each line is parsed as CSV on its own,
 * since no field of ours holds a line break: a malformed line (an
 * unbalanced quote, a wrong number of columns) is yielded as such and
 * reading goes on, instead of swallowing the rest of the file. So is a line
 * longer than `MAX_LINE_CHARS`.
 */
export async function* readCsv(
  path: string,
  encoding: InputEncoding,
): AsyncGenerator<InputLine> {
  const bytes = createReadStream(path);
  const text =
    encoding === 'gb18030'
      ? bytes.pipe(iconv.decodeStream('gb18030'))
      : bytes.setEncoding('utf8');
  let columns: number | undefined;
  let row = 0;
  for await (const raw of cappedLines(
    text as AsyncIterable<string>,
    MAX_LINE_CHARS,
  )) {
    if (raw === TOO_LONG) {
      if (columns === undefined) {
        throw new UnreadableInputError(
          `the header row is longer than ${MAX_LINE_CHARS} characters`,
        );
      }
      yield {
        row: ++row,
        malformed: `line longer than ${MAX_LINE_CHARS} characters`,
      };
      continue;
    }
    const line = columns === undefined ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    let fields: string[];
    try {
      [fields] = parse(line, { trim: true }) as string[][];
    } catch (error) {
      if (columns === undefined)
        throw new UnreadableInputError(
          `the header row cannot be read as CSV (${problemOf(error)})`,
        );
      yield { row: ++row, malformed: problemOf(error) };
      continue;
    }
    if (columns === undefined) {
      columns = fields.length;
      yield { header: fields };
    } else if (fields.length !== columns) {
      yield { row: ++row, malformed: 'wrong number of columns' };
    } else {
      yield { row: ++row, fields };
    }
  }
}

/** Counts the data rows (non-empty lines after the header), for progress. */
export async function countRows(path: string): Promise<number> {
  let lines = 0;
  let blank = true;
  let pendingContent = false;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) {
      if (byte === 0x0a) {
        if (!blank) lines++;
        blank = true;
        pendingContent = false;
      } else if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) {
        blank = false;
        pendingContent = true;
      }
    }
  }
  if (pendingContent) lines++;
  return Math.max(0, lines - 1);
}
