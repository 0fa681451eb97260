// Workspace detection (§5): the nearest ancestor of a session's cwd marked by `.git` or `.mcplex.yaml`.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// Files or directories whose presence marks a directory as a workspace root.
export const WORKSPACE_MARKERS = ['.git', '.mcplex.yaml'] as const;

// Returns the nearest ancestor of `cwd` (inclusive) holding a workspace marker, else `cwd` itself (absolute, normalized).
export function findWorkspace(cwd: string): string {
  const start = resolve(cwd);
  let dir = start;
  for (;;) {
    if (WORKSPACE_MARKERS.some((marker) => existsSync(join(dir, marker)))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}
