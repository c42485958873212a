import { fileSizeLimit } from './whole-writes.js';

const limits = (soft: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units',
    'Max cpu time              unlimited            unlimited            seconds',
    `Max file size             ${soft.padEnd(21)}unlimited            bytes`,
  ].join('\n');

describe('fileSizeLimit', () => {
  it('reads the soft limit from /proc/self/limits', () => {
    expect(fileSizeLimit(() => limits('16384'))).toBe(16_384);
  });

  it('is Infinity when unlimited, or when the limits cannot be read', () => {
    expect(fileSizeLimit(() => limits('unlimited'))).toBe(Infinity);
    expect(
      fileSizeLimit(() => {
        throw new Error('ENOENT');
      }),
    ).toBe(Infinity);
  });
});
