import { TEST_ID_CARD, TEST_NAME } from '@app/phone-verification/sandbox';
import {
  IsEncryptionIv,
  validateIdCard,
  validateMobile,
  validatePersonName,
} from '@app/phone-verification/validation';
import {
  CHECK_3E_WIRE_ENCRYPTABLE_FIELDS,
  CHECK_3E_WIRE_VERIFY_MODES,
  type Check3eWireEncryptableField,
  type Check3eWireRequestInput,
  type Check3eWireVerifyMode,
} from '@app/phone-verification/wire';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PlainOrCiphertext } from './plain-or-ciphertext.decorator.js';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';

const usesEncryption = (o: Check3eRequestDto) =>
  o.encrypt_list !== undefined ||
  o.ciphertext_blob !== undefined ||
  o.iv !== undefined;

/**
 * The body of `POST /identity/phone/check-3e`, exactly as AceData takes it
 * (snake_case), so existing AceData clients work by changing only the base
 * URL and the key. Plain fields are validated with the library's rules;
 * fields listed in `encrypt_list` can only be checked for being base64.
 */
export class Check3eRequestDto implements Check3eWireRequestInput {
  @ApiProperty({
    description: 'The person’s registered name',
    example: TEST_NAME,
    maxLength: 50,
  })
  @PlainOrCiphertext('name', validatePersonName)
  name: string;

  @ApiProperty({
    description:
      'Mainland-China mobile number; spaces, hyphens and +86 are accepted. Sandbox test numbers pick the answer (see README).',
    example: '13800000000',
  })
  @PlainOrCiphertext('phone', validateMobile)
  phone: string;

  @ApiProperty({
    description: '18-character resident ID number',
    example: TEST_ID_CARD,
  })
  @PlainOrCiphertext('id_card', (v) => validateIdCard(v))
  id_card: string;

  @ApiPropertyOptional({
    description:
      '"0" short (default), "1" detailed (says which element mismatched); the numbers 0 and 1 are accepted too',
    enum: ['0', '1', 0, 1],
  })
  @IsOptional()
  @IsIn(CHECK_3E_WIRE_VERIFY_MODES, {
    message: 'verify_mode must be "0" (short) or "1" (detailed)',
  })
  verify_mode?: Check3eWireVerifyMode;

  @ApiPropertyOptional({
    description:
      'Fields sent as base64 AES-256-CBC ciphertext; then ciphertext_blob and iv are required',
    isArray: true,
    enum: CHECK_3E_WIRE_ENCRYPTABLE_FIELDS,
  })
  @ValidateIf(usesEncryption)
  @IsDefined({
    message: 'encrypt_list is required with ciphertext_blob and iv',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(CHECK_3E_WIRE_ENCRYPTABLE_FIELDS, {
    each: true,
    message: 'encrypt_list may hold only name, phone and id_card',
  })
  encrypt_list?: Check3eWireEncryptableField[];

  @ApiPropertyOptional({
    description: 'The data key wrapped by AceData’s key service (base64)',
  })
  @ValidateIf(usesEncryption)
  @IsDefined({ message: 'ciphertext_blob is required with encrypt_list' })
  @IsString()
  @IsNotEmpty({ message: 'ciphertext_blob must not be empty' })
  @MaxLength(4096)
  ciphertext_blob?: string;

  @ApiPropertyOptional({
    description: 'The CBC initial vector: 16 printable ASCII characters',
  })
  @ValidateIf(usesEncryption)
  @IsDefined({ message: 'iv is required with encrypt_list' })
  @IsEncryptionIv()
  iv?: string;
}
