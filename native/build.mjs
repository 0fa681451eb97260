// Builds the native shim (native/*.c) into dist/native/mcplex-shim with the first C compiler found ($CC, cc, gcc,
// clang). Run by `npm install` (the package's own install script) and `npm run build`; `mcplex setup` runs it too
// when the binary is missing (an install whose scripts were not allowed). It never fails: without a compiler, or
// when compiling fails, it says so and the Node shim serves.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(HERE);

/** Where the native shim is built (ignored by git, left out of the package: every install builds its own). */
export const NATIVE_SHIM = path.join(ROOT, 'dist', 'native', 'mcplex-shim');

const FLAGS = ['-std=gnu99', '-O2', '-D_GNU_SOURCE', '-Wall', '-Wextra'];

/** The first working C compiler: $CC, then cc, gcc, clang; undefined if there is none (or on Windows). */
export function findCompiler(env = process.env) {
  if (process.platform === 'win32') return undefined;
  for (const cc of [env.CC, 'cc', 'gcc', 'clang']) {
    if (cc && spawnSync(cc, ['--version'], { stdio: 'ignore', env }).status === 0) return cc;
  }
  return undefined;
}

/** A C string literal. */
const cString = (s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * Builds the shim unless an identical build is in place; returns {built: path} or {skipped: reason}. The node that
 * runs this is baked in: a daemon start from a client that strips PATH still finds it.
 */
export function buildNativeShim(env = process.env) {
  const cc = findCompiler(env);
  if (!cc) return { skipped: process.platform === 'win32' ? 'the native shim is for Linux and macOS' : 'no C compiler found ($CC, cc, gcc or clang)' };
  const sources = fs.readdirSync(HERE).filter((f) => /\.[ch]$/.test(f)).sort();
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const defines = [`-DMCPLEX_VERSION=${cString(version)}`, `-DMCPLEX_NODE=${cString(process.execPath)}`];
  const hash = crypto.createHash('sha256').update(JSON.stringify([cc, FLAGS, defines]));
  for (const f of sources) hash.update(f).update(fs.readFileSync(path.join(HERE, f)));
  const stamp = `${NATIVE_SHIM}.stamp`;
  const digest = hash.digest('hex');
  if (fs.existsSync(NATIVE_SHIM) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === digest) return { built: NATIVE_SHIM };
  fs.mkdirSync(path.dirname(NATIVE_SHIM), { recursive: true });
  const tmp = `${NATIVE_SHIM}.${process.pid}.tmp`;
  const c = sources.filter((f) => f.endsWith('.c')).map((f) => path.join(HERE, f));
  const r = spawnSync(cc, [...FLAGS, ...defines, '-o', tmp, ...c], { encoding: 'utf8', env });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    return { skipped: `${cc} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(0, 5).join(' | ')}` };
  }
  fs.renameSync(tmp, NATIVE_SHIM); // a running shim keeps its old file
  fs.writeFileSync(stamp, digest);
  return { built: NATIVE_SHIM };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = buildNativeShim();
  process.stderr.write(r.built ? `mcplex: native shim ready: ${path.relative(process.cwd(), r.built) || r.built}\n` : `mcplex: native shim not built (${r.skipped}); the Node shim serves\n`);
}
