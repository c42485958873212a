import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

/** The registry address of a package's tarball (what npm writes when it records one). */
function tarballUrl(name: string, version: string): string {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  return `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`;
}

/** Where npm would find `name` from the package installed at `from`. */
function locate(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

function requiredOf(entry: LockEntry): string[] {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}).filter(
      (p) => !optionalPeers[p]?.optional,
    ),
  ];
}

/**
 * Writes a lockfile for the consumer app from this repository's own: the
 * consumer's dependencies at the versions installed here, their whole closure
 * as locked here, and the library tarball with its integrity. With it,
 * `npm install --offline` takes every tarball from the npm cache that
 * `npm ci` filled, without needing registry metadata.
 */
export function consumerLockfile(
  repoLockPath: string,
  rootDependencies: Record<string, string>,
  library: { name: string; tarball: string; manifest: LockEntry },
): object {
  const repo = JSON.parse(readFileSync(repoLockPath, 'utf8')) as Lockfile;
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer-app', dependencies: rootDependencies },
  };
  const libraryPath = `node_modules/${library.name}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(library.tarball)).digest('base64')}`;
  packages[libraryPath] = {
    version: String(library.manifest.version),
    resolved: `file:${library.tarball}`,
    integrity,
    ...(library.manifest.dependencies
      ? { dependencies: library.manifest.dependencies }
      : {}),
    ...(library.manifest.peerDependencies
      ? { peerDependencies: library.manifest.peerDependencies }
      : {}),
    // Optional peers (ioredis) stay out of the install, as npm leaves them.
    ...(library.manifest.peerDependenciesMeta
      ? { peerDependenciesMeta: library.manifest.peerDependenciesMeta }
      : {}),
    // npm links commands from what the lockfile says, not the package.
    ...(library.manifest.bin ? { bin: library.manifest.bin } : {}),
  };
  const queue: [string, string][] = [
    ...Object.keys(rootDependencies)
      .filter((n) => n !== library.name)
      .map((n) => ['', n] as [string, string]),
    ...requiredOf(library.manifest).map((n) => ['', n] as [string, string]),
  ];
  while (queue.length > 0) {
    const [from, name] = queue.shift() as [string, string];
    const path = locate(repo.packages, from, name);
    if (!path || packages[path]) continue;
    const {
      dev: _dev,
      devOptional: _devOptional,
      peer: _peer,
      ...entry
    } = repo.packages[path];
    // With the tarball's address and integrity, npm takes it from the cache
    // without asking the registry for metadata.
    packages[path] = {
      resolved: tarballUrl(name, String(entry.version)),
      ...entry,
    };
    for (const dep of requiredOf(entry)) queue.push([path, dep]);
  }
  return { name: 'consumer-app', lockfileVersion: 3, requires: true, packages };
}
