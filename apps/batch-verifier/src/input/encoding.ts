import { open } from 'node:fs/promises';
import { UnreadableInputError } from './unreadable-input.error.js';

/** The encodings the batch reads: UTF-8 or GB18030 (a superset of GBK and GB2312). */
export type InputEncoding = 'utf8' | 'gb18030';

/** What `--encoding` takes. */
export type EncodingChoice = InputEncoding | 'auto';

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const SAMPLE_BYTES = 256 * 1024;

/** True when the bytes start with UTF-8's byte order mark. */
export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return UTF8_BOM.every((b, i) => bytes[i] === b);
}

/**
 * Tells UTF-8 from GB18030 on a sample: Chinese text in GB18030 is almost
 * never valid UTF-8, while UTF-8 always is. A sample cut mid-character at its
 * end is allowed for.
 */
export function detectEncoding(sample: Uint8Array): InputEncoding {
  if (hasUtf8Bom(sample)) return 'utf8';
  let end = sample.length;
  // Drop a trailing, incomplete UTF-8 sequence (at most 3 bytes).
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back];
    if ((byte & 0xc0) !== 0x80) {
      if (byte >= 0xc0) end -= back;
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf8';
  } catch {
    return 'gb18030';
  }
}

/**
 * Text in UTF-8 or GB18030 never holds a NUL byte; a spreadsheet, an
 * archive or a UTF-16 export does. Throws naming the offset.
 */
export function refuseBinary(sample: Uint8Array): void {
  const nul = sample.indexOf(0);
  if (nul !== -1) {
    throw new UnreadableInputError(
      `it is not UTF-8 or GB18030 text (a NUL byte at offset ${nul}: a binary file such as .xlsx, or UTF-16); export it as CSV`,
    );
  }
}

/**
 * Reads the start of the file: refuses binary content, and resolves
 * `--encoding auto`.
 */
export async function resolveEncoding(
  path: string,
  choice: EncodingChoice,
): Promise<InputEncoding> {
  const file = await open(path, 'r');
  try {
    const sample = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await file.read(sample, 0, SAMPLE_BYTES, 0);
    const read = sample.subarray(0, bytesRead);
    refuseBinary(read);
    return choice === 'auto' ? detectEncoding(read) : choice;
  } finally {
    await file.close();
  }
}
