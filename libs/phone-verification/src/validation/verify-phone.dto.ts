import { IsIn, IsOptional } from 'class-validator';
import {
  IsChineseIdCard,
  IsChineseMobile,
  IsPersonName,
} from './validation.decorators.js';
import {
  VERIFY_MODE_INPUTS,
  type PhoneVerificationRequest,
  type VerifyModeInput,
} from '../dto/phone-verification-request.js';

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
  @IsIn(VERIFY_MODE_INPUTS, {
    message: `verifyMode must be one of: ${VERIFY_MODE_INPUTS.join(', ')}`,
  })
  verifyMode?: VerifyModeInput;
}
