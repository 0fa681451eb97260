// Bundles `mcplex shim` into dist/shim.mjs: node builtins only (no SDK, pino, yaml or chokidar), for a fast start.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const forbidden = ['@modelcontextprotocol/sdk', 'pino', 'yaml', 'chokidar', 'zod', 'commander', 'ws'];

const result = await build({
  entryPoints: ['src/shim/main.ts'],
  outfile: 'dist/shim.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  metafile: true,
  define: { MCPLEX_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});

const leaked = Object.keys(result.metafile.inputs).filter((f) => forbidden.some((p) => f.includes(`node_modules/${p}/`)));
if (leaked.length) {
  console.error(`shim bundle must not include: ${leaked.join(', ')}`);
  process.exit(1);
}
