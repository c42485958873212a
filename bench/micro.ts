// npm run bench:micro: the time the library itself spends per verification,
// with the HTTP transport replaced by an in-process stub, and its parts alone.
import { Test } from '@nestjs/testing';
import { AceDataClient } from '../libs/phone-verification/src/acedata/acedata.client.js';
import { mapCheck3eResult } from '../libs/phone-verification/src/acedata/check-3e-result.mapper.js';
import { createSubjectKeyer } from '../libs/phone-verification/src/cache/subject-key.js';
import {
  PhoneVerificationModule,
  PhoneVerificationService,
  maskIdCard,
  maskName,
  maskPhone,
  type PhoneVerificationResult,
} from '../libs/phone-verification/src/index.js';
import { createRedactor } from '../libs/phone-verification/src/privacy/redactor.js';
import { normalizeVerificationRequest } from '../libs/phone-verification/src/validation/normalize-request.js';
import { distinctNames } from './identities.js';

const N = process.argv.includes('--smoke') ? 2_000 : 100_000;
const names = distinctNames(5000);
const request = (i: number) => ({
  name: names[i % names.length],
  phone: '+86 138-0000-0000',
  idCard: '11010519491231002x',
});
const WIRE =
  '{"result":"0","description":"Authentication passed","isp":"Mobile","result_detail":null}';

async function time(
  label: string,
  op: (i: number) => unknown,
): Promise<[string, number]> {
  for (let i = 0; i < Math.min(N, 10_000); i++) await op(i);
  const started = performance.now();
  for (let i = 0; i < N; i++) await op(i);
  return [label, ((performance.now() - started) * 1000) / N];
}

const stubResult: PhoneVerificationResult = mapCheck3eResult(
  JSON.parse(WIRE),
  createRedactor([]),
);
const moduleRef = await Test.createTestingModule({
  imports: [
    PhoneVerificationModule.forRoot({
      apiToken: 'bench-token',
      onVerification: () => undefined,
    }),
  ],
})
  .overrideProvider(AceDataClient)
  .useValue({ check3e: async () => stubResult })
  .compile();
moduleRef.useLogger(false);
const service = moduleRef.get(PhoneVerificationService);
const keyOf = createSubjectKeyer('bench-secret-0123456789abcdef0123456789');
const normalized = normalizeVerificationRequest(request(0), 'short');

const rows = [
  await time(
    'verify(), transport stubbed (all of the below + retry/breaker/dedupe/events)',
    (i) => service.verify(request(i)),
  ),
  await time('normalise + validate the three fields', (i) =>
    normalizeVerificationRequest(request(i), 'short'),
  ),
  await time('HMAC subject key (dedupe/cache)', () => keyOf.key(normalized)),
  await time('parse + map a 200 body', () =>
    mapCheck3eResult(JSON.parse(WIRE), createRedactor(['张三', '13800000000'])),
  ),
  await time('mask name, phone and ID', () => [
    maskName('欧阳娜娜'),
    maskPhone('13812345678'),
    maskIdCard('11010519491231002X'),
  ]),
];
process.stdout.write(
  `\n| library work (${N} calls, Node ${process.version}) | µs per call |\n| --- | ---: |\n`,
);
for (const [label, us] of rows)
  process.stdout.write(`| ${label} | ${us.toFixed(2)} |\n`);
await moduleRef.close();
