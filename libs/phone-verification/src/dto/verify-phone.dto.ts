import { IsIn, IsOptional } from 'class-validator';
import {
  IsChineseIdCard,
  IsChineseMobile,
  IsPersonName,
} from '../validation/validation.decorators.js';
import {
  VERIFY_MODES,
  type PhoneVerificationRequest,
  type VerifyMode,
} from './phone-verification-request.js';

/**
 * A request body for a controller in front of `verify()`, validated at the
 * edge by `ValidationPipe` with the same rules the service applies again.
 */
export class VerifyPhoneDto implements PhoneVerificationRequest {
  @IsPersonName()
  name: string;

  @IsChineseMobile()
  phone: string;

  @IsChineseIdCard()
  idCard: string;

  @IsOptional()
  @IsIn(VERIFY_MODES, {
    message: `verifyMode must be one of: ${VERIFY_MODES.join(', ')}`,
  })
  verifyMode?: VerifyMode;
}
