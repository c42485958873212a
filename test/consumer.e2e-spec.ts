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

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
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

  it('installs offline, compiles with tsc, boots and verifies one identity', () => {
    const app = join(workdir, 'app');
    cpSync(join(REPO, 'test/consumer-app'), app, { recursive: true });
    const peers = [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/axios',
      '@nestjs/config',
      '@nestjs/testing',
      'axios',
      'rxjs',
      'reflect-metadata',
      'class-validator',
      '@types/node',
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
    const output =
      run(process.execPath, ['dist/main.js'], app).trim().split('\n').at(-1) ??
      '';
    expect(JSON.parse(output)).toEqual({
      status: 'consistent',
      rejected: true,
      calls: 1,
    });
  }, 240_000);
});
