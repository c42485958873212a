import {
  CARRIERS,
  PHONE_VERIFICATION_STATUSES,
  chargedForThisCall,
  mayHaveChargedThisCall,
  type PhoneVerificationResult,
} from '@app/phone-verification';
import {
  encodeCheck3eResult,
  type Check3eWireResponse,
} from '@app/phone-verification/wire';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * AceData's answer shape (`result` as a string code, `description`, `isp`,
 * `result_detail`) plus the library's readable fields.
 */
export class Check3eResponseDto implements Check3eWireResponse {
  @ApiProperty({
    description:
      'Result code as a string: "0" consistent, "1" inconsistent, "-1"…"-6" not billed',
    example: '0',
  })
  result: string;

  @ApiProperty({ example: 'Authentication passed' })
  description: string;

  @ApiProperty({
    description: 'The carrier as AceData spelled it',
    example: 'Mobile',
  })
  isp: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Which elements mismatched (detailed mode)',
    example: null,
  })
  result_detail: string | null;

  @ApiProperty({
    example: 'consistent',
    enum: PHONE_VERIFICATION_STATUSES,
  })
  status: PhoneVerificationResult['status'];

  @ApiProperty({
    description:
      'Whether this request was charged: a code 0 or 1 fetched from AceData for it (false when answered from the cache or shared with an identical request in flight)',
    example: true,
  })
  billed: boolean;

  @ApiProperty({
    description:
      'Whether this request may have been charged: a code whose billing is unsettled (-4 by default, until reconciliation settles it), fetched from AceData for it',
    example: false,
  })
  may_have_billed: boolean;

  @ApiProperty({
    description:
      'Answered without a call of its own: from the result cache, or shared with an identical request in flight',
    example: false,
  })
  cached: boolean;

  @ApiProperty({
    example: 'china_mobile',
    enum: CARRIERS,
  })
  carrier: PhoneVerificationResult['carrier'];

  @ApiPropertyOptional({ description: 'AceData’s trace id, when it sent one' })
  trace_id?: string;
}

/** Maps the library's result to the AceData-compatible answer. */
export function toCheck3eResponse(
  result: PhoneVerificationResult,
): Check3eResponseDto {
  return {
    ...encodeCheck3eResult(result),
    status: result.status,
    billed: chargedForThisCall(result),
    may_have_billed: mayHaveChargedThisCall(result),
    cached: result.fromCache || result.shared,
    carrier: result.carrier,
  };
}

class ErrorBodyDto {
  @ApiProperty({ example: 'invalid_input' })
  code: string;
  @ApiProperty({
    example: 'id_card has a check character (the 18th) that does not match',
  })
  message: string;
  @ApiPropertyOptional({ type: [String], example: ['id_card'] })
  fields?: string[];
  @ApiProperty({
    description:
      'Whether the failed call may have been charged (a timeout or a connection lost after sending): do not repeat it blindly',
    example: false,
  })
  may_have_billed: boolean;
}

/** AceData's error shape, which every error of this app answers in. */
export class ErrorResponseDto {
  @ApiProperty({ example: false })
  success: false;
  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
  @ApiProperty({ example: '2cf86e86-22a4-46e1-ac2f-032c0f2a4e89' })
  trace_id: string;
}
