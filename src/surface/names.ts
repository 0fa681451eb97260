// Naming of tools on the direct surface: `<server>__<tool>`.
//
// MCP clients commonly restrict tool names to `^[A-Za-z0-9_-]{1,64}$`, so:
//   - characters outside [A-Za-z0-9_-] are replaced by `_`;
//   - names longer than 64 characters are truncated and suffixed with `_` + 8 hex chars of
//     sha256(`<server>__<tool>`) (of the ORIGINAL strings), which keeps them stable and distinct.
// Shortened/sanitized names cannot be split back, so reverse lookup goes through a `DirectNames`
// map built for each listing.

import { createHash } from 'node:crypto';

export const MAX_TOOL_NAME = 64;
export const SEPARATOR = '__';

const HASH_LEN = 8;

/** Replace every character outside [A-Za-z0-9_-] with `_`. */
export function sanitizeName(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, '_');
}

function hash8(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('hex').slice(0, HASH_LEN);
}

/** `base` cut so that `base + '_' + hash` is at most MAX_TOOL_NAME characters. */
function withHash(base: string, hash: string): string {
  return `${base.slice(0, MAX_TOOL_NAME - HASH_LEN - 1)}_${hash}`;
}

/**
 * The direct-surface name of `tool` on `server`: `${server}__${tool}` (sanitized) when it fits in
 * 64 characters, otherwise truncated and suffixed with `_` + 8 hex chars of
 * sha256(`${server}__${tool}`) so the result is exactly 64 characters and stable.
 * Pure; does not guard against collisions (use `DirectNames` for that).
 */
export function directName(server: string, tool: string): string {
  const name = `${sanitizeName(server)}${SEPARATOR}${sanitizeName(tool)}`;
  if (name.length <= MAX_TOOL_NAME) return name;
  return withHash(name, hash8(`${server}${SEPARATOR}${tool}`));
}

export interface DirectTarget {
  server: string;
  tool: string;
}

/**
 * Two-way map between (server, tool) and direct-surface names, built per tools/list.
 * Collisions are impossible: when a name is already taken by a different original, the newcomer
 * gets the hash-suffixed form (re-salted in the astronomically unlikely case that is taken too).
 */
export class DirectNames {
  private readonly byName = new Map<string, DirectTarget>();
  private readonly byKey = new Map<string, string>();

  private static key(server: string, tool: string): string {
    return `${server}\u0000${tool}`;
  }

  /** Register (server, tool) and return its unique direct name. Idempotent. */
  add(server: string, tool: string): string {
    const key = DirectNames.key(server, tool);
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;

    let name = directName(server, tool);
    if (this.byName.has(name)) {
      const base = `${sanitizeName(server)}${SEPARATOR}${sanitizeName(tool)}`;
      const original = `${server}${SEPARATOR}${tool}`;
      name = withHash(base, hash8(original));
      for (let salt = 1; this.byName.has(name); salt++) {
        name = withHash(base, hash8(`${original}#${salt}`));
      }
    }
    this.byName.set(name, { server, tool });
    this.byKey.set(key, name);
    return name;
  }

  /** The original (server, tool) for a direct name, or undefined if unknown. */
  resolve(name: string): DirectTarget | undefined {
    const t = this.byName.get(name);
    return t ? { server: t.server, tool: t.tool } : undefined;
  }

  /** The direct name previously assigned to (server, tool), if any. */
  nameOf(server: string, tool: string): string | undefined {
    return this.byKey.get(DirectNames.key(server, tool));
  }

  get size(): number {
    return this.byName.size;
  }

  *entries(): IterableIterator<[string, DirectTarget]> {
    for (const [name, t] of this.byName) yield [name, { server: t.server, tool: t.tool }];
  }
}
