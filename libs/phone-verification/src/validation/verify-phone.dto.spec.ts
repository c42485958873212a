import { ValidationPipe } from '@nestjs/common';
import { InvalidInputError } from '../errors/invalid-input.error.js';
import { invalidInputExceptionFactory } from '../validation/validation-exception.factory.js';
import { rejectionOf } from '../testing/rejection-of.js';
import { normalizeVerificationRequest } from '../validation/normalize-request.js';
import { VerifyPhoneDto } from './verify-phone.dto.js';

describe('VerifyPhoneDto through ValidationPipe', () => {
  const pipe = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: invalidInputExceptionFactory,
  });
  const metadata = { type: 'body' as const, metatype: VerifyPhoneDto };

  async function problemsOf(body: unknown): Promise<InvalidInputError> {
    return rejectionOf(pipe.transform(body, metadata), InvalidInputError);
  }

  it('accepts a valid body', async () => {
    const body = {
      name: '张三',
      phone: '+86 138 1234 5678',
      idCard: '11010519491231002x',
      verifyMode: 'detailed',
    };
    await expect(pipe.transform(body, metadata)).resolves.toBeInstanceOf(
      VerifyPhoneDto,
    );
  });

  it('names each bad field, with the validator’s reason and no value', async () => {
    const error = await problemsOf({
      name: '',
      phone: '12812345678',
      idCard: '110105491231002',
    });
    expect(error.fields).toEqual(['name', 'phone', 'idCard']);
    expect(error.message).toContain('idCard must be 18 characters');
    expect(error.message).toContain('phone must start with 13 to 19');
    expect(error.message).not.toContain('12812345678');
  });

  it('rejects an unknown verify mode and unknown fields', async () => {
    const error = await problemsOf({
      name: '张三',
      phone: '13812345678',
      idCard: '11010519491231002X',
      verifyMode: 'long',
      extra: 1,
    });
    expect(error.fields.toSorted()).toEqual(['extra', 'verifyMode']);
  });

  it.each([
    ['1', 'detailed'],
    ['0', 'short'],
    ['detailed', 'detailed'],
  ] as const)(
    'takes AceData’s verify_mode "%s" as %s, at the DTO and in verify()',
    async (input, mode) => {
      const body = {
        name: '张三',
        phone: '13812345678',
        idCard: '11010519491231002X',
        verifyMode: input,
      };
      const dto = (await pipe.transform(body, metadata)) as VerifyPhoneDto;
      expect(normalizeVerificationRequest(dto, 'short').verifyMode).toBe(mode);
    },
  );

  it('rejects another spelling of a mode in verify() too, naming the field', async () => {
    const request = {
      name: '张三',
      phone: '13812345678',
      idCard: '11010519491231002X',
      verifyMode: '2',
    } as unknown as VerifyPhoneDto;
    const error = await rejectionOf(
      (async () => normalizeVerificationRequest(request, 'short'))(),
      InvalidInputError,
    );
    expect(error.fields).toEqual(['verifyMode']);
    expect(error.message).toContain('short, detailed, 0, 1');
  });
});
