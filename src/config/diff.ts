// Which servers an edit added, removed or changed (unchanged ones keep their processes).
import { canonicalJson } from './canonical.js';
import type { ServerConfig } from './types.js';

export interface ServerDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Compares two `servers:` maps by value. */
export function diffServers(before: Readonly<Record<string, ServerConfig>>, after: Readonly<Record<string, ServerConfig>>): ServerDiff {
  const added = Object.keys(after).filter((n) => !(n in before));
  const removed = Object.keys(before).filter((n) => !(n in after));
  const changed = Object.keys(after).filter((n) => n in before && canonicalJson(before[n]) !== canonicalJson(after[n]));
  return { added, removed, changed };
}

/** True if nothing changed. */
export function isEmptyDiff(d: ServerDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length === 0;
}
