import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { UsageQueryDto } from './ledger-requests.dto.js';

/** The fields a query is refused for. */
const refused = (query: object) =>
  validateSync(plainToInstance(UsageQueryDto, query)).map((e) => e.property);

describe('UsageQueryDto (an operator’s report query)', () => {
  it.each([
    [{ from: '2026-02-30', to: '2026-03-01' }, ['from']],
    [{ from: '2026-02-28', to: '2026-02-29' }, ['to']],
    [{ from: '0000-01-01', to: '2026-03-01' }, ['from']],
    [{ from: '2026-01-01', to: '3000-01-01' }, ['to']],
    [{ from: '2026-13-01', to: '2026-12-31' }, ['from']],
    [{ from: '2026-01-01', to: '2026-01-02', caller: 'a\u0000b' }, ['caller']],
    [
      { from: '2026-01-01', to: '2026-01-02', caller: 'line\nbreak' },
      ['caller'],
    ],
  ])('%j is refused naming %j', (query, fields) => {
    expect(refused(query)).toEqual(fields);
  });

  it.each([
    { from: '2024-02-29', to: '2024-03-01' },
    { from: '2000-01-01', to: '2999-12-31', caller: 'tenant-a 名' },
  ])('%j is a report it reads', (query) => {
    expect(refused(query)).toEqual([]);
  });
});
