import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * No import cycle in src/, type-only imports included (ESLint's import-x/no-cycle checks the runtime ones as you
 * type; a type-only cycle still ties two layers together, e.g. a job context that names the whole service container).
 */
const SRC = join(__dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each file's relative imports and re-exports (value and type), resolved to files under src/. */
function importGraph(paths: readonly string[]): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const p of paths) {
    const deps = ts
      .preProcessFile(readFileSync(p, 'utf8'), true, false)
      .importedFiles.map((f) => f.fileName)
      .filter((f) => f.startsWith('.'))
      .map((f) => [resolve(dirname(p), `${f}.ts`), resolve(dirname(p), f, 'index.ts')].find((c) => existsSync(c)))
      .filter((c): c is string => c !== undefined);
    g.set(p, deps);
  }
  return g;
}

/** The strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('imports', () => {
  test('no cycle in src/, type-only imports included', () => {
    const found = cycles(importGraph(files(SRC))).map((c) => c.map((p) => relative(SRC, p)));
    expect(found).toEqual([]);
  });

  test('the detector finds a planted cycle through a type-only import, and none in a chain', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    const dir = join(SRC, 'jobs');
    const planted = importGraph([join(dir, 'job.ts')]);
    // job.ts imports (types) from services/pipeline-step.ts; were pipeline-step.ts to name a Job type back, it is a cycle.
    const step = join(SRC, 'services', 'pipeline-step.ts');
    expect(planted.get(join(dir, 'job.ts'))).toContain(step);
    expect(cycles(new Map([...planted, [step, [join(dir, 'job.ts')]]])).length).toBe(1);
  });
});
