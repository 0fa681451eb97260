// Workspace trust (§5): which server definitions of which workspace `.mcplex.yaml` the user allows to run,
// recorded in MCPLEX_HOME/trust.json (0600) as a hash of each definition, so any change needs trust again.
import fs from 'node:fs';
import path from 'node:path';
import { hashOf } from '../config/canonical.js';
import { shellJoin } from '../config/command-line.js';
import type { ServerConfig } from '../config/types.js';
import { writePrivate } from './private.js';

/** The name of a workspace's server file. */
export const WORKSPACE_FILE = '.mcplex.yaml';

/** One trusted workspace: each server's definition hash at the time the user trusted it. */
interface TrustedWorkspace {
  file: string;
  servers: Record<string, string>;
  trustedAt: string;
}

interface TrustFile {
  version: 1;
  workspaces: Record<string, TrustedWorkspace>;
}

/** The hash a server definition is trusted by: every field as parsed (comments and layout do not count). */
export function definitionHash(config: ServerConfig): string {
  return hashOf(config, 64);
}

/** Name → definition hash for every server of a parsed workspace file. */
export function definitionHashes(servers: Readonly<Record<string, ServerConfig>>): Record<string, string> {
  return Object.fromEntries(Object.entries(servers).map(([name, config]) => [name, definitionHash(config)]));
}

function read(file: string): TrustFile {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as TrustFile;
    if (v && typeof v.workspaces === 'object' && v.workspaces !== null) return v;
  } catch {
    // missing or unreadable: nothing is trusted
  }
  return { version: 1, workspaces: {} };
}

/** A workspace's key in trust.json: its real path, so a symlinked route to it is the same workspace. */
function workspaceKey(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** What identifies one version of the file on disk (an atomic rewrite changes the inode). */
function version(file: string): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '';
}

/** trust.json, held in memory; every change re-reads the file first, so writers do not drop each other's entries. */
export class TrustStore {
  private data: TrustFile;
  private seen: string;

  constructor(readonly file: string) {
    this.seen = version(file);
    this.data = read(file);
  }

  /** Re-reads the file (it changed on disk). */
  reload(): void {
    this.seen = version(this.file);
    this.data = read(this.file);
  }

  /**
   * True if the user trusts this exact definition of `server` in the workspace `dir`. Checks the file first, so a
   * session opened right after `mcplex trust` sees it without waiting for the file watcher (which updates live ones).
   */
  trusts(dir: string, server: string, hash: string): boolean {
    if (version(this.file) !== this.seen) this.reload();
    return this.data.workspaces[workspaceKey(dir)]?.servers[server] === hash;
  }

  /**
   * Trusts these definitions of the workspace's servers; `replace` forgets the ones not named (trusting a whole file).
   * Returns what was trusted before for the named servers (undefined: nothing), for `restore`.
   */
  grant(dir: string, servers: Record<string, string>, replace = false): Record<string, string | undefined> {
    const key = workspaceKey(dir);
    this.data = read(this.file);
    const current = this.data.workspaces[key]?.servers ?? {};
    const prior = Object.fromEntries(Object.keys(servers).map((name) => [name, current[name]]));
    const before = replace ? {} : current;
    this.data.workspaces[key] = { file: path.join(key, WORKSPACE_FILE), servers: { ...before, ...servers }, trustedAt: new Date().toISOString() };
    this.save();
    return prior;
  }

  /** Puts back what `grant` returned (an install that was undone leaves trust as it found it). */
  restore(dir: string, prior: Record<string, string | undefined>): void {
    const key = workspaceKey(dir);
    this.data = read(this.file);
    const entry = this.data.workspaces[key];
    if (!entry) return;
    for (const [name, hash] of Object.entries(prior)) {
      if (hash === undefined) delete entry.servers[name];
      else entry.servers[name] = hash;
    }
    this.save();
  }

  /** Withdraws all trust in a workspace; false if there was none. */
  revoke(dir: string): boolean {
    const key = workspaceKey(dir);
    this.data = read(this.file);
    if (!this.data.workspaces[key]) return false;
    delete this.data.workspaces[key];
    this.save();
    return true;
  }

  private save(): void {
    writePrivate(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
    this.seen = version(this.file);
  }
}

/** The exact command that trusts a workspace's servers, as users type it. */
export function trustCommand(dir: string): string {
  return shellJoin(['mcplex', 'trust', dir]);
}
