import { defineConfig } from 'vitest/config';
import { findCompiler } from './native/build.mjs';

/**
 * The shim-facing test files, run a second time with every shim the harness launches being the native one
 * (MCPLEX_TEST_SHIM=native): the channel, the daemon lifecycle, routing and framing, the spine, daemon death.
 * (test/native-shim.test.ts runs once: it drives both shims side by side.)
 */
const NATIVE_SHIM_FILES = ['test/channel.test.ts', 'test/daemon.test.ts', 'test/routing.test.ts', 'test/spine.test.ts', 'test/supervision.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn daemons and real MCP servers; two cores run them best one file at a time.
    fileParallelism: false,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      // Where no C compiler is present the native shim is not built, and only the Node shim is tested.
      ...(findCompiler()
        ? [{ extends: true, test: { name: 'native-shim', include: NATIVE_SHIM_FILES, env: { MCPLEX_TEST_SHIM: 'native' }, sequence: { groupOrder: 1 } } }]
        : []),
    ],
  },
});
