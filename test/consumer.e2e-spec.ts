import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { consumerLockfile } from './support/consumer-lockfile.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';

const REPO = resolve('.');
const LIBRARY = join(REPO, 'libs/phone-verification');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The version of a package installed in this repository, to pin the consumer to it. */
function installed(name: string): string {
  return (
    JSON.parse(
      readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
}

/**
 * Packs the library (after `npm run build:lib`, which `npm test` runs), installs
 * the tarball into a fresh NestJS app outside the repository from the local
 * npm cache, compiles it with tsc, and runs it against the sandbox it starts
 * from the package's `testing` entry point.
 */
describe('the packed library in a fresh consumer app', () => {
  let workdir: string;
  let tarball: string;

  beforeAll(() => {
    workdir = mkdtempSync(join(tmpdir(), 'phone-verification-consumer-'));
    const packed = JSON.parse(
      run(NPM, ['pack', '--json', '--pack-destination', workdir], LIBRARY),
    ) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(workdir, packed[0].filename);
    (globalThis as { packedFiles?: string[] }).packedFiles =
      packed[0].files.map((f) => f.path);
  }, 60_000);

  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  it('packs only the built JS, the .d.ts files, the README and the changelog', () => {
    const files = (globalThis as { packedFiles?: string[] }).packedFiles ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
      ]),
    );
    const unexpected = files.filter(
      (f) =>
        !/^dist\/.+\.(js|d\.ts)$/.test(f) &&
        !['package.json', 'README.md', 'CHANGELOG.md'].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(files.some((f) => f.includes('.spec.'))).toBe(false);
  });

  it('installs offline, compiles with tsc, boots and verifies one identity, and runs the README snippets', async () => {
    const app = join(workdir, 'app');
    cpSync(join(REPO, 'test/consumer-app'), app, { recursive: true });
    const peers = [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/axios',
      '@nestjs/config',
      '@nestjs/testing',
      '@nestjs/platform-express',
      'axios',
      'rxjs',
      'reflect-metadata',
      'class-validator',
      'class-transformer',
      '@types/node',
      // To run the README's specs as a consumer would: jest on ESM.
      'jest',
      '@types/jest',
    ];
    const manifest = JSON.parse(
      readFileSync(join(LIBRARY, 'package.json'), 'utf8'),
    ) as {
      name: string;
    };
    const dependencies = {
      [manifest.name]: `file:${tarball}`,
      ...Object.fromEntries(peers.map((name) => [name, installed(name)])),
    };
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify(
        { name: 'consumer-app', private: true, type: 'module', dependencies },
        null,
        2,
      ),
    );
    writeFileSync(
      join(app, 'package-lock.json'),
      JSON.stringify(
        consumerLockfile(join(REPO, 'package-lock.json'), dependencies, {
          name: manifest.name,
          tarball,
          manifest,
        }),
        null,
        2,
      ),
    );
    run(NPM, ['ci', '--offline', '--ignore-scripts'], app);
    expect(
      readdirSync(
        join(app, 'node_modules/@acedata-kit/nestjs-phone-verification'),
      ),
    ).toContain('dist');
    run(
      process.execPath,
      [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
      app,
    );
    // An older CommonJS setup (`moduleResolution: node`) finds `/testing` too.
    run(
      process.execPath,
      [
        join(REPO, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.node10.json',
      ],
      app,
    );
    const output =
      run(process.execPath, ['dist/main.js'], app).trim().split('\n').at(-1) ??
      '';
    expect(JSON.parse(output)).toEqual({
      status: 'consistent',
      rejected: true,
      calls: 1,
      // The app's global axios interceptors see its own call, and nothing of
      // AceData's: not the token, not the name, phone or ID number.
      interceptors: { sawOwnCall: true, sawAceDataCall: false },
    });
    await runReadmeSnippets(app);
  }, 300_000);

  it('every TypeScript block of the README is one of the consumer app files, verbatim', () => {
    const readme = readFileSync(join(LIBRARY, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n(.*?)```\n/gs)].map((m) => m[1]);
    const files = readdirSync(SNIPPETS).toSorted();
    const named = blocks.map((block) => /^\/\/ (\S+\.ts)\n/.exec(block)?.[1]);
    expect(named.toSorted()).toEqual(files);
    for (const [i, block] of blocks.entries()) {
      expect(block).toBe(readFileSync(join(SNIPPETS, named[i] ?? ''), 'utf8'));
    }
  });
});

const SNIPPETS = join(REPO, 'test/consumer-app/src/readme');

/**
 * Runs the README's snippets in the installed app: the package's sandbox
 * command, `main.ts` (module wiring, the global filter, the controller)
 * booted against it and called over HTTP, and the two specs under jest.
 */
async function runReadmeSnippets(app: string): Promise<void> {
  const sandbox = await startNodeProcess(
    join(app, 'node_modules/.bin/acedata-sandbox'),
    { env: {} },
  );
  let server: NodeProcess | undefined;
  try {
    server = await startNodeProcess(join(app, 'dist/readme/main.js'), {
      env: {
        ACEDATA_API_TOKEN: 'sandbox-token',
        ACEDATA_BASE_URL: sandbox.url,
        PORT: '0',
      },
    });
    const check = (body: object) =>
      fetch(`${server?.url}/kyc/phone-check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const valid = await check({
      name: '张三',
      phone: '+86 138-0000-0000',
      idCard: '11010519491231002X',
    });
    expect(valid.status).toBe(200);
    expect(await valid.json()).toEqual({
      status: 'consistent',
      billed: true,
      carrier: expect.any(String),
      phone: '138****0000',
    });
    // The global filter: bad input is a 400 naming the field, not a 500.
    const invalid = await check({
      name: '张三',
      phone: '12345',
      idCard: '11010519491231002X',
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({
      success: false,
      error: { code: 'invalid_input', fields: ['phone'] },
    });
  } finally {
    await server?.stop();
    await sandbox.stop();
  }
  // No token in the environment: the specs run on the fake.
  const jest = run(
    process.execPath,
    [
      '--experimental-vm-modules',
      'node_modules/jest/bin/jest.js',
      '--ci',
      '--json',
      '--rootDir',
      'dist',
    ],
    app,
    { ACEDATA_API_TOKEN: '' },
  );
  expect(JSON.parse(jest)).toMatchObject({
    numTotalTestSuites: 2,
    numPassedTests: 2,
    numFailedTests: 0,
  });
}
