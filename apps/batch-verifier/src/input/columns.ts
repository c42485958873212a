/** Which input columns hold the subject (and the id carried through). */
export interface ColumnChoice {
  readonly name?: string;
  readonly phone?: string;
  readonly idCard?: string;
  readonly id?: string;
}

/** Column positions, found in the header row. */
export interface ColumnMap {
  readonly name: number;
  readonly phone: number;
  readonly idCard: number;
  readonly id?: number;
}

/** Header names recognised without options, English and Chinese. */
const ALIASES: Readonly<
  Record<'name' | 'phone' | 'idCard', readonly string[]>
> = {
  name: ['name', 'full_name', 'fullname', '姓名', '名字', '真实姓名'],
  phone: [
    'phone',
    'mobile',
    'phone_number',
    'mobile_number',
    '手机号',
    '手机号码',
    '手机',
    '电话',
    '联系电话',
  ],
  idCard: [
    'id_card',
    'idcard',
    'id_number',
    'id_no',
    '身份证号',
    '身份证',
    '身份证号码',
    '证件号码',
    '证件号',
  ],
};

const normalize = (header: string): string =>
  header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Thrown when the header lacks a column the run needs; names it. */
export class MissingColumnError extends Error {}

/** Finds the columns in the header row, by the names given or the aliases. */
export function mapColumns(
  header: readonly string[],
  choice: ColumnChoice,
): ColumnMap {
  const names = header.map(normalize);
  const find = (field: 'name' | 'phone' | 'idCard', option: string): number => {
    const wanted = choice[field];
    const candidates = wanted ? [normalize(wanted)] : ALIASES[field];
    const index = names.findIndex((n) => candidates.includes(n));
    if (index === -1) {
      throw new MissingColumnError(
        wanted
          ? `no column "${wanted}" in the header (${option})`
          : `no ${field === 'idCard' ? 'ID number' : field} column in the header: name it ${ALIASES[field].slice(0, 3).join(', ')}…, or pass ${option}`,
      );
    }
    return index;
  };
  const map: ColumnMap = {
    name: find('name', '--name-column'),
    phone: find('phone', '--phone-column'),
    idCard: find('idCard', '--id-card-column'),
  };
  if (choice.id === undefined) return map;
  const id = names.indexOf(normalize(choice.id));
  if (id === -1) {
    throw new MissingColumnError(
      `no column "${choice.id}" in the header (--id-column)`,
    );
  }
  return { ...map, id };
}
