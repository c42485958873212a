import {
  PhoneVerificationService,
  type EncryptableField,
  type VerifyMode,
} from '@app/phone-verification';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CallerId } from '../auth/caller-id.decorator.js';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiGatewayTimeoutResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  Check3eRequestDto,
  type EncryptableWireField,
  type VerifyModeWireValue,
} from './check-3e-request.dto.js';
import {
  Check3eResponseDto,
  ErrorResponseDto,
  toCheck3eResponse,
} from './check-3e-response.dto.js';

/** AceData's field names, as the library names them. */
const LIBRARY_FIELD_NAMES: Readonly<
  Record<EncryptableWireField, EncryptableField>
> = {
  name: 'name',
  phone: 'phone',
  id_card: 'idCard',
};

/** AceData's `verify_mode` values; the library speaks its own names. */
const VERIFY_MODES_BY_WIRE: Readonly<
  Record<`${VerifyModeWireValue}`, VerifyMode>
> = { '0': 'short', '1': 'detailed' };

/** The three-elements check, AceData-compatible, in front of the library. */
@ApiTags('verification')
@ApiBearerAuth()
@Controller('identity/phone')
export class Check3eController {
  constructor(private readonly verification: PhoneVerificationService) {}

  @Post('check-3e')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Verify that a name, mobile number and resident ID number belong together',
    description:
      'Same body and answer as AceData’s POST /identity/phone/check-3e. Every answer with a `result` is HTTP 200; `billed` says whether it was charged.',
  })
  @ApiOkResponse({ type: Check3eResponseDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'Invalid input; nothing was sent upstream',
  })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description: 'Missing or wrong API key',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description:
      'This key’s rate limit (`too_many_requests`), or a daily spend budget is spent (`budget_exhausted`, Retry-After until midnight China time)',
  })
  @ApiBadGatewayResponse({
    type: ErrorResponseDto,
    description: 'AceData answered with an error',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description:
      'AceData unreachable or rate limiting, or the budget store is unreachable (`budget_store_unavailable`)',
  })
  @ApiGatewayTimeoutResponse({
    type: ErrorResponseDto,
    description: 'AceData did not answer in time (may have been billed)',
  })
  async check(
    @Body() body: Check3eRequestDto,
    @CallerId() callerId: string | undefined,
  ): Promise<Check3eResponseDto> {
    const result = await this.verification.verify(
      {
        name: body.name,
        phone: body.phone,
        idCard: body.id_card,
        verifyMode:
          body.verify_mode === undefined
            ? undefined
            : VERIFY_MODES_BY_WIRE[`${body.verify_mode}`],
        // Never dropped when present: the library rejects an incomplete set
        // rather than sending ciphertext as if it were plain text.
        ...(body.encrypt_list === undefined
          ? {}
          : {
              encrypted: {
                fields: body.encrypt_list.map(
                  (field) => LIBRARY_FIELD_NAMES[field],
                ),
                ciphertextBlob: body.ciphertext_blob ?? '',
                iv: body.iv ?? '',
              },
            }),
      },
      // SAMPLE_APP_DAILY_BUDGET_PER_KEY counts per caller key.
      { budgetKey: callerId },
    );
    return toCheck3eResponse(result);
  }
}
