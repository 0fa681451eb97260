// MCPLEX_HOME is private to its user: the directory is 0700 and every file mcplex writes there is 0600.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HomePaths } from './paths.js';

/** Creates MCPLEX_HOME as 0700, or tightens an existing one (and the files an older mcplex may have left looser). */
export function secureHome(paths: HomePaths): void {
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  fs.chmodSync(paths.home, 0o700);
  for (const file of [paths.daemonOut, paths.log, `${paths.log}.1`, paths.audit, `${paths.audit}.1`, paths.token, paths.trust]) {
    try {
      fs.chmodSync(file, 0o600);
    } catch {
      // not written yet
    }
  }
}

/** Writes a file of MCPLEX_HOME atomically (temp file + rename), mode 0600, creating the home 0700 if needed. */
export function writePrivate(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
