// Naming of tools on the direct surface: `<server>__<tool>`.
//
// MCP clients commonly restrict tool names to `^[A-Za-z0-9_-]{1,64}$`, and put their own prefix before
// them (Claude Code: `mcp__<registered name>__`), so each session has a budget (64 less that prefix):
//   - characters outside [A-Za-z0-9_-] are replaced by `_`;
//   - names longer than the budget are truncated and suffixed with `_` + 8 hex chars of
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

/** Fewest characters of the server part kept in a shortened name. */
const MIN_SERVER = 4;

/**
 * A shortened name of at most `max` characters: the server part is cut first (to no fewer than MIN_SERVER
 * characters), then the tool part, so the tool stays readable; `_` + `hash` keeps it unique and stable.
 */
function withHash(server: string, tool: string, hash: string, max: number): string {
  const room = max - HASH_LEN - 1;
  const serverPart = server.slice(0, Math.max(MIN_SERVER, room - SEPARATOR.length - tool.length));
  return `${`${serverPart}${SEPARATOR}${tool}`.slice(0, room)}_${hash}`;
}

/**
 * The direct-surface name of `tool` on `server`: `${server}__${tool}` (sanitized) when it fits in
 * `max` characters, otherwise shortened (server part first) and suffixed with `_` + 8 hex chars of
 * sha256(`${server}__${tool}`) so the result is at most `max` characters and stable.
 * Pure; does not guard against collisions (use `DirectNames` for that).
 */
export function directName(server: string, tool: string, max = MAX_TOOL_NAME): string {
  const name = `${sanitizeName(server)}${SEPARATOR}${sanitizeName(tool)}`;
  if (name.length <= max) return name;
  return withHash(sanitizeName(server), sanitizeName(tool), hash8(`${server}${SEPARATOR}${tool}`), max);
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

  /** `max`: the longest name this session's client keeps (see ClientProfile.nameBudget). */
  constructor(private readonly max = MAX_TOOL_NAME) {}

  private static key(server: string, tool: string): string {
    return `${server}\u0000${tool}`;
  }

  /** Register (server, tool) and return its unique direct name. Idempotent. */
  add(server: string, tool: string): string {
    const key = DirectNames.key(server, tool);
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;

    let name = directName(server, tool, this.max);
    if (this.byName.has(name)) {
      const [s, t] = [sanitizeName(server), sanitizeName(tool)];
      const original = `${server}${SEPARATOR}${tool}`;
      name = withHash(s, t, hash8(original), this.max);
      for (let salt = 1; this.byName.has(name); salt++) {
        name = withHash(s, t, hash8(`${original}#${salt}`), this.max);
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
