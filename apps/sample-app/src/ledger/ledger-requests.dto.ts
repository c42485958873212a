import { TEST_ID_CARD, TEST_NAME } from '@app/phone-verification/testing';
import {
  IsChineseIdCard,
  IsChineseMobile,
  IsPersonName,
} from '@app/phone-verification';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** `GET /usage`'s query: a range of China days, and optionally one caller. */
export class UsageQueryDto {
  @ApiProperty({ description: 'First China day', example: '2026-12-01' })
  @Matches(DAY, { message: 'from must be a day, YYYY-MM-DD' })
  from: string;

  @ApiProperty({
    description: 'Last China day, included',
    example: '2026-12-31',
  })
  @Matches(DAY, { message: 'to must be a day, YYYY-MM-DD' })
  to: string;

  @ApiPropertyOptional({
    description: 'One caller only (its id, as the usage lists it)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
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
