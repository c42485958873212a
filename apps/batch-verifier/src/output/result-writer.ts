import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { ResultRow } from './result-row.js';

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
 * Chinese correctly), each with its own write to the file: a crash loses
 * nothing already answered. The header is written once, for a new file.
 */
export class ResultWriter {
  private readonly fd: number;

  constructor(
    path: string,
    private readonly layout: OutputLayout,
  ) {
    const fresh = !existsSync(path) || statSync(path).size === 0;
    this.fd = openSync(path, 'a');
    if (fresh) {
      writeSync(this.fd, `\uFEFF${stringify([outputHeader(layout)])}`);
    }
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
    writeSync(this.fd, stringify([cells]));
  }

  close(): void {
    closeSync(this.fd);
  }
}
