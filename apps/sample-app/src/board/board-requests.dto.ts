import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

/** `GET /board/verifications`'s query: the newest, or one `trace_id`'s. */
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
}
