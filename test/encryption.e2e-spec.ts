import { createCipheriv } from 'node:crypto';
import request from 'supertest';
import {
  SANDBOX_TEST_CIPHERTEXT_BLOB,
  SANDBOX_TEST_DATA_KEY,
  TEST_ID_CARD,
  TEST_NAME,
  REGISTERED_PEOPLE,
} from '@app/phone-verification/testing';
import {
  KEY_A,
  startHarness,
  type Harness,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';

/** What a caller of the sample app does to send a field encrypted (independent of the library). */
function encrypt(plaintext: string, iv: string): string {
  const cipher = createCipheriv(
    'aes-256-cbc',
    Buffer.from(SANDBOX_TEST_DATA_KEY, 'base64'),
    Buffer.from(iv, 'latin1'),
  );
  return Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
  ]).toString('base64');
}

describe('field encryption (round trips through the sandbox, which decrypts)', () => {
  describe('pass-through of fields the caller encrypted', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '1' });
    });
    afterAll(() => h.close());
    beforeEach(() => h.sandbox.resetCalls());

    const post = (body: object) =>
      request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send(body);

    it('forwards encrypted fields as they are: the sandbox decrypts them and matches', async () => {
      const [person] = REGISTERED_PEOPLE;
      const iv = 'AbCdEfGh12345678';
      const res = await post({
        name: encrypt(person.name, iv),
        phone: encrypt(person.phone, iv),
        id_card: encrypt(person.idCard, iv),
        encrypt_list: ['name', 'phone', 'id_card'],
        ciphertext_blob: SANDBOX_TEST_CIPHERTEXT_BLOB,
        iv,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ result: '0', status: 'consistent' });
      expect(h.sandbox.calls().byPhone[person.phone]).toEqual({
        calls: 1,
        billed: 1,
      });
    });

    it('mixes encrypted and plain fields; plain ones are still validated locally', async () => {
      const iv = 'zyxwvutsrqponmlk';
      const res = await post({
        name: encrypt(TEST_NAME, iv),
        phone: '13800000001',
        id_card: TEST_ID_CARD,
        encrypt_list: ['name'],
        ciphertext_blob: SANDBOX_TEST_CIPHERTEXT_BLOB,
        iv,
        verify_mode: '1',
      });
      expect(res.body).toMatchObject({
        result: '1',
        result_detail: 'PhoneNameMismatch',
      });
    });

    it('a bad IV is rejected locally (400 naming iv), nothing upstream', async () => {
      const res = await post({
        name: encrypt(TEST_NAME, 'AbCdEfGh12345678'),
        phone: '13800000000',
        id_card: TEST_ID_CARD,
        encrypt_list: ['name'],
        ciphertext_blob: SANDBOX_TEST_CIPHERTEXT_BLOB,
        iv: 'short',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual(['iv']);
      expect(h.sandbox.calls().total).toBe(0);
    });

    it('ciphertext under the wrong key is refused upstream and answered 502', async () => {
      const res = await post({
        name: encrypt(TEST_NAME, 'AbCdEfGh12345678'),
        phone: '13800000000',
        id_card: TEST_ID_CARD,
        encrypt_list: ['name'],
        ciphertext_blob: 'bm90LXRoZS1zYW5kYm94LWtleQ==',
        iv: 'AbCdEfGh12345678',
      });
      expect(res.status).toBe(502);
    });
  });

  describe('module encryption (ACEDATA_DATA_KEY): the app encrypts every field', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        ACEDATA_DATA_KEY: SANDBOX_TEST_DATA_KEY,
        ACEDATA_CIPHERTEXT_BLOB: SANDBOX_TEST_CIPHERTEXT_BLOB,
      });
    });
    afterAll(() => h.close());

    it('plain input is validated, encrypted under a fresh IV, and decrypted by the sandbox', async () => {
      const [, person] = REGISTERED_PEOPLE;
      const res = await request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send({
          name: person.name,
          phone: person.phone,
          id_card: person.idCard,
        });
      expect(res.body).toMatchObject({ result: '0', status: 'consistent' });
      expect(h.sandbox.calls().byPhone[person.phone]).toEqual({
        calls: 1,
        billed: 1,
      });
    });

    it('still rejects bad input locally before encrypting', async () => {
      const res = await request(h.url)
        .post(PATH)
        .set('authorization', `Bearer ${KEY_A}`)
        .send({ name: TEST_NAME, phone: '12345', id_card: TEST_ID_CARD });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual(['phone']);
    });
  });
});
