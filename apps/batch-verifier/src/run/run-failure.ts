import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UnreadableInputError } from '../input/unreadable-input.error.js';
import { isNoRoom } from '../output/whole-writes.js';

/** Exit codes of `verify:batch` for the files it cannot use. */
export const EXIT_INPUT_UNREADABLE = 5;
export const EXIT_OUTPUT_UNWRITABLE = 6;

/** A file the run cannot use: one line for the operator, and its exit code. */
export interface RunFailure {
  readonly message: string;
  readonly exitCode: number;
}

const CAUSES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'it reached the file size limit (ulimit -f)',
  EMFILE: 'too many open files',
};

/**
 * Checks, before anything is sent, that the input is a readable file and
 * that the output can be a file: a missing input or an output that names a
 * folder is one line and an exit code, not a stack trace.
 */
export function checkFiles(input: string, out: string): RunFailure | undefined {
  try {
    if (!statSync(input).isFile()) {
      return unreadable(input, CAUSES.EISDIR);
    }
  } catch (error) {
    return unreadable(input, causeOf(error));
  }
  try {
    if (statSync(out).isDirectory()) return unwritable(out, CAUSES.EISDIR);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return unwritable(out, causeOf(error));
    }
    try {
      if (!statSync(dirname(out)).isDirectory()) {
        return unwritable(out, CAUSES.ENOTDIR);
      }
    } catch (parent) {
      return unwritable(out, causeOf(parent));
    }
  }
  return undefined;
}

/**
 * What a file error met mid-run means (a file-system error, or an input
 * that is not a CSV), naming the file and the cause (never a field of the
 * data); `undefined` for anything else.
 */
export function describeFileError(
  error: unknown,
  input: string,
): RunFailure | undefined {
  if (error instanceof UnreadableInputError) {
    return unreadable(input, error.reason);
  }
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !(code in CAUSES)) return undefined;
  const file = path ?? 'a file';
  const failure =
    path === input
      ? unreadable(file, CAUSES[code])
      : unwritable(file, CAUSES[code]);
  const resumable =
    code === 'EFBIG'
      ? ' Rows answered so far are in the output: raise the limit (ulimit -f) and rerun the same command to resume.'
      : isNoRoom(error)
        ? ' Rows answered so far are in the output: free some space and rerun the same command to resume.'
        : '';
  return { ...failure, message: `${failure.message}${resumable}` };
}

function causeOf(error: unknown): string {
  const { code } = (error ?? {}) as NodeJS.ErrnoException;
  return (code && CAUSES[code]) ?? `${code ?? 'unknown error'}`;
}

function unreadable(path: string, cause: string): RunFailure {
  return {
    message: `Cannot read ${path}: ${cause}.`,
    exitCode: EXIT_INPUT_UNREADABLE,
  };
}

function unwritable(path: string, cause: string): RunFailure {
  return {
    message: `Cannot write ${path}: ${cause}.`,
    exitCode: EXIT_OUTPUT_UNWRITABLE,
  };
}
