import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';

import {
  startLocalRegistry,
  type LocalRegistry,
} from './support/local-registry.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';

const REPO = resolve('.');
const LIBRARY = join(REPO, 'libs/phone-verification');
const CONSUMERS = join(REPO, 'test/consumers');
/** The README's code blocks, one file each (named in the block's first line). */
const SNIPPETS = join(CONSUMERS, 'readme');
/** The blocks for CommonJS apps only (first line `// <file> (CommonJS)`). */
const COMMONJS_SNIPPETS = join(CONSUMERS, 'readme-commonjs');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const README = readFileSync(join(LIBRARY, 'README.md'), 'utf8');

/**
 * The environment a developer's shell has: this process's, without what npm
 * put there for the script running this test (`npm_config_*` would override
 * the consumer's own `.npmrc`).
 */
function shellEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)),
    ),
    ...extra,
  };
}

/**
 * Runs a command to its end, without blocking this process: the local
 * registry answers from here.
 */
async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(command, args, {
      cwd,
      encoding: 'utf8',
      env: shellEnv(env),
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`,
      { cause: error },
    );
  }
}

/**
 * The README's install command for one Nest major (the line under
 * `# Nest <major>`): from the registry by name, and, until the package is
 * published there, from the tarball `npm pack` makes, with the same peers.
 */
function readmeInstallLine(
  major: 11 | 12,
  from: 'registry' | 'tarball',
): string[] {
  const lines = [
    ...README.matchAll(
      new RegExp(`^# Nest ${major}\\b.*\\n(npm install .+)$`, 'gm'),
    ),
  ].map((m) => m[1].trim().split(/\s+/).slice(2));
  const registry = lines.find((args) =>
    args[0].startsWith('@acedata-kit/nestjs-phone-verification'),
  );
  const tarball = lines.find((args) => args[0].endsWith('.tgz'));
  if (!registry || !tarball) {
    throw new Error(`the README lacks an install line for Nest ${major}`);
  }
  expect(tarball.slice(1)).toEqual(registry.slice(1));
  return from === 'registry' ? registry : tarball;
}

/** A consumer app: the README's TypeScript blocks copied in as its files. */
function writeReadmeSnippets(app: string, moduleSystem: 'esm' | 'commonjs') {
  for (const file of readdirSync(SNIPPETS)) {
    const text = readFileSync(join(SNIPPETS, file), 'utf8');
    writeFileSync(
      join(app, 'src', file),
      // The README's one rule for CommonJS apps: relative imports without
      // `.js`, as the Nest 11 starter writes them (its jest resolves no `.js`).
      moduleSystem === 'commonjs'
        ? text.replaceAll(/from '(\.{1,2}\/[^']+)\.js'/g, "from '$1'")
        : text,
    );
  }
  if (moduleSystem === 'commonjs') {
    for (const file of readdirSync(COMMONJS_SNIPPETS)) {
      cpSync(join(COMMONJS_SNIPPETS, file), join(app, 'src', file));
    }
  }
}

/**
 * Copies a consumer app (one of test/consumers/*, a starter as the Nest CLI
 * generates it) outside the repository, drops the packages the README's
 * install line names, points npm at the local registry, and runs that line:
 * a plain `npm install`, no flags.
 */
async function installConsumer(
  workdir: string,
  fixture: 'nest11-commonjs' | 'nest12-esm',
  registry: LocalRegistry,
  from: { tarball: string } | 'registry',
): Promise<{ app: string; npmWarnings: string }> {
  const app = join(workdir, fixture);
  cpSync(join(CONSUMERS, fixture), app, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
  });
  const major = fixture === 'nest11-commonjs' ? 11 : 12;
  // The README's tarball line names the file `npm pack` writes; here it is
  // in the work folder.
  const install =
    from === 'registry'
      ? readmeInstallLine(major, 'registry')
      : [from.tarball, ...readmeInstallLine(major, 'tarball').slice(1)];
  if (from !== 'registry') {
    expect(basename(readmeInstallLine(major, 'tarball')[0])).toBe(
      basename(from.tarball),
    );
  }
  const named = install.map((spec) => spec.replace(/(?<=.)@[^@/]+$/, ''));
  const manifest = JSON.parse(
    readFileSync(join(app, 'package.json'), 'utf8'),
  ) as { dependencies: Record<string, string> };
  for (const name of named) delete manifest.dependencies[name];
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(manifest, null, 2)}\n`,
  );
  writeFileSync(
    join(app, '.npmrc'),
    `registry=${registry.url}/\naudit=false\nfund=false\nupdate-notifier=false\n`,
  );
  mkdirSync(join(app, 'src'), { recursive: true });
  writeReadmeSnippets(app, fixture === 'nest11-commonjs' ? 'commonjs' : 'esm');
  cpSync(join(CONSUMERS, 'probe.ts'), join(app, 'src/probe.ts'));
  const { stderr } = await run(NPM, ['install', ...install], app);
  expect(registry.missing).toEqual([]);
  return { app, npmWarnings: stderr };
}

/** The version of a package the consumer app installed. */
function installedVersion(app: string, name: string): string {
  return (
    JSON.parse(
      readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;
}

/**
 * Runs the compiled probe (the library's real service against the sandbox, an
 * invalid input thrown by the library and caught with the class the app
 * imported, and the app's global axios interceptors) and returns its report.
 */
async function runProbe(app: string): Promise<unknown> {
  const output = (await run(process.execPath, ['dist/probe.js'], app)).stdout
    .trim()
    .split('\n')
    .at(-1);
  return JSON.parse(output ?? '');
}

const PROBE_REPORT = {
  status: 'consistent',
  // `error instanceof InvalidInputError`, the class the app imported.
  rejected: true,
  calls: 1,
  // The app's global axios interceptors see its own call, and nothing of
  // AceData's: not the token, not the name, phone or ID number.
  interceptors: { sawOwnCall: true, sawAceDataCall: false },
  // The `/errors`, `/validation` and `/wire` entries load, and an error from
  // `/errors` is the main entry's `PhoneVerificationError` (one copy).
  entries: { errors: true, validation: false, wire: true },
};

/**
 * Runs one of the app's test scripts as its README says (`npm test`), with no
 * token in the environment (the specs run on the fake), and reads the
 * runner's JSON report (jest's, or vitest's in jest's shape).
 */
async function runSpecs(
  app: string,
  script: string,
  reportArgs: string[],
): Promise<{ files: string[]; passed: number; failed: number }> {
  const report = join(app, `${script.replace(':', '-')}-report.json`);
  await run(
    NPM,
    ['run', script, '--', ...reportArgs, `--outputFile=${report}`],
    app,
    { ACEDATA_API_TOKEN: '' },
  );
  const { testResults, numPassedTests, numFailedTests } = JSON.parse(
    readFileSync(report, 'utf8'),
  ) as {
    testResults: { name: string }[];
    numPassedTests: number;
    numFailedTests: number;
  };
  return {
    files: testResults
      .map((r) => r.name.split(/[/\\]/).at(-1) ?? '')
      .toSorted(),
    passed: numPassedTests,
    failed: numFailedTests,
  };
}

/** The README's two specs, both passing. */
const SPECS_PASSED = {
  files: ['app.module.spec.ts', 'kyc.service.spec.ts'],
  passed: 2,
  failed: 0,
};

/**
 * Boots the README's `main.ts` (module wiring, the global filter, the
 * controller) against the package's `acedata-sandbox` command and calls it
 * over HTTP.
 */
async function bootReadmeApp(app: string): Promise<void> {
  const sandbox = await startNodeProcess(
    join(app, 'node_modules/.bin/acedata-sandbox'),
    { env: { SANDBOX_PORT: '0' } },
  );
  let server: NodeProcess | undefined;
  try {
    server = await startNodeProcess(join(app, 'dist/main.js'), {
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
      charged: true,
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
}

/**
 * Packs the library (after `npm run build:lib`, which `npm test` runs), then
 * installs the tarball into two apps outside the repository, each shaped like
 * the starter of its Nest major, from a registry on loopback that serves only
 * what this repository locked (tarballs from the npm cache): no network.
 */
describe('the packed library in the apps people run', () => {
  let workdir: string;
  let packedFiles: string[];
  let tarball: string;
  let registry: LocalRegistry;

  beforeAll(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'phone-verification-consumer-'));
    const packed = JSON.parse(
      (
        await run(
          NPM,
          ['pack', '--json', '--pack-destination', workdir],
          LIBRARY,
        )
      ).stdout,
    ) as { filename: string; files: { path: string }[] }[];
    tarball = join(workdir, packed[0].filename);
    packedFiles = packed[0].files.map((f) => f.path);
    const manifest = JSON.parse(
      readFileSync(join(LIBRARY, 'package.json'), 'utf8'),
    ) as { name: string; version: string };
    registry = await startLocalRegistry(join(REPO, 'package-lock.json'), [
      {
        manifest,
        tarball,
        integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      },
    ]);
  }, 60_000);

  afterAll(async () => {
    await registry?.close();
    rmSync(workdir, { recursive: true, force: true });
  });

  it('packs both builds (JS and .d.ts), the README and the changelog, nothing else', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'dist/cjs/package.json',
        ...['esm', 'cjs'].flatMap((build) => [
          `dist/${build}/index.js`,
          `dist/${build}/index.d.ts`,
          `dist/${build}/testing/index.js`,
          `dist/${build}/testing/index.d.ts`,
        ]),
      ]),
    );
    const unexpected = packedFiles.filter(
      (f) =>
        !/^dist\/(esm|cjs)\/.+\.(js|d\.ts)$/.test(f) &&
        ![
          'package.json',
          'dist/cjs/package.json',
          'README.md',
          'CHANGELOG.md',
        ].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles.some((f) => f.includes('.spec.'))).toBe(false);
  });

  it('a Nest 11 CommonJS app (its starter jest config untouched) installs the packed tarball with the README line (a plain npm install), compiles, boots and runs the README specs', async () => {
    const { app, npmWarnings } = await installConsumer(
      workdir,
      'nest11-commonjs',
      registry,
      { tarball },
    );
    // Nothing it installs declares a Node it does not run on.
    expect(npmWarnings).not.toContain('EBADENGINE');
    expect(installedVersion(app, '@nestjs/core')).toMatch(/^11\./);
    // The README's Nest 11 line names the 4s: the 12s install too, but are
    // ESM only, which the starter's CommonJS jest cannot load.
    expect(installedVersion(app, '@nestjs/axios')).toMatch(/^4\./);
    expect(installedVersion(app, '@nestjs/config')).toMatch(/^4\./);
    await run(NPM, ['run', 'build'], app);
    // An older CommonJS setup (`moduleResolution: node`) finds `/testing` too.
    await run(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node10.json'],
      app,
    );
    expect(await runProbe(app)).toEqual(PROBE_REPORT);
    await bootReadmeApp(app);
    expect(await runSpecs(app, 'test', ['--ci', '--json'])).toEqual(
      SPECS_PASSED,
    );
  }, 600_000);

  it('a Nest 12 ESM app (vitest, as its starter) installs it by name from a registry with the README line (a plain npm install), compiles, boots and runs the README specs under vitest and jest', async () => {
    const { app } = await installConsumer(
      workdir,
      'nest12-esm',
      registry,
      'registry',
    );
    expect(installedVersion(app, '@nestjs/core')).toMatch(/^12\./);
    await run(NPM, ['run', 'build'], app);
    expect(await runProbe(app)).toEqual(PROBE_REPORT);
    await bootReadmeApp(app);
    expect(await runSpecs(app, 'test', ['--reporter=json'])).toEqual(
      SPECS_PASSED,
    );
    expect(await runSpecs(app, 'test:jest', ['--ci', '--json'])).toEqual(
      SPECS_PASSED,
    );
  }, 600_000);

  it('every TypeScript block of the README is one of the consumer app files, verbatim', () => {
    const blocks = [...README.matchAll(/```ts\n(.*?)```\n/gs)].map((m) => m[1]);
    const fileOf = (block: string) => {
      const match = /^\/\/ (\S+\.ts)( \(CommonJS\))?\n/.exec(block);
      return match
        ? join(match[2] ? COMMONJS_SNIPPETS : SNIPPETS, match[1])
        : undefined;
    };
    const files = [SNIPPETS, COMMONJS_SNIPPETS].flatMap((dir) =>
      readdirSync(dir).map((f) => join(dir, f)),
    );
    expect(blocks.map(fileOf).toSorted()).toEqual(files.toSorted());
    for (const block of blocks) {
      expect(block).toBe(readFileSync(fileOf(block) ?? '', 'utf8'));
    }
  });
});
