import type { ValidationOutcome } from '@app/phone-verification';
import { registerDecorator } from 'class-validator';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_CIPHERTEXT = 1024;

function outcomeOf(
  wireName: string,
  validatePlain: (value: unknown) => ValidationOutcome,
  value: unknown,
  object: object,
): ValidationOutcome {
  const list = (object as { encrypt_list?: unknown }).encrypt_list;
  if (Array.isArray(list) && list.includes(wireName)) {
    return typeof value === 'string' &&
      value.length <= MAX_CIPHERTEXT &&
      BASE64.test(value)
      ? { valid: true, value }
      : {
          valid: false,
          reason: 'is listed in encrypt_list but is not base64 ciphertext',
        };
  }
  return validatePlain(value);
}

/**
 * Validates a subject field with the library's rule, unless the body lists
 * it in `encrypt_list`: ciphertext cannot be checked, only its shape.
 * (class-validator's `@ValidateIf` would switch off every rule at once.)
 */
export function PlainOrCiphertext(
  wireName: string,
  validatePlain: (value: unknown) => ValidationOutcome,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'plainOrCiphertext',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value, args) =>
          outcomeOf(wireName, validatePlain, value, args?.object ?? {}).valid,
        defaultMessage: (args) => {
          const outcome = outcomeOf(
            wireName,
            validatePlain,
            args?.value,
            args?.object ?? {},
          );
          return `${args?.property ?? wireName} ${outcome.valid ? 'is invalid' : outcome.reason}`;
        },
      },
    });
  };
}
