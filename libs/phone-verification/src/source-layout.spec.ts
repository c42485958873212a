import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve('libs/phone-verification/src');

/** Every source file of the library (specs left out). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')
      ? [path]
      : [];
  });
}

/** The library files `file` imports, type-only imports and re-exports included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)\.js'/g)].map(
    (m) => resolve(dirname(file), `${m[1]}.ts`),
  );
}

/** The top folder of a library file; none for a file at the root. */
function folderOf(file: string): string | undefined {
  const parts = relative(ROOT, file).split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

const lineCount = (file: string): number =>
  readFileSync(file, 'utf8').split('\n').length - 1;

/** Each function, method or arrow of `file` whose body is over `max` lines, as `file:line (n lines)`. */
function longFunctions(file: string, max: number): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const lineOf = (pos: number) =>
    source.getLineAndCharacterOfPosition(pos).line + 1;
  const long: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const body = node.body as ts.Node;
      const lines = lineOf(body.getEnd()) - lineOf(body.getStart()) + 1;
      if (lines > max) {
        long.push(
          `${relative(ROOT, file)}:${lineOf(body.getStart())} (${lines} lines)`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return long;
}

/** The first cycle of a graph of imports, as the files around it; none: `undefined`. */
function findCycle(graph: ReadonlyMap<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return path.slice(path.indexOf(file));
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the library’s source layout', () => {
  it('keeps each transport and mapper file under about 150 lines', () => {
    const acedata = join(ROOT, 'acedata');
    const long = sources(acedata)
      .filter((f) => /(adapter|call|mapper|progress|client)\.ts$/.test(f))
      .map((f) => [relative(ROOT, f), lineCount(f)] as const)
      .filter(([, lines]) => lines > 150);
    expect(long).toEqual([]);
  });

  it('form no cycle (type-only imports included)', () => {
    const graph = new Map(sources(ROOT).map((f) => [f, importsOf(f)]));
    expect(findCycle(graph)?.map((f) => relative(ROOT, f))).toBeUndefined();
  });

  // A ratchet: issue 36 asks for 100 names at most; what left went to
  // …/wire, …/errors, …/validation or out of the API (CHANGELOG). Lower it
  // as names leave, never raise it.
  it('keep the main entry at 100 names or fewer (the wire format, the error classes and the field rules on entries of their own)', () => {
    const text = readFileSync(join(ROOT, 'index.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    const names = [...text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)]
      .flatMap((m) => m[1].split(','))
      .map((n) => n.replace(/^\s*type\s+/, '').trim())
      .filter(Boolean);
    expect(names.length).toBeGreaterThan(50);
    expect(names.length).toBeLessThanOrEqual(100);
    expect(names).not.toContain('decodeCheck3eRequest');
    expect(names).not.toContain('UpstreamTimeoutError');
    expect(names).not.toContain('validateMobile');
  });

  // Root files (the module's wiring, the clock, the tokens) are shared by
  // every folder; between the feature folders, arrows run one way only.
  it('form no cycle between folders (acedata, billing, budget, cache, ledger, single-flight, shared-store…)', () => {
    const graph = new Map<string, string[]>();
    for (const file of sources(ROOT)) {
      const from = folderOf(file);
      if (!from) continue;
      const to = importsOf(file)
        .map(folderOf)
        .filter((f): f is string => f !== undefined && f !== from);
      graph.set(from, [...new Set([...(graph.get(from) ?? []), ...to])]);
    }
    expect(graph.size).toBeGreaterThan(8);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('have no function over 60 lines', () => {
    expect(sources(ROOT).flatMap((f) => longFunctions(f, 60))).toEqual([]);
  });

  // A ratchet: issue 36 asks for about 220 lines at most (data tables
  // aside). The files still over it may not grow; lower a cap as one
  // shrinks, remove it once under 220.
  it('have no file over 220 lines but the few still being split, none growing', () => {
    const over: Record<string, number> = {
      'testing/sandbox/sandbox.identities.ts': 310,
    };
    const tooLong = sources(ROOT)
      .map((f) => [relative(ROOT, f), lineCount(f)] as const)
      .filter(([file, lines]) => lines > (over[file] ?? 220));
    expect(tooLong).toEqual([]);
  });

  it('the function checker finds a long function', () => {
    const file = join(ROOT, 'ledger/ledger-write-path.ts');
    expect(longFunctions(file, 5).length).toBeGreaterThan(3);
  });

  it('the checker finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c']);
    expect(findCycle(new Map([['a', ['b']]]))).toBeUndefined();
  });
});

/** Every source file of the apps (specs left out). */
const appSources = (): string[] => sources(resolve('apps'));

describe('the apps’ boundaries with the library', () => {
  it('never write process.env: the library’s options are built once and passed', () => {
    const writes = appSources().filter((f) =>
      /process\.env(\.\w+|\[[^\]]+\])\s*=(?!=)/.test(readFileSync(f, 'utf8')),
    );
    expect(writes.map((f) => relative(resolve('apps'), f))).toEqual([]);
  });

  it('take the sandbox from its own entry, never /testing (which loads @nestjs/testing)', () => {
    const testingImports = appSources().filter((f) =>
      readFileSync(f, 'utf8').includes("'@app/phone-verification/testing'"),
    );
    expect(testingImports.map((f) => relative(resolve('apps'), f))).toEqual([]);
  });
});
