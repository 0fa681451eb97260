#!/usr/bin/env node
// Entry point: `mcplex shim` loads only the small shim bundle; every other command loads the CLI.

const SHIM_BUNDLE = '../shim.mjs';
const CLI = '../cli/main.js';

if (process.argv[2] === 'shim') {
  const shim = (await import(SHIM_BUNDLE)) as { runShim(argv: string[]): Promise<void> };
  await shim.runShim(process.argv.slice(3));
} else {
  const cli = (await import(CLI)) as { main(argv: string[]): Promise<void> };
  await cli.main(process.argv);
}
