// Comment-preserving edits of config files (yaml Document API) and .env files, validated first and written atomically.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { editDotenv } from './dotenv-text.js';
import { parseConfig, parseWorkspaceConfig } from './load.js';

/**
 * Writes a file atomically (temp file + rename). A file that exists keeps its mode (the user chose it); a new one
 * gets `newMode`, and missing directories are made private (0700).
 */
export function writeAtomic(file: string, text: string, newMode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let mode = newMode;
  try {
    mode = fs.statSync(file).mode & 0o7777;
  } catch {
    // a new file
  }
  const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The text a config file would have with `servers.<name>` set (or removed when entry is undefined); validated, not written. */
export function editedConfigText(file: string, kind: 'global' | 'workspace', name: string, entry: Record<string, unknown> | undefined): string {
  const doc = parseDocument(readText(file));
  if (doc.errors.length) throw new Error(`${file} has YAML errors; fix it first: ${doc.errors[0]!.message}`);
  const servers = doc.get('servers');
  if (!isMap(servers)) doc.set('servers', doc.createNode({}));
  // `servers: {}` is flow style; entries read better as a block.
  else if (servers.flow && servers.items.length === 0) servers.flow = false;
  if (entry === undefined) doc.deleteIn(['servers', name]);
  else doc.setIn(['servers', name], doc.createNode(entry));
  const text = doc.toString();
  if (kind === 'global') parseConfig(text, file);
  else parseWorkspaceConfig(text, file);
  return text;
}

/** The text a config file would have with `gateway.<key>` set (comments kept); validated, not written. */
export function editedGatewayText(file: string, key: string, value: unknown): string {
  const doc = parseDocument(readText(file));
  if (doc.errors.length) throw new Error(`${file} has YAML errors; fix it first: ${doc.errors[0]!.message}`);
  if (!isMap(doc.get('gateway'))) doc.set('gateway', doc.createNode({}));
  doc.setIn(['gateway', key], value);
  const text = doc.toString();
  parseConfig(text, file);
  return text;
}

/** True if the config file defines `servers.<name>`. */
export function hasServer(file: string, name: string): boolean {
  const doc = parseDocument(readText(file));
  return doc.hasIn(['servers', name]);
}

/** The file a path names: a symlink's target (followed even when dangling), else the path itself. */
export function linkTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return path.resolve(path.dirname(file), fs.readlinkSync(file));
    } catch {
      return file;
    }
  }
}

/**
 * Sets (and removes) variables in a .env file, byte-exact as dotenv reads them, keeping its other lines and its mode
 * (a new .env is 0600); a symlinked file is edited at its target.
 */
export function setEnvVars(file: string, vars: Record<string, string>, remove: readonly string[] = []): void {
  const target = linkTarget(file);
  writeAtomic(target, editDotenv(readText(target), vars, remove), 0o600);
}
