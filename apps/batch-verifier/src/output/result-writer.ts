import { closeSync, existsSync, fstatSync, openSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { ResultRow } from './result-row.js';
import {
  cutTornLastLine,
  fileSizeLimit,
  isNoRoom,
  SpaceReserve,
  writeWhole,
} from './whole-writes.js';

/** The output's disk is full: the run stops; the rows answered so far are written. */
export class OutputDiskFullError extends Error {
  readonly code = 'ENOSPC';
  constructor(readonly path: string) {
    super(`no room left to write ${path}`);
    this.name = 'OutputDiskFullError';
  }
}

/**
 * The output reached the process's file size limit (`ulimit -f`), less the
 * room kept for the calls in flight: the run stops; their rows are written.
 */
export class OutputFileTooLargeError extends Error {
  readonly code = 'EFBIG';
  constructor(readonly path: string) {
    super(`${path} reached the file size limit`);
    this.name = 'OutputFileTooLargeError';
  }
}

/** Room kept per call in flight for its row (a row with the raw input included fits). */
const RESERVE_PER_CALL = 4 * 1024;

/** How the output's columns are laid out. */
export interface OutputLayout {
  /** The input column carried through (`--id-column`), by its name. */
  readonly idColumn?: string;
  /** Write the raw name, phone and ID number (`--include-input`). */
  readonly includeInput: boolean;
}

/** Characters that make a spreadsheet treat a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell from the input file (the id carried through, the raw fields),
 * escaped so that Excel, LibreOffice or Sheets show it as text instead of
 * running it (CSV injection): a leading `=`, `+`, `-`, `@`, tab or carriage
 * return gets a `'` in front, as OWASP advises. Only input cells: the
 * verifier's own columns hold codes such as `-1` that must stay as they are
 * (csv-stringify's `escape_formulas` applies to every cell, so it is not
 * used here).
 */
export function spreadsheetSafe(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The columns the verifier writes, besides the id carried through. */
export const OUTPUT_COLUMNS = [
  'row',
  'status',
  'code',
  'billed',
  'cached',
  'carrier',
  'detail',
  'error',
  'may_have_billed',
  'duplicate_of',
  'phone_masked',
  'name',
  'phone',
  'id_card',
] as const;

/**
 * The output name of the id column carried through: the input's name, or
 * `input_<name>` when that is one of the verifier's own columns (in any
 * case), so reading the output back (a resume) never mistakes one for the
 * other.
 */
export function idHeaderOf(idColumn: string): string {
  const taken = (OUTPUT_COLUMNS as readonly string[]).includes(
    idColumn.trim().toLowerCase(),
  );
  return taken ? `input_${idColumn}` : idColumn;
}

/** The output's header for a layout. */
export function outputHeader(layout: OutputLayout): string[] {
  const [row, ...results] = OUTPUT_COLUMNS.slice(0, 11);
  return [
    row,
    ...(layout.idColumn ? [idHeaderOf(layout.idColumn)] : []),
    ...results,
    ...(layout.includeInput ? OUTPUT_COLUMNS.slice(11) : []),
  ];
}

/**
 * Appends result rows to the output CSV (UTF-8 with a BOM, so Excel reads
 * Chinese correctly), each row whole, with its own write: a crash loses
 * nothing already answered. The header is written once, for a new file; a
 * torn last line (a full disk, a kill mid-write) is cut before appending.
 *
 * A disk that fills up must not lose rows already paid for: room for the
 * calls in flight is kept in a reserve file beside the output, freed when a
 * write finds no room; that row and the ones still in flight are then
 * written, and `OutputDiskFullError` stops the run. A file size limit
 * (`ulimit -f`) is met the same way: once the output comes within the room of
 * the calls in flight of it, the row is written and `OutputFileTooLargeError`
 * stops the run; the rows in flight still fit under the limit.
 */
export class ResultWriter {
  private readonly fd: number;
  private readonly reserve: SpaceReserve;
  private full = false;
  private tooLarge = false;
  /** Bytes in the output. */
  private size: number;
  /** The largest the output may grow before the run stops taking rows. */
  private readonly sizeCeiling: number;

  constructor(
    private readonly path: string,
    private readonly layout: OutputLayout,
    concurrency = 8,
  ) {
    const fresh = !existsSync(path) || statSync(path).size === 0;
    // Read and append: a torn last line is looked for, then appended after.
    this.fd = openSync(path, 'a+');
    cutTornLastLine(this.fd);
    this.size = fstatSync(this.fd).size;
    this.sizeCeiling = fileSizeLimit() - RESERVE_PER_CALL * concurrency;
    this.reserve = new SpaceReserve(
      join(dirname(path), `.${basename(path)}.reserve`),
      RESERVE_PER_CALL * concurrency,
    );
    if (fresh) this.append(`\uFEFF${stringify([outputHeader(layout)])}`);
  }

  write(result: ResultRow): void {
    const { answer } = result;
    const cells = [
      String(result.row),
      ...(this.layout.idColumn ? [spreadsheetSafe(result.id ?? '')] : []),
      answer.status,
      answer.code,
      String(result.billed),
      String(result.cached),
      answer.carrier,
      answer.detail,
      answer.error,
      String(answer.mayHaveBilled),
      result.duplicateOf === undefined ? '' : String(result.duplicateOf),
      result.phoneMasked,
      ...(this.layout.includeInput
        ? [
            spreadsheetSafe(result.input?.name ?? ''),
            spreadsheetSafe(result.input?.phone ?? ''),
            spreadsheetSafe(result.input?.idCard ?? ''),
          ]
        : []),
    ];
    this.append(stringify([cells]));
  }

  close(): void {
    closeSync(this.fd);
    this.reserve.release();
  }

  /** Writes one whole line; on a full disk, frees the reserve and tries once more. */
  private append(line: string): void {
    try {
      writeWhole(this.fd, line, this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EFBIG') {
        cutTornLastLine(this.fd);
        throw new OutputFileTooLargeError(this.path);
      }
      if (!isNoRoom(error) || !this.reserve.release()) throw error;
      cutTornLastLine(this.fd);
      writeWhole(this.fd, line, this.path);
      this.full = true;
    }
    this.size += Buffer.byteLength(line);
    if (this.size > this.sizeCeiling) this.tooLarge = true;
    // Written: now stop taking rows (those in flight still fit).
    if (this.full) throw new OutputDiskFullError(this.path);
    if (this.tooLarge) throw new OutputFileTooLargeError(this.path);
  }
}
