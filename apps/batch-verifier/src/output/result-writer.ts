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

/** The output's header for a layout. */
export function outputHeader(layout: OutputLayout): string[] {
  return [
    'row',
    ...(layout.idColumn ? [layout.idColumn] : []),
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
    ...(layout.includeInput ? ['name', 'phone', 'id_card'] : []),
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
      ...(this.layout.idColumn ? [result.id ?? ''] : []),
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
            result.input?.name ?? '',
            result.input?.phone ?? '',
            result.input?.idCard ?? '',
          ]
        : []),
    ];
    writeSync(this.fd, stringify([cells]));
  }

  close(): void {
    closeSync(this.fd);
  }
}
