import { PhoneVerificationService } from '@app/phone-verification';
import { decodeCheck3eRequest } from '@app/phone-verification/wire';
import {
  Body,
  Controller,
  HttpCode,
  Post,
  UseInterceptors,
} from '@nestjs/common';
import { CallerId } from '../auth/caller-id.decorator.js';
import { requestContext } from '../logging/request-context.js';
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
import { Check3eRequestDto } from './check-3e-request.dto.js';
import { InputRejectionsInterceptor } from './input-rejections.interceptor.js';
import {
  Check3eResponseDto,
  ErrorResponseDto,
  toCheck3eResponse,
} from './check-3e-response.dto.js';

/** The three-elements check, AceData-compatible, in front of the library. */
@ApiTags('verification')
@ApiBearerAuth()
@Controller('identity/phone')
@UseInterceptors(InputRejectionsInterceptor)
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
    // decodeCheck3eRequest never drops encryption fields: an incomplete set
    // is rejected by the library rather than sent as plain text.
    const result = await this.verification.verify(
      decodeCheck3eRequest(body),
      // PHONE_VERIFICATION_DAILY_BUDGET_PER_KEY counts per caller key; the ledger
      // names the caller by its key's HMAC, never the key; the request's id
      // (the trace_id of an answer without AceData's) finds the call there.
      {
        budgetKey: callerId,
        caller: callerId,
        requestId: requestContext.getStore()?.requestId,
      },
    );
    return toCheck3eResponse(result);
  }
}
