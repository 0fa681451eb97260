// The command line a client registers to reach mcplex: the native shim where this install has one (building it
// first if the install script did not run and a C compiler is here), else the Node shim. Nothing to choose.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** dist/native/mcplex-shim, built by native/build.mjs. */
const NATIVE_SHIM = fileURLToPath(new URL('../native/mcplex-shim', import.meta.url));
const NATIVE_BUILD = fileURLToPath(new URL('../../native/build.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../bin/mcplex.js', import.meta.url));

/** True if the native shim is here and runs on this machine (`--help` exits 0). */
function nativeRuns(): boolean {
  return fs.existsSync(NATIVE_SHIM) && spawnSync(NATIVE_SHIM, ['--help'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** The shim's command line: [native binary] or [node, mcplex.js, 'shim']. */
export function shimCommand(): string[] {
  if (!nativeRuns() && fs.existsSync(NATIVE_BUILD)) spawnSync(process.execPath, [NATIVE_BUILD], { stdio: ['ignore', 'ignore', 'inherit'] });
  return nativeRuns() ? [NATIVE_SHIM] : [process.execPath, CLI, 'shim'];
}
