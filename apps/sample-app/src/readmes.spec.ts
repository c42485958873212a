import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The code of a source file, its comments removed. */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replaceAll(/\/\*[\s\S]*?\*\//g, '')
    .replaceAll(/^\s*\/\/.*$/gm, '');
}

/**
 * The environment variables a file reads: `env.NAME`, `env['NAME']`, and a
 * name passed to a reader (`text(env, 'NAME')`, `invalid('NAME', …)`).
 */
function variablesReadBy(files: string[]): Set<string> {
  const found = new Set<string>();
  const pattern =
    /(?:env\.|env\[['"]|env,\s*['"]|(?<!Symbol)\(\s*['"])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g;
  for (const file of files) {
    for (const match of code(file).matchAll(pattern)) found.add(match[1]);
  }
  return found;
}

/**
 * The variables a README's tables name: `FULL_NAME`, and the shorthand
 * `_SUFFIX` beside a full name on the same row (`…_FAILURE_RATE`, `_MIN_CALLS`).
 */
function variablesInTables(readme: string): Set<string> {
  const named = new Set<string>();
  for (const row of readFileSync(readme, 'utf8').split('\n')) {
    if (!row.startsWith('|')) continue;
    const full = [
      ...row.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g),
    ].map((m) => m[1]);
    const short = [...row.matchAll(/`(_[A-Z0-9_]+)`/g)].map((m) => m[1]);
    for (const name of full) {
      named.add(name);
      const parts = name.split('_');
      for (let i = 1; i < parts.length; i++) {
        for (const suffix of short)
          named.add(parts.slice(0, i).join('_') + suffix);
      }
    }
  }
  return named;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => join(dir, file));
}

const LIBRARY_READERS = [
  'libs/phone-verification/src/phone-verification.config.ts',
  'libs/phone-verification/src/env-variables.ts',
  'libs/phone-verification/src/ledger/ledger-env.ts',
];

describe('every environment variable read is in a README table', () => {
  it('the library README lists every variable its readers take', () => {
    const read = variablesReadBy(LIBRARY_READERS);
    expect(read.size).toBeGreaterThan(20);
    const listed = variablesInTables('libs/phone-verification/README.md');
    expect([...read].filter((name) => !listed.has(name)).toSorted()).toEqual(
      [],
    );
  });

  it('the repository README lists every variable the apps read, theirs and the library’s', () => {
    const read = variablesReadBy([
      ...sourcesUnder('apps/sample-app/src'),
      ...sourcesUnder('apps/batch-verifier/src'),
      ...LIBRARY_READERS,
    ]);
    // The apps give the library their own ledger (DATABASE_URL, else the
    // embedded one in SAMPLE_APP_LEDGER_DIR): these two are the library's
    // way for apps that do not.
    read.delete('PHONE_VERIFICATION_LEDGER_DATABASE_URL');
    read.delete('PHONE_VERIFICATION_LEDGER_DIR');
    expect(read).toContain('SAMPLE_APP_PRICE_PER_CALL_CNY');
    const listed = variablesInTables('README.md');
    expect([...read].filter((name) => !listed.has(name)).toSorted()).toEqual(
      [],
    );
  });
});

/** GitHub's anchor of a heading. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replaceAll('`', '')
    .replaceAll(/[^\p{L}\p{N}_\- ]/gu, '')
    .replaceAll(' ', '-');
}

describe('each README opens with contents that match its sections', () => {
  it.each(['README.md', 'libs/phone-verification/README.md'])(
    '%s',
    (readme) => {
      const text = readFileSync(readme, 'utf8').replaceAll(
        /```[\s\S]*?```/g,
        '',
      );
      const headings = [...text.matchAll(/^(##|###) (.+)$/gm)]
        .map((m) => ({ level: m[1], title: m[2] }))
        .filter((h) => h.title !== 'Contents');
      const contents = /^## Contents\n\n((?:\s*- .+\n)+)/m.exec(text)?.[1];
      expect(contents).toBeDefined();
      expect(contents?.trimEnd().split('\n')).toEqual(
        headings.map(
          ({ level, title }) =>
            `${level === '##' ? '' : '  '}- [${title.replaceAll('`', '')}](#${anchorOf(title)})`,
        ),
      );
      // The five-minute path comes first.
      expect(headings[0].title).toMatch(/^(Five-minute start|Install)$/);
    },
  );
});
