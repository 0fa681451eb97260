// `mcplex config validate [F]` and `config path`.
import { homePaths } from '../home/paths.js';
import { ConfigError, loadConfig, resolveConfigPath } from '../config/load.js';
import { formatProblems } from '../config/format.js';
import { CliError } from './fail.js';

/** Validates a config file: prints every problem with file, line and path; exits 2 when invalid. */
export async function validate(file?: string): Promise<void> {
  const target = resolveConfigPath({ flag: file, env: process.env, home: homePaths().home });
  try {
    const cfg = await loadConfig(target);
    const n = Object.keys(cfg.servers).length;
    process.stdout.write(`${target}: ok (${n} server${n === 1 ? '' : 's'})\n`);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(formatProblems(err), 2);
    throw err;
  }
}

/** Prints the config path the daemon would use. */
export async function printPath(): Promise<void> {
  process.stdout.write(resolveConfigPath({ env: process.env, home: homePaths().home }) + '\n');
}
