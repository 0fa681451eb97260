// Dependencies run one way: a module may import from its own folder or from a lower layer, never from a higher one.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/harness.js';

/** Layer of each src folder (and top-level file): higher layers compose lower ones. */
const LAYERS: Record<string, number> = {
  protocol: 0,
  config: 0,
  observe: 0,
  'version.ts': 0,
  env: 1,
  supervisor: 1,
  home: 2,
  router: 2,
  backends: 2,
  pool: 3,
  catalog: 4,
  surface: 5,
  session: 6,
  front: 7,
  shim: 7,
  daemon: 8,
  cli: 9,
  bin: 10,
};

const SRC = path.join(ROOT, 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function unitOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0]!;
}

describe('architecture', () => {
  const files = sources(SRC);

  it('every src folder has a layer', () => {
    for (const f of files) expect(LAYERS, `add ${unitOf(f)} to LAYERS`).toHaveProperty([unitOf(f)]);
  });

  it('no module imports from a higher layer or a sibling folder of the same layer', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = unitOf(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = unitOf(path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
        if (target === from) continue;
        if (LAYERS[target]! >= LAYERS[from]!) violations.push(`${path.relative(SRC, file)} imports ${m[1]} (${from} → ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });
});

// Every error code is documented where users look for it.
describe('error codes', () => {
  it('each code in src/protocol/errors.ts has a row in README', async () => {
    const { ERROR_CODES } = await import('../src/protocol/errors.js');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(readme, `README lacks ${code}`).toContain(`| \`${code}\` |`);
  });
});
