import { describeFileError, EXIT_OUTPUT_UNWRITABLE } from './run-failure.js';

const errnoError = (code: string, path: string) =>
  Object.assign(new Error(`${code}: something, write '${path}'`), {
    code,
    path,
  });

describe('describeFileError', () => {
  it('a full disk names the output, the cause and how to resume', () => {
    expect(
      describeFileError(errnoError('ENOSPC', '/data/out.csv'), '/data/in.csv'),
    ).toEqual({
      message:
        'Cannot write /data/out.csv: the disk is full. Rows answered so far are in the output: free some space and rerun the same command to resume.',
      exitCode: EXIT_OUTPUT_UNWRITABLE,
    });
  });

  it('an unreadable input is the input exit code', () => {
    expect(
      describeFileError(errnoError('EACCES', '/data/in.csv'), '/data/in.csv'),
    ).toMatchObject({
      message: 'Cannot read /data/in.csv: permission denied.',
      exitCode: 5,
    });
  });

  it('anything that is not a file-system error is left to the caller', () => {
    expect(describeFileError(new Error('boom'), '/in.csv')).toBeUndefined();
    expect(describeFileError(undefined, '/in.csv')).toBeUndefined();
  });
});
