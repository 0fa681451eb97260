// Where a server's command and paths resolve: PATH lookup and the reasons a command cannot run, said the same way everywhere.
import fs from 'node:fs';
import path from 'node:path';

/** The file a bare command name resolves to on a PATH, if any. */
export function which(cmd: string, pathVar = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, cmd);
    try {
      if (fs.statSync(candidate).isFile()) {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why a directory cannot be a server's working directory, or undefined when it can. */
export function cwdProblem(cwd: string): string | undefined {
  try {
    if (fs.statSync(cwd).isDirectory()) return undefined;
    return `working directory ${cwd} is not a directory`;
  } catch {
    return `working directory ${cwd} does not exist`;
  }
}

/**
 * Why `command` cannot be started from `cwd` with this PATH, or undefined when it can. A command with a slash is a
 * path (relative ones resolve from the server's cwd); a bare name is looked up on PATH, as spawn does.
 */
export function commandProblem(command: string, cwd: string, pathVar: string): string | undefined {
  if (!command.includes('/')) {
    return which(command, pathVar) ? undefined : `command "${command}" is not on PATH (${pathVar || 'PATH is empty'})`;
  }
  const abs = path.resolve(cwd, command);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    return `command ${command} does not exist (${abs})`;
  }
  try {
    if (!stat.isFile()) throw new Error('not a file');
    fs.accessSync(abs, fs.constants.X_OK);
  } catch {
    return `command ${abs} is not an executable file`;
  }
  return undefined;
}
