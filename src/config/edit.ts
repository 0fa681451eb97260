// Comment-preserving edits of config files (yaml Document API) and .env files, validated first and written atomically.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { parseConfig, parseWorkspaceConfig } from './load.js';

/** Writes a file atomically (temp file + rename) with the given mode. */
export function writeAtomic(file: string, text: string, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
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

/** Sets variables in a .env file (mode 0600), keeping its other lines. */
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
  fs.chmodSync(file, 0o600);
}
