import { createDecipheriv, randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { rejectionOf } from '../testing/rejection-of.js';
import { ScriptedUpstream } from '../testing/scripted-upstream.js';
import {
  InvalidPhoneVerificationOptionsError,
  PhoneVerificationModule,
  PhoneVerificationService,
} from '../index.js';
import { encryptField, generateIv, ivBytes } from './field-encryption.js';

/** What the provider does with a field, written with node:crypto directly. */
function decryptField(ciphertext: string, key: Buffer, iv: string): string {
  const decipher = createDecipheriv(
    'aes-256-cbc',
    key,
    Buffer.from(iv, 'latin1'),
  );
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}

const SUBJECT = {
  name: '张三',
  phone: '13812345678',
  idCard: '11010519491231002X',
};

describe('field encryption', () => {
  const key = randomBytes(32);

  it('round-trips AES-256-CBC under a 16-character IV', () => {
    const iv = generateIv();
    expect(iv).toMatch(/^[A-Za-z0-9]{16}$/);
    const ciphertext = encryptField('阿依古丽·买买提', key, iv);
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(decryptField(ciphertext, key, iv)).toBe('阿依古丽·买买提');
  });

  it('draws a fresh IV each time', () => {
    const ivs = new Set(Array.from({ length: 100 }, generateIv));
    expect(ivs.size).toBe(100);
  });

  it('accepts only 16 printable ASCII characters as an IV', () => {
    expect(ivBytes('0123456789abcdef')).toHaveLength(16);
    expect(ivBytes('0123456789abcde')).toBeUndefined();
    expect(ivBytes('0123456789abcdeé')).toBeUndefined();
  });

  describe('with the module option', () => {
    let upstream: ScriptedUpstream;
    let service: PhoneVerificationService;
    beforeAll(async () => {
      upstream = await ScriptedUpstream.start();
      const moduleRef = await Test.createTestingModule({
        imports: [
          PhoneVerificationModule.forRoot({
            apiToken: 't',
            baseUrl: upstream.url,
            encryption: {
              dataKey: key.toString('base64'),
              ciphertextBlob: 'wrapped-key',
              fields: ['phone', 'idCard'],
            },
          }),
        ],
      }).compile();
      service = moduleRef.get(PhoneVerificationService);
    });
    afterAll(() => upstream.close());

    it('sends the chosen fields as ciphertext with encrypt_list, ciphertext_blob and a fresh iv', async () => {
      await service.verify(SUBJECT);
      await service.verify(SUBJECT);
      const [first, second] = upstream.requests.map(
        (r) => r.body as Record<string, string | string[]>,
      );
      expect(first.encrypt_list).toEqual(['phone', 'id_card']);
      expect(first.ciphertext_blob).toBe('wrapped-key');
      expect(first.name).toBe('张三');
      expect(first.phone).not.toContain('13812345678');
      expect(decryptField(first.phone as string, key, first.iv as string)).toBe(
        '13812345678',
      );
      expect(
        decryptField(first.id_card as string, key, first.iv as string),
      ).toBe('11010519491231002X');
      expect(second.iv).not.toBe(first.iv);
      expect(upstream.requests.map((r) => r.rawBody).join()).not.toContain(
        '11010519491231002X',
      );
    });

    it('validates before encrypting: bad input never leaves', async () => {
      upstream.reset();
      await expect(
        service.verify({ ...SUBJECT, idCard: '11010519491231002Y' }),
      ).rejects.toThrow(/idCard/);
      expect(upstream.requests).toHaveLength(0);
    });
  });

  it.each([
    [{ dataKey: 'c2hvcnQ=', ciphertextBlob: 'b' }, 'encryption.dataKey'],
    [
      { dataKey: randomBytes(32), ciphertextBlob: ' ' },
      'encryption.ciphertextBlob',
    ],
    [
      { dataKey: randomBytes(32), ciphertextBlob: 'b', fields: ['email'] },
      'encryption.fields',
    ],
  ])(
    'refuses to boot with a bad encryption option (%#)',
    async (encryption, option) => {
      const error = await rejectionOf(
        Test.createTestingModule({
          imports: [
            PhoneVerificationModule.forRoot({
              apiToken: 't',
              encryption: encryption as never,
            }),
          ],
        }).compile(),
        InvalidPhoneVerificationOptionsError,
      );
      expect(error.option).toBe(option);
    },
  );
});
