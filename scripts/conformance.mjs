// Runs @modelcontextprotocol/conformance --suite all (needs Node 22, from the npm package `node`) against mcplex's /mcp
// fronting server-everything, with test/conformance/expected-failures.yml as the baseline.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const tools = path.join(root, '.cache', 'conformance');
const node22 = path.join(tools, 'node_modules', '.bin', 'node');
const suite = path.join(tools, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const cli = path.join(root, 'dist', 'bin', 'mcplex.js');

// Node 22 and the suite live in their own folder so that npm scripts of this project keep running on Node 20.
if (!fs.existsSync(node22) || !fs.existsSync(suite)) {
  fs.mkdirSync(tools, { recursive: true });
  fs.writeFileSync(path.join(tools, 'package.json'), JSON.stringify({ name: 'mcplex-conformance-tools', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', 'node@22', '@modelcontextprotocol/conformance@0.1.16'], { cwd: tools, stdio: 'inherit' });
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-conformance-'));
const everything = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');
fs.writeFileSync(path.join(home, 'config.yaml'), `gateway:\n  port: 0\nservers:\n  everything:\n    command: ${process.execPath}\n    args: [${everything}, stdio]\n`);
const env = { ...process.env, MCPLEX_HOME: home, MCPLEX_PORT: '0' };
let code = 1;
try {
  execFileSync(process.execPath, [cli, 'start'], { env, stdio: 'inherit' });
  const { port } = JSON.parse(fs.readFileSync(path.join(home, 'daemon.json'), 'utf8'));
  const run = spawnSync(node22, [suite, 'server', '--url', `http://127.0.0.1:${port}/mcp`, '--suite', 'all', '--expected-failures', path.join(root, 'test/conformance/expected-failures.yml')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
  });
  // The per-scenario chatter is long; the summary says it all.
  const out = run.stdout ?? '';
  process.stdout.write(out.includes('=== SUMMARY ===') ? out.slice(out.indexOf('=== SUMMARY ===')) : out);
  code = run.status ?? 1;
} finally {
  spawnSync(process.execPath, [cli, 'stop'], { env, stdio: 'inherit' });
  fs.rmSync(home, { recursive: true, force: true });
}
console.log(code === 0 ? 'conformance: every scenario passed or is a listed fixture-name failure' : 'conformance: FAILED (see above)');
process.exit(code);
