import { TEST_ID_CARD, TEST_NAME } from '@app/phone-verification/sandbox';
import {
  IsChineseIdCard,
  IsChineseMobile,
  IsPersonName,
  isCalendarDay,
} from '@app/phone-verification/validation';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
} from 'class-validator';

/**
 * An operator's `caller` filter: optional, a caller's name or id of 64
 * characters at most, no control characters (they would reach the logs).
 */
export function IsCallerFilter(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description }),
    IsOptional(),
    IsString(),
    MaxLength(64),
    // oxlint-disable-next-line no-control-regex
    Matches(/^[^\u0000-\u001f\u007f]*$/, {
      message: 'caller must not hold control characters',
    }),
  );
}

/** A day on the calendar (not 2026-02-30), `YYYY-MM-DD`, of the years 2000 to 2999. */
export function isLedgerDay(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    isCalendarDay(value) &&
    value >= '2000-01-01' &&
    value <= '2999-12-31'
  );
}

/** `field` must be a China day the ledger can hold. */
export function IsLedgerDay(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'isLedgerDay',
    validator: {
      validate: isLedgerDay,
      defaultMessage: () =>
        `${field} must be a day on the calendar, YYYY-MM-DD, from 2000-01-01 to 2999-12-31`,
    },
  });
}

/**
 * The longest range one `GET /usage` reads: a year, leap day included.
 * Reports are read one at a time, so a longer one would hold the board's
 * and the others' up; the ledger CLI, a process of its own, has no limit.
 */
export const MAX_USAGE_DAYS = 366;

/** What is wrong with a range of valid days, naming `to`; none when it is right. */
export function usageRangeProblem(
  from: string,
  to: string,
  maxDays = Number.POSITIVE_INFINITY,
): string | undefined {
  if (to < from) return 'to must not be before from';
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days > maxDays) {
    return `to must be at most ${maxDays} days from from, both included (ask for a longer range a year at a time, or use the ledger CLI)`;
  }
  return undefined;
}

/** `GET /usage`'s query: a range of China days, and optionally one caller. */
export class UsageQueryDto {
  @ApiProperty({ description: 'First China day', example: '2026-12-01' })
  @IsLedgerDay('from')
  from: string;

  @ApiProperty({
    description: 'Last China day, included',
    example: '2026-12-31',
  })
  @IsLedgerDay('to')
  to: string;

  @IsCallerFilter('One caller only: its name (name=key) or its id')
  caller?: string;
}

/** `POST /ledger/forget`'s body: the person whose rows go. */
export class ForgetRequestDto {
  @ApiProperty({ example: TEST_NAME })
  @IsPersonName()
  name: string;

  @ApiProperty({ example: '13800000000' })
  @IsChineseMobile()
  phone: string;

  @ApiProperty({ example: TEST_ID_CARD })
  @IsChineseIdCard()
  id_card: string;
}
