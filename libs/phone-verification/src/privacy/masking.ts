import { MAINLAND_MOBILE, validateMobile } from '../validation/mobile.js';

/**
 * Masks a mobile number for display: `13812345678` → `138****5678`. A number
 * as a user typed it is normalised first, as `verify()` does
 * (`+86 138-1234-5678` → `138****5678`), so raw input can be passed as it is.
 * Too short to mask partially, everything is masked.
 */
export function maskPhone(phone: string): string {
  // A number as `verify()` normalised it has nothing to normalise again.
  const normalized = MAINLAND_MOBILE.test(phone)
    ? undefined
    : validateMobile(phone);
  const chars = [...(normalized?.valid ? normalized.value : phone)];
  if (chars.length < 8) return '*'.repeat(chars.length);
  return (
    chars.slice(0, 3).join('') +
    '*'.repeat(chars.length - 7) +
    chars.slice(-4).join('')
  );
}

/**
 * Masks a resident ID number for display, keeping the region code and the
 * last four characters: `11010519491231002X` → `110105********002X`.
 */
export function maskIdCard(idCard: string): string {
  const chars = [...idCard];
  if (chars.length < 12) return '*'.repeat(chars.length);
  return (
    chars.slice(0, 6).join('') +
    '*'.repeat(chars.length - 10) +
    chars.slice(-4).join('')
  );
}

/** Masks a name for display, keeping its first character: `张三` → `张*`. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}
