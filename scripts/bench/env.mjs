// Shared constants and small helpers for the benchmark: paths, quick mode, timing, bounded waits.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = path.join(ROOT, 'dist/bin/mcplex.js');
export const NODE = process.execPath;
/** The native shim (built by `npm run build` where a C compiler is present). */
export const NATIVE_SHIM = path.join(ROOT, 'dist/native/mcplex-shim');
/** The shim kinds this run measures: the Node shim always, the native one when it is built. */
export const SHIM_KINDS = fs.existsSync(NATIVE_SHIM) ? ['node', 'native'] : ['node'];

/** The command line of a shim of `kind`: [command, args]. */
export function shimArgv(kind, args = []) {
  return kind === 'native' ? [NATIVE_SHIM, args] : [NODE, [CLI, 'shim', ...args]];
}
/** BENCH_QUICK=1: a fast smoke run with small counts. */
export const QUICK = !!process.env.BENCH_QUICK && process.env.BENCH_QUICK !== '0';

/** Absolute entry file of a real MCP server package from node_modules. */
export function serverEntry(pkg) {
  return require.resolve(`@modelcontextprotocol/server-${pkg}/dist/index.js`);
}

/** Absolute path of a package's bin script. */
export function binOf(pkg, rel) {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), rel);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

/** Rejects if `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Polls `check` until truthy, at most `ms`. */
export async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Runs `fn(i)` for i in [0, n) with at most `limit` in flight; resolves with the results in order. */
export async function pool(n, limit, fn) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

/** A process environment without any MCPLEX_* variable of the caller. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('MCPLEX_')) env[k] = v;
  return { ...env, ...extra };
}

/** Temporary directories this run made and has not removed yet. */
export const liveDirs = new Set();

/** A new temporary directory (real path) named mcplex-bench-<tag>-…; remove it with removeDir. */
export function tempDir(tag = '') {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `mcplex-bench-${tag ? `${tag}-` : ''}`)));
  liveDirs.add(dir);
  return dir;
}

/** Removes a directory made by tempDir (retrying while a dying process still writes into it). */
export function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  liveDirs.delete(dir);
}
