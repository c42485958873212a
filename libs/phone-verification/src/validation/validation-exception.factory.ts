import type { ValidationError } from 'class-validator';
import {
  InvalidInputError,
  type FieldProblem,
} from '../errors/invalid-input.error.js';

function collect(
  errors: readonly ValidationError[],
  parent: string,
  into: FieldProblem[],
): void {
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      into.push({ field, message });
    }
    if (error.children?.length) collect(error.children, field, into);
  }
}

/**
 * An `exceptionFactory` for Nest's `ValidationPipe` that throws the library's
 * {@link InvalidInputError}, so the exception filter answers a bad body with
 * the same 400 as a bad `verify()` call. class-validator's messages name the
 * property and, with this library's decorators, never quote the value.
 *
 * @example new ValidationPipe({ exceptionFactory: invalidInputExceptionFactory })
 */
export function invalidInputExceptionFactory(
  errors: ValidationError[],
): InvalidInputError {
  const problems: FieldProblem[] = [];
  collect(errors, '', problems);
  return new InvalidInputError(problems);
}
