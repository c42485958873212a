import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { MAX_LINE_CHARS, readCsv, type InputLine } from './csv-input.js';
import { MissingColumnError, mapColumns } from './columns.js';
import { detectEncoding } from './encoding.js';

describe('detectEncoding', () => {
  it.each([
    ['UTF-8 Chinese', Buffer.from('姓名,手机号\n张三,138', 'utf8'), 'utf8'],
    ['UTF-8 with a BOM', Buffer.from('\uFEFFname,phone', 'utf8'), 'utf8'],
    ['ASCII', Buffer.from('name,phone\n', 'utf8'), 'utf8'],
    [
      'GB18030 Chinese',
      iconv.encode('姓名,手机号\n张三,阿依古丽·买买提', 'gb18030'),
      'gb18030',
    ],
  ])('%s → %s', (_label, bytes, expected) => {
    expect(detectEncoding(bytes)).toBe(expected);
  });

  it('allows a UTF-8 sample cut in the middle of a character', () => {
    const bytes = Buffer.from('姓名张三', 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1))).toBe('utf8');
  });
});

describe('mapColumns', () => {
  it.each([
    [['name', 'phone', 'id_card'], { name: 0, phone: 1, idCard: 2 }],
    [['user', '姓名', '手机号码', '身份证'], { name: 1, phone: 2, idCard: 3 }],
    [['\uFEFF姓名', ' 手机号 ', '身份证号'], { name: 0, phone: 1, idCard: 2 }],
  ])('finds %j', (header, expected) => {
    expect(mapColumns(header, {})).toEqual(expected);
  });

  it('takes the columns it is told, and the id column', () => {
    expect(
      mapColumns(['uid', 'who', 'tel', 'doc'], {
        name: 'who',
        phone: 'tel',
        idCard: 'doc',
        id: 'uid',
      }),
    ).toEqual({ name: 1, phone: 2, idCard: 3, id: 0 });
  });

  it('names what is missing', () => {
    expect(() => mapColumns(['name', 'phone'], {})).toThrow(MissingColumnError);
    expect(() => mapColumns(['name', 'phone'], {})).toThrow(
      /ID number column.*--id-card-column/,
    );
  });
});

/** Reads a CSV text written to a file, as the batch does. */
const read = async (text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-input-'));
  const path = join(dir, 'in.csv');
  writeFileSync(path, text);
  const lines: InputLine[] = [];
  for await (const line of readCsv(path, 'utf8')) lines.push(line);
  return lines;
};

describe('readCsv', () => {
  it('reads CRLF and LF lines alike, the last one without a newline too', async () => {
    expect(await read('a,b\r\n1,2\n3,4')).toEqual([
      { header: ['a', 'b'] },
      { row: 1, fields: ['1', '2'] },
      { row: 2, fields: ['3', '4'] },
    ]);
  });

  it('a line longer than the cap is a malformed row, and the next lines are read', async () => {
    const huge = 'x'.repeat(MAX_LINE_CHARS * 50);
    expect(await read(`a,b\n1,2\n${huge},3\n4,5\n`)).toEqual([
      { header: ['a', 'b'] },
      { row: 1, fields: ['1', '2'] },
      { row: 2, malformed: `line longer than ${MAX_LINE_CHARS} characters` },
      { row: 3, fields: ['4', '5'] },
    ]);
  });

  it('a line of exactly the cap is read', async () => {
    const full = `${'y'.repeat(MAX_LINE_CHARS - 2)},z`;
    const lines = await read(`a,b\n${full}\n`);
    expect(lines[1]).toEqual({
      row: 1,
      fields: ['y'.repeat(MAX_LINE_CHARS - 2), 'z'],
    });
  });
});
