import { registerDecorator, type ValidationOptions } from 'class-validator';
import { validateIdCard } from './id-card.js';
import { validateIv } from './iv.js';
import { validateMobile } from './mobile.js';
import { validatePersonName } from './person-name.js';
import type { ValidationOutcome } from './validation-outcome.js';

function fromValidator(
  decoratorName: string,
  validate: (value: unknown) => ValidationOutcome,
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: decoratorName,
      target: target.constructor,
      propertyName: propertyName as string,
      options: validationOptions,
      validator: {
        validate: (value: unknown) => validate(value).valid,
        // The reason never quotes the value, so the message is safe to log.
        defaultMessage: (args) => {
          const outcome = validate(args?.value);
          const reason = outcome.valid ? 'is invalid' : outcome.reason;
          return `${args?.property ?? String(propertyName)} ${reason}`;
        },
      },
    });
  };
}

/** Checks a mainland-China resident ID number (see `validateIdCard`). */
export function IsChineseIdCard(
  options?: ValidationOptions,
): PropertyDecorator {
  return fromValidator('isChineseIdCard', (v) => validateIdCard(v), options);
}

/** Checks a mainland-China mobile number (see `validateMobile`). */
export function IsChineseMobile(
  options?: ValidationOptions,
): PropertyDecorator {
  return fromValidator('isChineseMobile', validateMobile, options);
}

/** Checks a person's registered name (see `validatePersonName`). */
export function IsPersonName(options?: ValidationOptions): PropertyDecorator {
  return fromValidator('isPersonName', validatePersonName, options);
}

/** Checks an encryption IV: 16 printable ASCII characters (see `validateIv`). */
export function IsEncryptionIv(options?: ValidationOptions): PropertyDecorator {
  return fromValidator('isEncryptionIv', validateIv, options);
}
