/**
 * Walks the imports of src/ and fails if they form a circle, or if plumbing imports a
 * capability. Imports point down: doors → capabilities → plumbing (README, "Layout").
 * Type-only imports count too: a circle of types is still a knot a newcomer has to untie.
 *
 *   npx tsx scripts/check-imports.ts        (part of `npm test`)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Folders (and files) of shared plumbing: they may import each other, never a capability or a door. */
const PLUMBING = ['config.ts', 'access-codes.ts', 'db/', 'line/', 'http/', 'calendar/', 'admin/', 'i18n.ts'];
/** The doors: nothing below imports them. */
const DOORS = ['index.ts', 'app.ts', 'api.ts', 'webhook.ts', 'scheduled.ts', 'console/'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`, over several lines too.
const IMPORT =
  /(?:^|[;\s])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*\(?\s*['"]([^'"]+)['"]/gm;

export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!).filter((s) => s.startsWith('.'));
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

const rel = (path: string) => relative(SRC, path).replaceAll('\\', '/');
const within = (path: string, places: string[]) =>
  places.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));

const graph = new Map<string, string[]>();
const problems: string[] = [];
for (const file of files(SRC)) {
  const targets: string[] = [];
  for (const spec of importsOf(readFileSync(file, 'utf8'))) {
    const target = resolveImport(file, spec);
    if (!target) {
      if (!spec.endsWith('.json')) problems.push(`${rel(file)}: cannot resolve '${spec}'`);
      continue;
    }
    if (!target.startsWith(SRC)) continue;
    targets.push(rel(target));
  }
  graph.set(rel(file), targets);
}

for (const [from, targets] of graph) {
  for (const to of targets) {
    if (within(to, DOORS) && !within(from, DOORS)) problems.push(`${from} imports the door ${to}`);
    else if (within(from, PLUMBING) && !within(to, PLUMBING))
      problems.push(`${from} (plumbing) imports ${to}, which is not plumbing`);
  }
}

// Tarjan's strongly connected components: every component of more than one file is a circle.
let index = 0;
const stack: string[] = [];
const state = new Map<string, { index: number; low: number; onStack: boolean }>();
function visit(node: string): void {
  const s = { index, low: index, onStack: true };
  index++;
  state.set(node, s);
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    const t = state.get(next);
    if (!t) {
      visit(next);
      s.low = Math.min(s.low, state.get(next)!.low);
    } else if (t.onStack) s.low = Math.min(s.low, t.index);
  }
  if (s.low === s.index) {
    const component: string[] = [];
    let n: string;
    do {
      n = stack.pop()!;
      state.get(n)!.onStack = false;
      component.push(n);
    } while (n !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node))
      problems.push(`import circle: ${component.sort().join(', ')}`);
  }
}
for (const node of graph.keys()) if (!state.has(node)) visit(node);

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`imports: ${graph.size} files of src/, no circle, plumbing imports no capability`);
