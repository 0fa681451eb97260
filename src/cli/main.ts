// argv → commands. Composition only: each command loads its own modules, so `serve` can take its lock before anything heavy.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { VERSION } from '../version.js';

/** Exit codes (§3): 0 ok, 1 failure, 2 usage or config error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Runs the CLI. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('mcplex')
    .description('One shared MCP daemon for every client on this machine')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run mcplex --help for usage)');

  program
    .command('serve')
    .description('run the daemon in the foreground')
    .option('--config <file>', 'config file (default: $MCPLEX_CONFIG or $MCPLEX_HOME/config.yaml)')
    .option('--port <n>', 'port to listen on (0 = any free port)', parsePort)
    .option('--detached', 'started in the background by `mcplex start` or a shim', false)
    .action(async (o: { config?: string; port?: number; detached: boolean }) => (await import('./serve.js')).serve(o));

  program
    .command('start')
    .description('start the daemon in the background (idempotent)')
    .action(async () => (await import('./control.js')).start());

  program
    .command('stop')
    .description('stop the daemon and every backend it runs')
    .action(async () => (await import('./control.js')).stop());

  program
    .command('restart [server]')
    .description('restart the daemon, or with SERVER: recycle that server and reset its circuit breaker')
    .action(async (server?: string) => {
      const control = await import('./control.js');
      if (server) return control.restartServer(server);
      await control.stop();
      await control.start();
    });

  program
    .command('status')
    .description('daemon, sessions and instances')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }) => (await import('./status.js')).status(o));

  program
    .command('init')
    .description('write a personal config.yaml that works as written (the servers mcplex ships, absolute paths, every key explained); never overwrites one')
    .action(async () => (await import('./init.js')).init());

  const config = program.command('config').description('check the configuration');
  config
    .command('validate [file]')
    .description('check a config file without running it; exits 2 when invalid')
    .action(async (file?: string) => (await import('./config.js')).validate(file));
  config
    .command('path')
    .description('print the config file the daemon uses')
    .action(async () => (await import('./config.js')).printPath());

  const collect = (v: string, acc: string[]) => [...acc, v];
  program
    .command('add <name> [command...]')
    .description('add a server (a catalog name alone, `-- CMD ARGS…`, or --url) and check it starts; same effect as install_server (starts the daemon if needed)')
    .option('--scope <scope>', 'workspace (the .mcplex.yaml of this directory\'s workspace) or global', 'workspace')
    .option('--sharing <mode>', 'global | workspace | credential | session')
    .option('--env <KEY=VALUE>', 'a variable for the server (stored in the scope\'s .env), repeatable', collect, [])
    .option('--url <url>', 'a remote (Streamable HTTP) server')
    .option('--replace', 'overwrite a server of the same name', false)
    .option('--force', 'let a workspace server hide the global server of the same name', false)
    .action(async (name: string, command: string[], o) => (await import('./edit.js')).add(name, command, o));

  program
    .command('remove <name>')
    .description('remove a server and stop its running instances; same effect as remove_server')
    .option('--scope <scope>', 'workspace or global', 'workspace')
    .action(async (name: string, o: { scope: string }) => (await import('./edit.js')).remove(name, o));

  program
    .command('trust [dir]')
    .description("allow the servers of a workspace's .mcplex.yaml (DIR's workspace, default this directory's) to run, as they are now")
    .action(async (dir?: string) => (await import('./trust.js')).trust(dir));

  program
    .command('untrust [dir]')
    .description("withdraw trust in a workspace's .mcplex.yaml: its servers stop and do not start until trusted again")
    .action(async (dir?: string) => (await import('./trust.js')).untrust(dir));

  program
    .command('doctor')
    .description('check Node, the config, the daemon, server commands, the port, orphans and file permissions; says what to fix')
    .option('--config <file>', 'config file to check (default: $MCPLEX_CONFIG or $MCPLEX_HOME/config.yaml)')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean; config?: string }) => (await import('./doctor.js')).doctor(o));

  program
    .command('logs')
    .description('print the daemon log (pretty on a terminal, JSON lines otherwise)')
    .option('-f, --follow', 'keep printing new lines', false)
    .option('--server <name>', 'only lines about this server')
    .option('-n, --lines <n>', 'how many lines to print first', parseCount, 50)
    .option('--level <level>', 'only lines at this level or above: trace, debug, info, warn, error, fatal')
    .option('--json', 'raw JSON lines even on a terminal', false)
    .action(async (o: { follow: boolean; server?: string; lines: number; level?: string; json: boolean }) => (await import('./logs.js')).logs(o));

  program
    .command('tools [server]')
    .description('list the tools of every server (or one), from the cache or by starting it; starts the daemon if needed')
    .option('--json', 'print JSON', false)
    .action(async (server: string | undefined, o: { json: boolean }) => (await import('./tools.js')).tools(server, o));

  program
    .command('describe <server> <tool>')
    .description("print a tool's description and input schema (what `mcplex call` takes); starts the daemon if needed")
    .option('--json', 'print the tool definition as JSON', false)
    .action(async (server: string, tool: string, o: { json: boolean }) => (await import('./tools.js')).describe(server, tool, o));

  program
    .command('call <server> <tool> [args...]')
    .description("call a tool through the daemon and print its result; args are KEY=VALUE (VALUE parsed as JSON when it parses, so quote a string that looks like a number: k='\"42\"') or --json '{…}'")
    .option('--json <object>', 'the arguments as one JSON object (KEY=VALUE pairs may add keys, not contradict them)')
    .option('--raw', 'print the whole result as JSON', false)
    .action(async (server: string, tool: string, args: string[], o: { json?: string; raw: boolean }) => (await import('./tools.js')).call(server, tool, args, o));

  program
    .command('import [file]')
    .description("turn MCP clients' server configs (or FILE) into servers of the global config; comments kept, secrets to .env")
    .option('--from <client>', 'claude-code | claude-desktop | cursor | vscode (default: every config found)')
    .option('--dry-run', 'print the summary and the YAML it would write; write nothing', false)
    .option('--scope <scope>', 'only global (the config.yaml in MCPLEX_HOME)', 'global')
    .option('--json', 'print JSON', false)
    .action(async (file: string | undefined, o) => (await import('./import.js')).importServers(file, o));

  program
    .command('setup <client>')
    .description('register the shim with claude-code or cursor, and show (or with --import, move) that client\'s own servers')
    .option('--import', "import the client's servers and remove them from its config (after a backup)", false)
    .option('--http', 'register the HTTP endpoint (with the daemon token) instead of the shim', false)
    .option('--name <name>', 'register under this name (default mcplex; recorded as gateway.registrationName)')
    .action(async (client: string, o: { import: boolean; http: boolean; name?: string }) => (await import('./setup.js')).setup(client, o));

  const service = program.command('service').description('run the daemon from login (systemd user unit on Linux, launchd agent on macOS)');
  service
    .command('install')
    .description('write the unit (or agent) and load it; exits 1 when no service manager runs here (the file is still written)')
    .action(async () => (await import('./service.js')).install());
  service
    .command('uninstall')
    .description('stop and unload the service and remove its file')
    .action(async () => (await import('./service.js')).uninstall());
  service
    .command('status')
    .description('the service file, what the service manager says, and which daemon runs; exits 1 unless installed, current and loaded')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }) => (await import('./service.js')).status(o));

  program
    .command('shim')
    .description('stdio MCP endpoint for a client (starts the daemon if none runs)')
    .option('--workspace <dir>', 'workspace directory (default: nearest ancestor with .git or .mcplex.yaml)')
    .option('--surface <surface>', 'auto (by client, the default) | meta | direct | both');

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    process.stderr.write(`mcplex: ${(err as Error).message}\n`);
    process.exit((err as { exitCode?: number }).exitCode ?? EXIT.failure);
  }
}

// Option parsers throw InvalidArgumentError: commander prints it with the option's name, and main exits 2.
function parseCount(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0.');
  return n;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0..65535 (0 = any free port).');
  return n;
}
