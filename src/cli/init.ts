// `mcplex init`: write a personal config.yaml that works as written (absolute paths, every key explained), mode 0600; never overwrite one.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfigPath } from '../config/load.js';
import { homePaths } from '../home/paths.js';
import { CliError } from './fail.js';

/** The example servers: packages this project depends on, run with this very Node. */
const EXAMPLES = ['everything', 'memory', 'filesystem'] as const;
type Example = (typeof EXAMPLES)[number];

/** How to start an example server: its installed entry file with this Node, else `npx -y` (an install without dev dependencies). */
function launch(name: Example): { command: string; args: string[] } {
  const pkg = `@modelcontextprotocol/server-${name}`;
  try {
    return { command: process.execPath, args: [createRequire(import.meta.url).resolve(`${pkg}/dist/index.js`)] };
  } catch {
    const npx = path.join(path.dirname(process.execPath), 'npx');
    return { command: fs.existsSync(npx) ? npx : 'npx', args: ['-y', pkg] };
  }
}

/** The directory the filesystem example may read: where init runs, unless that would expose MCPLEX_HOME (its .env holds secrets). */
function readableDir(home: string): string {
  const cwd = process.cwd();
  const rel = path.relative(cwd, home);
  const holdsHome = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  return holdsHome ? fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '') : cwd;
}

const q = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;

/** The text of the config: every value absolute, every key explained. */
export function initialConfig(home: string): string {
  const everything = launch('everything');
  const memory = launch('memory');
  const filesystem = launch('filesystem');
  const dir = readableDir(home);
  return `# mcplex configuration, written by \`mcplex init\`. The daemon watches this file: an edit applies at once,
# and an invalid edit is refused while the last good config keeps serving. Check it: mcplex config validate
# Every option is described in config.example.yaml of the mcplex package and in its README.

gateway:
  port: 8989            # loopback port for HTTP clients and the status page (http://127.0.0.1:8989/); MCPLEX_PORT overrides; 0 = any free port
  idleTimeout: 10m      # stop a server nobody has used for this long; 0 = never
  callTimeout: 2m       # a tool call fails after this long without an answer or progress (hard cap 10m)
  startTimeout: 60s     # a server must start and answer initialize within this

# Each server: how to start it, and which clients share one process of it. Paths are absolute, so every client,
# from any directory, starts the same thing. These three ship with mcplex; add your own with \`mcplex add\`.
servers:
  everything:
    description: "MCP reference server: echo, sums, long-running operations, resources, prompts"   # what the model is told it is for
    command: ${q(everything.command)}   # the program to run: an absolute path, or a name on PATH
    args: ${list([...everything.args, 'stdio'])}   # its arguments
    sharing: global     # global: one process for every client | workspace: one per project | credential | session

  memory:
    description: "Knowledge-graph memory (entities, relations, observations) shared by every client"
    command: ${q(memory.command)}
    args: ${list(memory.args)}
    env:                # the server's environment: only these keys (plus PATH, HOME, …) reach it; "\${NAME}" reads $MCPLEX_HOME/.env
      MEMORY_FILE_PATH: ${q(path.join(home, 'memory.jsonl'))}
    sharing: global

  filesystem:
    description: "Read files under ${dir.replace(/"/g, '')}"
    command: ${q(filesystem.command)}
    args: ${list([...filesystem.args, dir])}   # the last args are the directories it may read: list your projects
    sharing: global
    tools:              # which of its tools are shown: allow and deny lists of name globs
      deny: ["write_*", "edit_*", "move_*", "create_*"]   # this one only reads
`;
}

/** Writes the config the daemon uses ($MCPLEX_HOME/config.yaml, or MCPLEX_CONFIG); refuses to overwrite an existing one. */
export async function init(): Promise<void> {
  const paths = homePaths();
  const file = resolveConfigPath({ env: process.env, home: paths.home });
  if (fs.existsSync(file)) {
    throw new CliError(`${file} already exists; mcplex init never overwrites a config. Edit it (mcplex config validate checks it), or move it away and run mcplex init again`, 1);
  }
  fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, initialConfig(paths.home), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${file} already exists; mcplex init never overwrites a config`, 1);
    throw err;
  }
  process.stdout.write(
    [
      `wrote ${file} with ${EXAMPLES.length} servers (${EXAMPLES.join(', ')})`,
      'next:',
      '  mcplex doctor               checks that each server starts',
      '  mcplex setup claude-code    registers mcplex with Claude Code (or: mcplex setup cursor)',
      '  mcplex add NAME -- CMD ARGS  adds your own servers',
    ].join('\n') + '\n',
  );
}
