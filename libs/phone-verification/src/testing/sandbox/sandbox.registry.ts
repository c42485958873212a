/**
 * Fictional people the sandbox "knows", for trying real-looking flows: all
 * three elements match → 0; the phone is known but the name or ID differ → 1
 * (with the detailed mismatch); an unknown phone → -1. The ID numbers have
 * valid check characters; none belongs to a real person.
 */
export interface RegisteredPerson {
  readonly name: string;
  readonly phone: string;
  readonly idCard: string;
  readonly isp: string;
}

/** The fictional people of the sandbox's registry. */
export const REGISTERED_PEOPLE: readonly RegisteredPerson[] = [
  {
    name: '李雷',
    phone: '15000000001',
    idCard: '110101199003076632',
    isp: 'Mobile',
  },
  {
    name: '韩梅梅',
    phone: '15000000002',
    idCard: '440106198511230046',
    isp: 'China Unicom',
  },
  {
    name: '阿依古丽·买买提',
    phone: '15000000003',
    idCard: '650102199208153621',
    isp: '电信',
  },
  {
    name: '王小明',
    phone: '15000000004',
    idCard: '310104198805120019',
    isp: '移动',
  },
];

/** The registry by phone number. */
export const REGISTERED_BY_PHONE: ReadonlyMap<string, RegisteredPerson> =
  new Map(REGISTERED_PEOPLE.map((person) => [person.phone, person]));

/** The detailed-mode mismatch for a known phone, or null when all match. */
export function mismatchOf(
  person: RegisteredPerson,
  name: string,
  idCard: string,
): string | null {
  const nameOk = person.name === name;
  const idOk = person.idCard === idCard.toUpperCase();
  if (nameOk && idOk) return null;
  if (!nameOk && !idOk) return 'PhoneNameIdCardMismatch';
  return nameOk ? 'PhoneIdCardMismatch' : 'PhoneNameMismatch';
}
