// What can be known about a server without starting it: its command, working directory and the files its args name,
// each resolved from where the config lives. Shared by `mcplex doctor` and `mcplex config validate`.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { commandProblem, cwdProblem, which } from '../config/commands.js';
import type { ServerConfig } from '../config/types.js';

/** One problem with a server's config: a failure stops it starting; a warning may. */
export interface ServerProblem {
  severity: 'fail' | 'warn';
  message: string;
  fix: string;
}

/** An arg that names a file: `./x`, `../x`, `/x`, `~/x`, or a relative path ending in a file extension (`dist/index.js`). Package specs (`@scope/pkg`) and URLs are not. */
function looksLikePath(arg: string): boolean {
  if (arg.includes('${') || arg.includes(':') || arg.startsWith('-') || arg.startsWith('@')) return false;
  return /^(\.{1,2}|~)?\//.test(arg) || (arg.includes('/') && /\.[A-Za-z0-9]{1,5}$/.test(arg));
}

function expandHome(p: string): string {
  return p === '~' ? os.homedir() : p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/** The directory a server starts in: its cwd (relative to the config's directory), else the config's directory. */
export function serverCwd(s: ServerConfig, configDir: string): string {
  if (!s.cwd || s.cwd.includes('${')) return configDir;
  return path.resolve(configDir, expandHome(s.cwd));
}

/** Why a server's command, cwd or file args will not work, each with its fix; [] when nothing is wrong. */
export function serverProblems(name: string, s: ServerConfig, configDir: string, where = `servers.${name}`): ServerProblem[] {
  if (!s.enabled || s.url) return [];
  if (s.docker) {
    return which('docker')
      ? []
      : [{ severity: 'fail', message: `container ${s.docker.image} needs \`docker\`, which is not on PATH`, fix: `install Docker (with a running engine), or replace ${where}.docker with a command` }];
  }
  const cwd = serverCwd(s, configDir);
  const out: ServerProblem[] = [];
  const badCwd = cwdProblem(cwd);
  if (badCwd) return [{ severity: 'fail', message: badCwd, fix: `create it, or fix ${where}.cwd (relative paths resolve from ${configDir})` }];
  const command = s.command ?? '';
  const badCommand = commandProblem(command, cwd, process.env.PATH ?? '');
  if (badCommand) {
    const fix = command.includes('/')
      ? `fix ${where}.command: an absolute path, or a path relative to the server's cwd (${cwd})`
      : `install ${command} (or fix its spelling), or set ${where}.command to its absolute path; the daemon searches PATH like this shell does`;
    out.push({ severity: 'fail', message: badCommand, fix });
  }
  s.args.forEach((arg, i) => {
    if (!looksLikePath(arg)) return;
    const abs = path.resolve(cwd, expandHome(arg));
    if (!fs.existsSync(abs)) {
      out.push({
        severity: 'warn',
        message: `args[${i}] ${arg} does not exist (${abs}${path.isAbsolute(expandHome(arg)) ? '' : `: relative paths resolve from ${s.cwd ? 'the server\'s cwd' : 'where the config lives'}, ${cwd}`})`,
        fix: `use an absolute path in ${where}.args, or a path relative to ${cwd}`,
      });
    }
  });
  return out;
}
