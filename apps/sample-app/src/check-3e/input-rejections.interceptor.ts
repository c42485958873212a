import {
  InvalidInputError,
  PHONE_VERIFICATION_LEDGER,
  type UsageLedger,
} from '@app/phone-verification';
import {
  BadRequestException,
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';
import { CALLER_ID } from '../auth/caller-id.decorator.js';

/**
 * Counts the verification requests refused for their input (the body's
 * pipes or the library's own validation: nothing was sent upstream) against
 * the caller and China day on the ledger, so an operator sees a client
 * sending junk. Only a count: nothing of the request is kept.
 */
@Injectable()
export class InputRejectionsInterceptor implements NestInterceptor {
  constructor(
    @Inject(PHONE_VERIFICATION_LEDGER)
    private readonly ledger: UsageLedger | null,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (
          error instanceof InvalidInputError ||
          error instanceof BadRequestException
        ) {
          const request = context
            .switchToHttp()
            .getRequest<{ [CALLER_ID]?: string }>();
          this.ledger?.rejected(request[CALLER_ID]);
        }
        return throwError(() => error);
      }),
    );
  }
}
