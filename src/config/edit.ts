// Comment-preserving edits of config files (yaml Document API) and .env files, validated first and written atomically.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
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

/** True if the config file defines `servers.<name>`. */
export function hasServer(file: string, name: string): boolean {
  const doc = parseDocument(readText(file));
  return doc.hasIn(['servers', name]);
}

/** Sets variables in a .env file, keeping its other lines (and its mode; a new .env is 0600). */
export function setEnvVars(file: string, vars: Record<string, string>): void {
  const lines = readText(file).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [key, value] of Object.entries(vars)) {
    const line = `${key}=${JSON.stringify(value)}`;
    const i = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${key}\\s*=`).test(l));
    if (i >= 0) lines[i] = line;
    else lines.push(line);
  }
  writeAtomic(file, lines.join('\n') + '\n', 0o600);
}
