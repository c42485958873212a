import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const DIST = resolve('libs/phone-verification/dist');

/**
 * Loads the library's two builds (`npm run build:lib` made them) into one Node
 * process, the dual-package hazard on purpose, and reports what an app would
 * see: whether an error made by one build is `instanceof` the classes of the
 * other, and which warnings the process got.
 */
function loadBothBuilds(): {
  cjsErrorIsEsmClass: boolean;
  cjsErrorIsEsmBase: boolean;
  esmErrorIsCjsClass: boolean;
  cjsErrorIsOtherEsmClass: boolean;
  lookalikeIsEsmClass: boolean;
  sameService: boolean;
  warnings: string[];
} {
  const script = `
    import { createRequire } from 'node:module';
    const warnings = [];
    process.on('warning', (w) => warnings.push(w.code ?? w.name));
    const require = createRequire(import.meta.url);
    const cjs = require(${JSON.stringify(`${DIST}/cjs/index.js`)});
    const esm = await import(${JSON.stringify(`${DIST}/esm/index.js`)});
    const esmErrors = await import(${JSON.stringify(`${DIST}/esm/errors/index.js`)});
    const problem = [{ property: 'phone', constraints: { isChineseMobile: 'phone is not a mainland-China mobile number' } }];
    const fromCjs = cjs.invalidInputExceptionFactory(problem);
    const fromEsm = esm.invalidInputExceptionFactory(problem);
    const lookalike = Object.assign(new Error('x'), { name: 'InvalidInputError', code: 'invalid_input' });
    await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify({
      cjsErrorIsEsmClass: fromCjs instanceof esm.InvalidInputError,
      cjsErrorIsEsmBase: fromCjs instanceof esm.PhoneVerificationError,
      esmErrorIsCjsClass: fromEsm instanceof cjs.InvalidInputError,
      cjsErrorIsOtherEsmClass: fromCjs instanceof esmErrors.UpstreamTimeoutError,
      lookalikeIsEsmClass: lookalike instanceof esm.InvalidInputError,
      sameService: cjs.PhoneVerificationService === esm.PhoneVerificationService,
      warnings,
    }));
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as ReturnType<typeof loadBothBuilds>;
}

describe('the ESM and CommonJS builds in one process', () => {
  it('errors of one build are instances of the same classes of the other, and the process is warned', () => {
    expect(loadBothBuilds()).toEqual({
      cjsErrorIsEsmClass: true,
      cjsErrorIsEsmBase: true,
      esmErrorIsCjsClass: true,
      // The brand matches a class by name, not any error of the library…
      cjsErrorIsOtherEsmClass: false,
      // …and only errors the library made carry it.
      lookalikeIsEsmClass: false,
      // What the brand cannot fix, and the warning says.
      sameService: false,
      warnings: ['PHONE_VERIFICATION_DUAL_PACKAGE'],
    });
  });
});

describe('the sandbox entry (`…/sandbox`)', () => {
  it('loads in both builds without the testing module (@nestjs/testing), the same functions /testing re-exports', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require(${JSON.stringify(`${DIST}/cjs/testing/sandbox/index.js`)});
      // The rest of the testing folder (its module needs @nestjs/testing).
      const testingFiles = Object.keys(require.cache).filter(
        (f) => f.includes('/dist/cjs/testing/') && !f.includes('/dist/cjs/testing/sandbox/'),
      );
      const esm = await import(${JSON.stringify(`${DIST}/esm/testing/sandbox/index.js`)});
      const testing = await import(${JSON.stringify(`${DIST}/esm/testing/index.js`)});
      console.log(JSON.stringify({
        cjs: typeof cjs.startSandbox,
        esm: typeof esm.startSandbox,
        same: testing.startSandbox === esm.startSandbox,
        testingFiles,
      }));
    `;
    const seen = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      }),
    ) as Record<string, unknown>;
    expect(seen).toEqual({
      cjs: 'function',
      esm: 'function',
      same: true,
      testingFiles: [],
    });
  });
});

describe('the wire entry (`…/wire`)', () => {
  it('loads in both builds (AceData’s codes and codec), and the main entry no longer holds it', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require(${JSON.stringify(`${DIST}/cjs/acedata/index.js`)});
      const esm = await import(${JSON.stringify(`${DIST}/esm/acedata/index.js`)});
      const main = await import(${JSON.stringify(`${DIST}/esm/index.js`)});
      console.log(JSON.stringify({
        cjs: [typeof cjs.decodeCheck3eRequest, typeof cjs.encodeCheck3eResult],
        esm: [typeof esm.decodeCheck3eRequest, typeof esm.encodeCheck3eResult],
        zero: esm.meaningOfResultCode(0).status,
        inMain: 'decodeCheck3eRequest' in main,
      }));
    `;
    const seen = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      }),
    ) as Record<string, unknown>;
    expect(seen).toEqual({
      cjs: ['function', 'function'],
      esm: ['function', 'function'],
      zero: 'consistent',
      inMain: false,
    });
  });
});
