import { PHONE_VERIFICATION_STATUSES } from '@app/phone-verification';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsCallerFilter, IsLedgerDay } from '../ledger/ledger-requests.dto.js';

/** What `status` may say: a result's, `error`, or `sent` (not completed). */
export const FILTER_STATUSES = [
  ...PHONE_VERIFICATION_STATUSES,
  'error',
  'sent',
] as const;

/**
 * `GET /board/verifications`'s query: the newest, filtered (the filters
 * combine), a page at a time.
 */
export class RecentVerificationsQueryDto {
  @ApiPropertyOptional({ description: 'How many, newest first', default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be from 1 to 500' })
  @Max(500, { message: 'limit must be from 1 to 500' })
  limit?: number;

  @ApiPropertyOptional({
    description: "AceData's trace_id of one verification",
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\w.:-]{1,128}$/, {
    message: 'trace_id must be a trace id (letters, digits, . : _ -)',
  })
  trace_id?: string;

  @ApiPropertyOptional({
    description:
      'Those whose trace_id starts with this (what a caller quotes, or its start)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\w.:-]{1,128}$/, {
    message:
      'trace_id_prefix must be the start of a trace id (letters, digits, . : _ -)',
  })
  trace_id_prefix?: string;

  @ApiPropertyOptional({ enum: FILTER_STATUSES })
  @IsOptional()
  @IsIn(FILTER_STATUSES, {
    message: `status must be one of ${FILTER_STATUSES.join(', ')}`,
  })
  status?: string;

  @IsCallerFilter(
    'One caller: its name (name=key in SAMPLE_APP_API_KEYS) or its id',
  )
  caller?: string;

  @ApiPropertyOptional({
    description: 'From this China day',
    example: '2026-12-01',
  })
  @IsOptional()
  @IsLedgerDay('from')
  from?: string;

  @ApiPropertyOptional({ description: 'To this China day, included' })
  @IsOptional()
  @IsLedgerDay('to')
  to?: string;

  @ApiPropertyOptional({
    description: 'Which page of `limit` rows, from 1',
    default: 1,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be from 1 to 1000' })
  @Max(1000, { message: 'page must be from 1 to 1000' })
  page?: number;
}
