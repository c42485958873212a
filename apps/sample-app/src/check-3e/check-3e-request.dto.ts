import {
  IsChineseIdCard,
  IsChineseMobile,
  IsPersonName,
} from '@app/phone-verification';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { TEST_ID_CARD, TEST_NAME } from '@app/acedata-sandbox';

/** AceData's field names that can be sent encrypted. */
export const ENCRYPTABLE_FIELDS = ['name', 'phone', 'id_card'] as const;

/**
 * The body of `POST /identity/phone/check-3e`, exactly as AceData takes it
 * (snake_case), so existing AceData clients work by changing only the base
 * URL and the key. Validated with the library's decorators.
 */
export class Check3eRequestDto {
  @ApiProperty({
    description: 'The person’s registered name',
    example: TEST_NAME,
    maxLength: 50,
  })
  @IsPersonName()
  name: string;

  @ApiProperty({
    description:
      'Mainland-China mobile number; spaces, hyphens and +86 are accepted. Sandbox test numbers pick the answer (see README).',
    example: '13800000000',
  })
  @IsChineseMobile()
  phone: string;

  @ApiProperty({
    description: '18-character resident ID number',
    example: TEST_ID_CARD,
  })
  @IsChineseIdCard()
  id_card: string;

  @ApiPropertyOptional({
    description:
      '"0" short (default), "1" detailed (says which element mismatched)',
    enum: ['0', '1'],
  })
  @IsOptional()
  @IsIn(['0', '1'], {
    message: 'verify_mode must be "0" (short) or "1" (detailed)',
  })
  verify_mode?: '0' | '1';

  @ApiPropertyOptional({
    description: 'Fields sent encrypted (not supported by this server yet)',
    isArray: true,
    enum: ENCRYPTABLE_FIELDS,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(ENCRYPTABLE_FIELDS, {
    each: true,
    message: 'encrypt_list may hold only name, phone and id_card',
  })
  encrypt_list?: string[];

  @ApiPropertyOptional({
    description:
      'The wrapped data key, base64 (not supported by this server yet)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  ciphertext_blob?: string;

  @ApiPropertyOptional({
    description: 'The CBC initial vector (not supported by this server yet)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  iv?: string;
}
