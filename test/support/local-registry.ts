import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** What a package-lock.json (v3) says of one installed package. */
interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  [field: string]: unknown;
}

/** The fields of a lock entry that npm reads from a registry's version manifest. */
const MANIFEST_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'libc',
  'license',
  'hasInstallScript',
] as const;

/** A package to publish besides the locked ones: its manifest and its tarball. */
export interface PublishedTarball {
  manifest: { name: string; version: string; [field: string]: unknown };
  tarball: string;
  integrity: string;
}

/** A registry on loopback, for `registry=` in a consumer's `.npmrc`. */
export interface LocalRegistry {
  readonly url: string;
  /** Tarballs asked for that it could not serve (`name@version`). */
  readonly missing: string[];
  close(): Promise<void>;
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Where npm keeps a tarball of this integrity in its cache (cacache's content-v2 layout). */
function cachedTarball(cacheDir: string, integrity: string): string {
  const [algorithm, digest] = integrity.split(' ')[0].split(/-(.*)/s);
  const hex = Buffer.from(digest, 'base64').toString('hex');
  return join(
    cacheDir,
    '_cacache',
    'content-v2',
    algorithm,
    hex.slice(0, 2),
    hex.slice(2, 4),
    hex.slice(4),
  );
}

const parseVersion = (v: string): number[] => v.split('.').map(Number);

/** The highest release version (x.y.z); pre-releases are left out. */
function latestRelease(versions: string[]): string | undefined {
  return versions
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v))
    .toSorted((a, b) => {
      const [x, y] = [parseVersion(a), parseVersion(b)];
      return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
    })[0];
}

/**
 * Starts an npm registry on loopback that knows exactly the packages of this
 * repository's lock file (every version of every package it installed, the
 * consumer workspaces' included), serving their tarballs from the npm cache
 * that `npm ci` filled, plus `published` (the packed library). A consumer app
 * pointed at it installs with a plain `npm install`, resolving versions and
 * peers as npm does against the real registry, with no network.
 */
export async function startLocalRegistry(
  lockfilePath: string,
  published: PublishedTarball[],
): Promise<LocalRegistry> {
  const cacheDir = execFileSync(NPM, ['config', 'get', 'cache'], {
    encoding: 'utf8',
  }).trim();
  const lock = JSON.parse(readFileSync(lockfilePath, 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const versions = new Map<
    string,
    Map<string, { entry: LockEntry; file?: string }>
  >();
  const add = (
    name: string,
    version: string,
    entry: LockEntry,
    file?: string,
  ) => {
    const known = versions.get(name) ?? new Map();
    versions.set(name, known);
    if (!known.has(version)) known.set(version, { entry, file });
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at === -1 || entry.link || !entry.version || !entry.integrity) continue;
    add(
      entry.name ?? path.slice(at + 'node_modules/'.length),
      entry.version,
      entry,
    );
  }
  for (const p of published) {
    add(
      p.manifest.name,
      p.manifest.version,
      { ...p.manifest, integrity: p.integrity },
      p.tarball,
    );
  }

  const missing: string[] = [];
  let base = '';
  const packument = (name: string) => {
    const known = versions.get(name);
    if (!known) return undefined;
    const manifests = Object.fromEntries(
      [...known].map(([version, { entry }]) => [
        version,
        {
          name,
          version,
          ...Object.fromEntries(
            MANIFEST_FIELDS.filter((f) => entry[f] !== undefined).map((f) => [
              f,
              entry[f],
            ]),
          ),
          dist: {
            tarball: `${base}/-/${encodeURIComponent(name)}/${version}.tgz`,
            integrity: entry.integrity,
          },
        },
      ]),
    );
    const latest = latestRelease([...known.keys()]) ?? [...known.keys()][0];
    return { name, 'dist-tags': { latest }, versions: manifests };
  };

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const tarball = /^\/-\/(.+)\/([^/]+)\.tgz$/.exec(path);
    if (tarball) {
      const [, name, version] = tarball;
      const found = versions.get(name)?.get(version);
      const file =
        found &&
        (found.file ?? cachedTarball(cacheDir, String(found.entry.integrity)));
      if (!file || !existsSync(file)) {
        missing.push(`${name}@${version}`);
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      createReadStream(file).pipe(res);
      return;
    }
    const doc = packument(path.slice(1));
    if (!doc) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":"not found"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    missing,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
