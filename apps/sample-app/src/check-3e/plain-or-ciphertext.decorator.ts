import {
  validateCiphertext,
  type ValidationOutcome,
} from '@app/phone-verification/validation';
import { registerDecorator } from 'class-validator';

function outcomeOf(
  wireName: string,
  validatePlain: (value: unknown) => ValidationOutcome,
  value: unknown,
  object: object,
): ValidationOutcome {
  const list = (object as { encrypt_list?: unknown }).encrypt_list;
  if (Array.isArray(list) && list.includes(wireName)) {
    return validateCiphertext(value);
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
