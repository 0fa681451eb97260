import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn daemons and real MCP servers; two cores run them best one file at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
