// The safe variables a backend needs to start at all (PATH to find `npx`, HOME for its caches), for a daemon or a
// session whose client stripped its environment: the MCP Inspector passes almost none, `env -i` none at all.
import os from 'node:os';
import path from 'node:path';
import { SAFE_ENV_KEYS } from './resolve.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where commands live when nothing says: this Node's own directory first (for `node`, `npx`), then the system's. */
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The account's own values for the safe variables an environment may lack (what a login would have set). */
function accountEnvironment(): Record<string, string> {
  const out: Record<string, string> = { PATH: [path.dirname(process.execPath), ...SYSTEM_PATH].join(path.delimiter) };
  try {
    const me = os.userInfo();
    out.HOME = me.homedir;
    out.USER = out.LOGNAME = me.username;
    if (me.shell) out.SHELL = me.shell;
  } catch {
    out.HOME = os.homedir();
  }
  return out;
}

/** `env` with each safe variable it lacks (absent or empty) taken from `fallback`; what it has is kept. */
export function withSafeDefaults(env: Env, fallback: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const key of SAFE_ENV_KEYS) if (!out[key] && fallback[key]) out[key] = fallback[key];
  return out;
}

/** Gives this process each safe variable it lacks, from the account: a daemon started from `env -i` still has them. */
export function completeProcessEnvironment(): void {
  const filled = withSafeDefaults(process.env, accountEnvironment());
  for (const key of SAFE_ENV_KEYS) if (filled[key]) process.env[key] = filled[key];
}
