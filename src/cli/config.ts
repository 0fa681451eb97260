// `mcplex config validate [F]` (problems exit 2; commands not on PATH and missing files are warnings) and `config path`.
import { homePaths } from '../home/paths.js';
import { ConfigError, loadConfig, resolveConfigPath } from '../config/load.js';
import { formatProblems } from '../config/format.js';
import { CliError } from './fail.js';
import { serverProblems } from './server-checks.js';

/** Validates a config file: prints every problem with file, line and path (exit 2 when invalid), then warnings about commands and files. */
export async function validate(file?: string): Promise<void> {
  const target = resolveConfigPath({ flag: file, env: process.env, home: homePaths().home });
  try {
    const cfg = await loadConfig(target);
    const n = Object.keys(cfg.servers).length;
    process.stdout.write(`${target}: ok (${n} server${n === 1 ? '' : 's'})\n`);
    // Valid, but will it run? Commands not on PATH and files that do not exist are warnings (exit 0).
    for (const [name, s] of Object.entries(cfg.servers)) {
      for (const p of serverProblems(name, s, cfg.dir)) process.stderr.write(`warning: servers.${name}: ${p.message}\n  fix: ${p.fix}\n`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(formatProblems(err), 2);
    throw err;
  }
}

/** Prints the config path the daemon would use. */
export async function printPath(): Promise<void> {
  process.stdout.write(resolveConfigPath({ env: process.env, home: homePaths().home }) + '\n');
}
