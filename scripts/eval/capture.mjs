// Refreshes scripts/eval/corpus.json: installs each eval server's npm package into .cache/eval-servers (never a project
// dependency), starts it over stdio with dummy credentials, lists its tools, and writes every manifest to the corpus.
// --extra: the servers of the second corpus (EXTRA_SERVERS → corpus-extra.json) instead; --old: older versions of
// some eval servers (OLDER_VERSIONS → corpus-old.json); --more: popular servers outside the query sets (MORE_SERVERS →
// corpus-more.json).
// Usage: node scripts/eval/capture.mjs [--extra | --old | --more] [--no-install] [--only name,name]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnLine } from '../bench/jsonl.mjs';
import { EVAL_SERVERS, EXTRA_SERVERS, MORE_SERVERS, OLDER_VERSIONS } from './servers.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SET = ['extra', 'old', 'more'].find((set) => process.argv.includes(`--${set}`)) ?? '';
const SERVERS = {
  '': EVAL_SERVERS,
  extra: EXTRA_SERVERS,
  old: EVAL_SERVERS.filter((s) => s.name in OLDER_VERSIONS).map((s) => ({ ...s, version: OLDER_VERSIONS[s.name] })),
  more: MORE_SERVERS,
}[SET];
const CACHE = path.join(ROOT, SET ? `.cache/eval-servers-${SET}` : '.cache/eval-servers');
const OUT = path.join(ROOT, `scripts/eval/corpus${SET ? `-${SET}` : ''}.json`);
const log = (s) => process.stderr.write(s + '\n');

function install() {
  fs.mkdirSync(CACHE, { recursive: true });
  const manifest = path.join(CACHE, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{"name":"mcplex-eval-servers","private":true}\n');
  const specs = SERVERS.map((s) => `${s.pkg}@${s.version}`);
  log(`installing ${specs.length} packages into ${path.relative(ROOT, CACHE)} (scripts off: no browser or binary downloads)…`);
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: CACHE,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  });
  const native = [...new Set(SERVERS.flatMap((s) => s.native ?? []))];
  if (!native.length) return;
  log(`compiling ${native.join(', ')} from source against this node's headers…`);
  execFileSync('npm', ['rebuild', '--build-from-source', '--loglevel=error', ...native], {
    cwd: CACHE,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, npm_config_nodedir: path.dirname(path.dirname(process.execPath)) },
  });
}

function packageJson(pkg) {
  return JSON.parse(fs.readFileSync(path.join(CACHE, 'node_modules', pkg, 'package.json'), 'utf8'));
}

// The package's executable (its only bin, or the one named like the package).
function entry(pkg) {
  const pj = packageJson(pkg);
  const bins = typeof pj.bin === 'string' ? { [pkg]: pj.bin } : pj.bin ?? {};
  const names = Object.keys(bins);
  const name = names.length === 1 ? names[0] : names.find((n) => pkg.endsWith(n)) ?? names[0];
  if (!name) throw new Error(`${pkg} has no bin`);
  return path.join(CACHE, 'node_modules', pkg, bins[name]);
}

async function capture(server, tmp) {
  const fill = (s) => s.replaceAll('{{tmp}}', tmp);
  const pj = packageJson(server.pkg);
  if (pj.version !== server.version) throw new Error(`${server.pkg} is ${pj.version} in the cache, ${server.version} wanted: run without --no-install`);
  const env = { PATH: process.env.PATH, HOME: tmp, TMPDIR: tmp, LANG: 'C.UTF-8', DO_NOT_TRACK: '1' };
  for (const [k, v] of Object.entries(server.env ?? {})) env[k] = fill(v);
  for (const [name, text] of Object.entries(server.files ?? {})) fs.writeFileSync(path.join(tmp, name), fill(text));
  const c = spawnLine(process.execPath, [entry(server.pkg), ...(server.args ?? []).map(fill)], { env, cwd: tmp });
  try {
    const init = await c.initialize(60_000);
    const tools = await c.listTools();
    return {
      name: server.name,
      package: server.pkg,
      version: server.version,
      description: pj.description ?? '',
      serverInfo: init.serverInfo ?? {},
      ...(init.instructions ? { instructions: init.instructions } : {}),
      tools: tools.map((t) => ({
        name: t.name,
        ...(t.title ? { title: t.title } : {}),
        description: t.description ?? '',
        inputSchema: t.inputSchema ?? { type: 'object' },
        ...(t.annotations ? { annotations: t.annotations } : {}),
      })),
    };
  } catch (err) {
    throw new Error(`${server.name}: ${err.message}\n${c.stderr.slice(-800)}`);
  } finally {
    await c.close();
  }
}

// JSON with one tool per line, so a refresh shows as a readable diff.
function formatCorpus(capturedAt, servers) {
  const server = ({ tools, ...rest }) => `${JSON.stringify(rest).slice(0, -1)},"tools":[\n${tools.map((t) => `  ${JSON.stringify(t)}`).join(',\n')}\n]}`;
  return `{"capturedAt":${JSON.stringify(capturedAt)},"servers":[\n${servers.map(server).join(',\n')}\n]}\n`;
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
  if (!args.includes('--no-install')) install();
  const previous = fs.existsSync(OUT) ? JSON.parse(fs.readFileSync(OUT, 'utf8')).servers : [];
  const byName = new Map(previous.map((s) => [s.name, s]));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-eval-capture-'));
  let failed = 0;
  try {
    for (const server of SERVERS) {
      if (only && !only.includes(server.name)) continue;
      try {
        const m = await capture(server, tmp);
        byName.set(server.name, m);
        log(`  ${server.name}: ${m.tools.length} tools`);
      } catch (err) {
        failed++;
        log(`  ${err.message}`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const servers = SERVERS.map((s) => byName.get(s.name)).filter(Boolean);
  const tools = servers.reduce((n, s) => n + s.tools.length, 0);
  fs.writeFileSync(OUT, formatCorpus(new Date().toISOString().slice(0, 10), servers));
  log(`wrote ${path.relative(ROOT, OUT)}: ${servers.length} servers, ${tools} tools${failed ? `; ${failed} failed (kept their previous manifest if any)` : ''}`);
  process.exit(failed ? 1 : 0);
}

await main();
