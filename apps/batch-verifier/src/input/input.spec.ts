import iconv from 'iconv-lite';
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
