import request from 'supertest';
import {
  REGISTERED_PEOPLE,
  TEST_IDENTITIES,
  TEST_ID_CARD,
  TEST_NAME,
} from '@app/phone-verification/testing';
import {
  ACEDATA_TEST_TOKEN,
  KEY_A,
  METRICS_KEY,
  KEY_B,
  startHarness,
  type Harness,
} from './support/sample-app-process.js';

const PATH = '/identity/phone/check-3e';
const WRONG_KEY = 'wrong-key-7d3f9a1c2b4e';

/**
 * Every sandbox identity (both modes), every error, every invalid body and
 * every auth failure, with the app logging at debug level; then no raw name,
 * phone, ID number, AceData token or app key may appear in any log line, any
 * response, or the metrics.
 */
describe('nothing identifying leaks into logs, responses or metrics', () => {
  let h: Harness;
  const responses: string[] = [];
  const secrets = new Set<string>([
    ACEDATA_TEST_TOKEN,
    KEY_A,
    KEY_B,
    WRONG_KEY,
  ]);

  beforeAll(async () => {
    h = await startHarness({
      LOG_LEVEL: 'debug',
      ACEDATA_TIMEOUT_MS: '400',
      PHONE_VERIFICATION_RETRY_MAX_ATTEMPTS: '2',
      PHONE_VERIFICATION_BREAKER: 'off',
      PHONE_VERIFICATION_CACHE_TTL_MS: '60000',
      PHONE_VERIFICATION_CACHE_SECRET:
        'leak-test-cache-secret-0123456789abcdef',
    });
    const send = async (body: unknown, key: string | undefined = KEY_A) => {
      let req = request(h.url).post(PATH);
      if (key) req = req.set('authorization', `Bearer ${key}`);
      const res = await req.send(body as object);
      responses.push(JSON.stringify(res.headers) + res.text);
    };
    const subjects = [
      ...TEST_IDENTITIES.map((i) => ({
        name: TEST_NAME,
        phone: i.phone,
        id_card: TEST_ID_CARD,
      })),
      ...REGISTERED_PEOPLE.map((p) => ({
        name: p.name,
        phone: p.phone,
        id_card: p.idCard,
      })),
      { name: '欧阳娜娜', phone: '15999999999', id_card: '440304199001011233' },
    ];
    for (const subject of subjects) {
      for (const raw of [subject.name, subject.phone, subject.id_card])
        secrets.add(raw);
      await send(subject);
      await send({ ...subject, verify_mode: '1' });
    }
    const invalid = [
      { name: '王五6', phone: '13912345678', id_card: '440304199001011233' },
      { name: '赵六', phone: '1391234567', id_card: '440304199001011233' },
      { name: '钱七', phone: '13912345679', id_card: '440304199001011234' },
      { name: '孙八', phone: '13912345670', id_card: '440304900101123' },
      {
        name: '周九',
        phone: '13912345671',
        id_card: '440304199001011233',
        extra: '13912345672',
      },
    ];
    for (const body of invalid) {
      for (const value of Object.values(body)) secrets.add(value);
      await send(body);
    }
    await send(subjects[0], WRONG_KEY);
    await send(subjects[0], undefined);
    const metrics = await request(h.url)
      .get('/metrics')
      .set('authorization', `Bearer ${METRICS_KEY}`);
    // Names and labels only: a sample value such as a duration sum of
    // 1.3159999999999996 holds "15999999999" by chance, not by leak.
    responses.push(metrics.text.replace(/^([^#].*) \S+$/gm, '$1'));
    responses.push((await request(h.url).get('/health/ready')).text);
    await h.close();
  }, 60_000);

  it('the run exercised results, errors and rejections, with debug logs on', () => {
    const log = h.app.output();
    expect(log).toMatch(/"level":20/); // debug lines were written
    expect(log).toMatch(/verified 138\*\*\*\*0000/); // ...with masked phones
    expect(responses.join()).toMatch(/"status":"consistent"/);
    expect(responses.join()).toMatch(/upstream_timeout/);
    expect(responses.join()).toMatch(/invalid_input/);
    expect(responses.join()).toMatch(/invalid_token/);
  });

  it('no raw subject value or secret in any log line', () => {
    const lines = h.app.output().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });

  it('every log line of a request carries its request id', () => {
    const requestLines = h.app
      .output()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter(
        (entry) =>
          entry.req !== undefined || String(entry.msg).startsWith('verif'),
      );
    expect(requestLines.length).toBeGreaterThan(20);
    for (const entry of requestLines) {
      expect(entry.reqId ?? (entry.req as { id?: string }).id).toEqual(
        expect.any(String),
      );
    }
  });

  it('no raw subject value or secret in any response or in the metrics', () => {
    for (const text of responses) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
